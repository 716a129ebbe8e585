#pragma once
// Runs another program and waits for it: its standard output captured or sent to a log.
#include <string>
#include <vector>

namespace trainplan::cli {

/// Runs `argv` (argv[0] a path), standard error appended to `log` (and standard output too
/// unless `captured` is given, which then receives it). Returns the exit code (128 + N when
/// killed by signal N). Throws RunError when it cannot start.
int run_program(const std::vector<std::string>& argv, const std::string& log,
                std::string* captured = nullptr);

/// The executor program beside this one (trainplan-executor); RunError naming it when missing.
std::string executor_program();

}  // namespace trainplan::cli
