#pragma once
// `trainplan data check PATH`: every image of a data set opened and decoded (in parallel),
// the scan a run no longer makes at start-up.
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace trainplan::cli {

/// Registers `check` under the `data` command.
void add_data_check_command(CLI::App& data, CommandRunner& run);

}  // namespace trainplan::cli
