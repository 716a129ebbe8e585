// examples/plans/*.json are the plans for the questions in examples/plans/questions.tsv:
// regenerated here and compared, so a change in the planner shows up as a changed example
// (rewrite them with scripts/regenerate-examples.sh).
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "json_compare.hpp"
#include "trainplan/json_reader.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

using namespace trainplan;

TEST_CASE("every example plan is what the planner writes for its question") {
  const auto catalog = profiles::Catalog::embedded();
  std::ifstream list(std::string(TRAINPLAN_EXAMPLES_DIR) + "/questions.tsv");
  REQUIRE(list);
  std::string line;
  int checked = 0;
  while (std::getline(list, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string name = line.substr(0, tab), question = line.substr(tab + 1);
    CAPTURE(name);
    const std::string path = std::string(TRAINPLAN_EXAMPLES_DIR) + "/" + name + ".json";
    auto answer = planner::answer_question(catalog, planner::parse_question(question));
    nlohmann::json fresh = planner::to_json(planner::plan_to_write(answer));
    nlohmann::json stored = parse_json_file(path);
    CHECK(testing::first_difference(fresh, stored) == "");
    // The stored example is also a valid plan.
    CHECK_NOTHROW(planner::read_plan_file(path));
    ++checked;
  }
  CHECK(checked >= 6);
}
