// Docs that cannot drift: every constant docs/costmodel.md quotes as `kName = value` is the
// code's (costmodel::named_constants() and bench/fit's settings), and every profile figure it
// quotes as `list/id/field = value` is the embedded profile's, to the digits quoted.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "fitting.hpp"
#include "trainplan/costmodel/named_constants.hpp"
#include "trainplan/planner/strategies.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Half a unit in the last digit quoted: "0.25" matches 0.2549 but not 0.26.
double quoted_tolerance(const std::string& number) {
  const auto exponent = number.find_first_of("eE");
  const std::string mantissa = number.substr(0, exponent);
  const auto dot = mantissa.find('.');
  const int decimals = dot == std::string::npos ? 0 : int(mantissa.size() - dot - 1);
  const double scale = exponent == std::string::npos ? 1.0 : std::pow(10.0, std::stod(number.substr(exponent + 1)));
  return 0.5 * std::pow(10.0, -decimals) * scale + 1e-12;
}

std::map<std::string, double> code_constants() {
  auto all = trainplan::costmodel::named_constants();
  all["kHuberLog"] = trainplan::bench::kHuberLog;
  all["kReweightingPasses"] = trainplan::bench::kReweightingPasses;
  all["kRowNoiseLog"] = trainplan::bench::kRowNoiseLog;
  all["kTotalRowWeight"] = trainplan::bench::kTotalRowWeight;
  all["kKnobRangeLog"] = trainplan::bench::kKnobRangeLog;
  all["kLoaderStartLog"] = trainplan::bench::kLoaderStartLog;
  all["kProgressiveShare"] = trainplan::planner::kProgressiveShare;
  return all;
}

}  // namespace

TEST_CASE("docs/costmodel.md quotes the code's constants") {
  const std::string doc = read_file(TRAINPLAN_DOCS_DIR "/costmodel.md");
  const auto constants = code_constants();
  const std::regex quote(R"(\b(k[A-Z][A-Za-z0-9]*)\s*=\s*(-?[0-9][0-9.]*(?:e-?[0-9]+)?))");
  int checked = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), quote), end; it != end; ++it) {
    const std::string name = (*it)[1], number = (*it)[2];
    CAPTURE(name);
    CAPTURE(number);
    auto found = constants.find(name);
    REQUIRE_MESSAGE(found != constants.end(), "docs/costmodel.md names an unknown constant");
    CHECK(std::fabs(found->second - std::stod(number)) <= quoted_tolerance(number));
    ++checked;
  }
  CHECK(checked >= 15);
}

TEST_CASE("docs/costmodel.md quotes the embedded profiles' figures") {
  const std::string doc = read_file(TRAINPLAN_DOCS_DIR "/costmodel.md");
  const std::regex quote(
      R"(`([a-z_]+)/([a-z0-9.-]+)/([a-z_0-9]+) = (-?[0-9][0-9.]*(?:e-?[0-9]+)?)`)");
  int checked = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), quote), end; it != end; ++it) {
    const std::string list = (*it)[1], id = (*it)[2], field = (*it)[3], number = (*it)[4];
    CAPTURE(list + "/" + id + "/" + field);
    CAPTURE(number);
    const auto json = nlohmann::json::parse(read_file(TRAINPLAN_PROFILE_DATA_DIR "/" + list + ".json"));
    const nlohmann::json* entry = nullptr;
    for (const auto& e : json.at(list))
      if (e.at("id") == id) entry = &e;
    REQUIRE_MESSAGE(entry != nullptr, "no such profile entry");
    REQUIRE_MESSAGE(entry->contains(field), "no such field");
    CHECK(std::fabs(entry->at(field).get<double>() - std::stod(number)) <= quoted_tolerance(number));
    ++checked;
  }
  CHECK(checked >= 5);
}
