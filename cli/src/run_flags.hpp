#pragma once
// The flags of `trainplan run`, shared by the front end (which validates them and the plan
// before anything starts) and the executor program it hands over to.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "trainplan/executor/run.hpp"

namespace trainplan::cli {

/// Registers the run flags on `cmd`, writing into `options`.
void add_run_flags(CLI::App& cmd, const std::shared_ptr<executor::RunOptions>& options);

/// Checks the flags' values (InputError naming the flag).
void check_run_options(const executor::RunOptions& options);

}  // namespace trainplan::cli
