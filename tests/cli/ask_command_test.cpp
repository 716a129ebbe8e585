// Pins down `trainplan ask` on the DESIGN 3.5 question "4 GPUs, 1 day budget?": exit 0, the
// assumptions stated, every strategy with a verdict, fine-tune recommended with reasons,
// pre-training marked as not fitting, and the GPUs it would need for one and two days; and
// the same answer as JSON.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/run_json.hpp"

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The first line of `text` that starts (after spaces) with `prefix`.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, prefix.size(), prefix) == 0) return line;
  }
  return "";
}

}  // namespace

TEST_CASE("ask \"4 GPUs, 1 day budget?\" recommends fine-tuning") {
  std::string out, err;
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?"}, out, err) == 0);
  CAPTURE(out);
  CAPTURE(err);
  CHECK(err.empty());
  // Assumptions: GPU type, model, data, epochs.
  CHECK(contains(out, "Assumptions:"));
  CHECK(contains(out, "4 x v100-sxm2-32gb"));
  CHECK(contains(out, "yolo-world-v2-l"));
  CHECK(contains(out, "118287 images"));
  CHECK(contains(out, "80 epochs"));
  CHECK(contains(out, "24.0 h"));
  // Every DESIGN section 1 strategy is listed.
  for (const char* s : {"zero-shot ", "finetune ", "progressive ", "pretrain "})
    CHECK_FALSE(line_starting(out, s).empty());
  CHECK(contains(out, "Recommendation: finetune"));
  CHECK(contains(line_starting(out, "finetune "), "yes"));
}

TEST_CASE("ask marks pre-training as not fitting and answers the inverse question") {
  std::string out, err;
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?"}, out, err) == 0);
  CAPTURE(out);
  const std::string pretrain_row = line_starting(out, "pretrain ");
  CHECK(contains(pretrain_row, "no"));
  CHECK(contains(pretrain_row, "over the time budget"));
  // After the table, a second pretrain line answers how many GPUs one and two days need.
  const auto table_row = out.find(pretrain_row);
  REQUIRE(table_row != std::string::npos);
  const std::string after_table = out.substr(table_row + pretrain_row.size());
  const std::string pretrain_needs = line_starting(after_table, "pretrain ");
  CAPTURE(pretrain_needs);
  CHECK(contains(pretrain_needs, "one day"));
  CHECK(contains(pretrain_needs, "two days"));
  CHECK(contains(pretrain_needs, "GPUs"));
  CHECK(pretrain_needs.find_first_of("0123456789") != std::string::npos);
}

TEST_CASE("ask --json gives strategies and a recommendation") {
  const nlohmann::json j = trainplan::testing::run_json({"ask", "4 GPUs, 1 day budget?", "--json"});
  REQUIRE(j.contains("strategies"));
  REQUIRE(j.contains("recommended"));
  CHECK(j["recommended"] == "finetune");
  CHECK(j["question"]["gpus"] == 4);
  CHECK(j["question"]["budget_hours"] == 24.0);
  CHECK(j["reasons"].is_array());
  CHECK_FALSE(j["reasons"].empty());
  CHECK(j["assumptions"].is_array());
  REQUIRE(j["strategies"].is_array());
  std::vector<std::string> names;
  for (const auto& s : j["strategies"]) names.push_back(s["strategy"].get<std::string>());
  // The DESIGN section 1 strategies are all there, in this order (others may sit between).
  size_t next = 0;
  for (const char* wanted : {"zero-shot", "finetune", "progressive", "pretrain"}) {
    CAPTURE(wanted);
    auto at = std::find(names.begin() + next, names.end(), wanted);
    CHECK(at != names.end());
    if (at != names.end()) next = size_t(at - names.begin()) + 1;
  }
  for (const auto& s : j["strategies"]) {
    CAPTURE(s.dump());
    // A strategy that does not apply to the question says why instead of giving figures.
    if (s.value("applicable", true) == false) {
      CHECK(s["strategy"] != "finetune");
      CHECK(s["strategy"] != "pretrain");
      continue;
    }
    CHECK(s["total_seconds"].is_number());
    CHECK(s["gpu_hours"].is_number());
    CHECK(s["cost_usd"].is_number());
    CHECK(s["feasible"].is_boolean());
    if (s["strategy"] == "finetune") {
      CHECK(s["feasible"] == true);
      CHECK(s["total_seconds"].get<double>() <= 24 * 3600.0);
      CHECK(s["total_seconds"].get<double>() >= 16 * 3600.0);
    }
    if (s["strategy"] == "pretrain") {
      CHECK(s["feasible"] == false);
      CHECK(s["meets_budget"] == false);
      const auto& need = s["gpus_needed"];
      REQUIRE(need["one_day"].is_number_integer());
      REQUIRE(need["two_days"].is_number_integer());
      // More time never needs more GPUs; a day needs more than the 4 we have.
      CHECK(need["one_day"].get<int>() > 4);
      CHECK(need["two_days"].get<int>() > 4);
      CHECK(need["two_days"].get<int>() <= need["one_day"].get<int>());
    }
  }
}

TEST_CASE("the text and JSON answers agree on the recommendation") {
  std::string text, json_out, err;
  REQUIRE(run_trainplan({"ask", "--gpus", "32", "--budget", "3d"}, text, err) == 0);
  REQUIRE(run_trainplan({"ask", "--gpus", "32", "--budget", "3d", "--json"}, json_out, err) == 0);
  const auto j = nlohmann::json::parse(json_out);
  CAPTURE(text);
  CHECK(contains(text, "Recommendation: " + j["recommended"].get<std::string>()));
  CHECK(j["question"]["gpus"] == 32);
  CHECK(j["question"]["budget_hours"] == 72.0);
}
