#pragma once
// Running the built `trainplan` as a user would (tests/cli/cli_harness.cpp).
#include <string>
#include <vector>

/// `arg` quoted for a POSIX shell.
std::string shell_quote(const std::string& arg);

/// A file's whole content ("" when it cannot be read).
std::string slurp(const std::string& path);

/// A fresh directory under $TMPDIR (or /tmp), unique to this call.
std::string make_temp_dir();

/// Writes `text` to `name` in a fresh temporary directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

/// Runs trainplan with `args`, capturing its output; returns the exit code (-1 when it did not
/// exit normally).
int run_trainplan(const std::vector<std::string>& args, std::string& out, std::string& err);
