#pragma once
// The bad-input contract, checked on a real trainplan process: exit code 2, nothing on
// standard output, one message "trainplan: ..." on standard error that names every `parts`,
// on one line unless it goes on (examples of accepted input, a usage hint).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/cli_harness.hpp"

namespace trainplan::testing {

/// Occurrences of `part` in `text`.
inline size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

/// How many lines the message may take.
enum class MessageLines { kOne, kSeveral };

/// Runs trainplan with `args` and checks the contract above.
inline void expect_bad_input(const std::vector<std::string>& args,
                             const std::vector<std::string>& parts,
                             MessageLines lines = MessageLines::kOne) {
  std::string out, err;
  const int code = run_trainplan(args, out, err);
  std::string command;
  for (const auto& a : args) command += a + " ";
  CAPTURE(command);
  CAPTURE(err);
  CHECK(code == 2);
  CHECK(out.empty());
  CHECK(err.rfind("trainplan: ", 0) == 0);
  CHECK(count_of(err, "trainplan: ") == 1);  // one message
  if (lines == MessageLines::kOne) CHECK(count_of(err, "\n") == 1);
  CHECK(err.find("internal error") == std::string::npos);
  for (const auto& part : parts) {
    CAPTURE(part);
    CHECK(err.find(part) != std::string::npos);
  }
}

}  // namespace trainplan::testing
