#pragma once
// Running trainplan for its JSON output in a test.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"

namespace trainplan::testing {

/// Runs trainplan with `args`, requires exit 0, nothing on standard error and JSON on standard
/// output, and returns it parsed.
inline nlohmann::json run_json(const std::vector<std::string>& args) {
  std::string out, err;
  const int code = run_trainplan(args, out, err);
  CAPTURE(err);
  REQUIRE(code == 0);
  CHECK(err.empty());
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(out));
  return j;
}

}  // namespace trainplan::testing
