#pragma once
// The flags of `trainplan probe comm` and `trainplan-executor bench-comm` (one definition for
// the front end, which checks them, and the executor program it hands over to).
#include <CLI/CLI.hpp>

#include <memory>

#include "trainplan/executor/comm_bench.hpp"

namespace trainplan::cli {

/// Registers the communication benchmark's flags on `cmd`, writing into `options`.
void add_comm_bench_flags(CLI::App& cmd, const std::shared_ptr<executor::CommBenchOptions>& options);

}  // namespace trainplan::cli
