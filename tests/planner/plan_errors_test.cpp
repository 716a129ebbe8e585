// Bad plan files are refused with the JSON path and the reason (issue 3, acceptance 4).
#include <doctest/doctest.h>

#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

using namespace trainplan;
using nlohmann::json;

namespace {

json two_stage_plan() {
  static const auto catalog = profiles::Catalog::embedded();
  auto answer = planner::answer_question(catalog, planner::parse_question("32 GPUs, 3 days, new model head"));
  return json::parse(planner::to_json(planner::plan_to_write(answer)).dump());
}

void expect_refused(const json& plan, const std::string& part1, const std::string& part2 = "") {
  CAPTURE(part1);
  try {
    planner::plan_from_json(plan, "plan.json");
    FAIL("accepted");
  } catch (const InputError& e) {
    std::string what = e.what();
    CAPTURE(what);
    CHECK(what.rfind("plan.json: ", 0) == 0);
    CHECK(what.find(part1) != std::string::npos);
    CHECK(what.find(part2) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("the generated two-stage plan is accepted") {
  CHECK_NOTHROW(planner::plan_from_json(two_stage_plan(), "plan.json"));
}

TEST_CASE("a cyclic dependency names the stages on the cycle") {
  json p = two_stage_plan();
  p["stages"][0]["depends_on"] = {p["stages"][1]["id"]};
  expect_refused(p, "cycle", "continue-pretrain");
}

TEST_CASE("an unknown stage in depends_on or init is refused with its path") {
  json p = two_stage_plan();
  p["stages"][1]["depends_on"] = {"nope"};
  expect_refused(p, "$.stages[1].depends_on[0]", "unknown stage \"nope\"");
  json q = two_stage_plan();
  q["stages"][1]["init"] = "stage:ghost";
  expect_refused(q, "$.stages[1].init", "unknown stage \"ghost\"");
  json r = two_stage_plan();
  r["stages"][1]["init"] = "somewhere";
  expect_refused(r, "$.stages[1].init", "scratch, pretrained:<weights> or stage:<id>");
}

TEST_CASE("unknown and missing fields are refused with their JSON path") {
  json p = two_stage_plan();
  p["stages"][0]["colour"] = "blue";
  expect_refused(p, "$.stages[0].colour", "unknown field");
  json q = two_stage_plan();
  q["stages"][1].erase("epochs");
  expect_refused(q, "$.stages[1].epochs", "missing required field");
  json r = two_stage_plan();
  r["stages"][0]["prediction"]["speed"] = 1;
  expect_refused(r, "$.stages[0].prediction.speed", "unknown field");
  json s = two_stage_plan();
  s.erase("question");
  expect_refused(s, "$.question", "missing");
}

TEST_CASE("a newer format version is refused with a clear message") {
  json p = two_stage_plan();
  p["format"] = "trainplan/plan@2";
  expect_refused(p, "$.format", "newer plan format");
  json q = two_stage_plan();
  q["format"] = "something-else";
  expect_refused(q, "$.format", "not a trainplan plan");
}

TEST_CASE("bad values are refused with the path and what is accepted") {
  json p = two_stage_plan();
  p["stages"][0]["kind"] = "magic";
  expect_refused(p, "$.stages[0].kind", "expected one of");
  json q = two_stage_plan();
  q["stages"][0]["gpus"] = 0;
  expect_refused(q, "$.stages[0].gpus", "> 0");
  json r = two_stage_plan();
  r["stages"][0]["resolution"] = "12x";
  expect_refused(r, "resolution", "WIDTHxHEIGHT");
  json s = two_stage_plan();
  s["stages"][0]["global_batch"] = 511;
  expect_refused(s, "$.stages[0].global_batch", "divisible");
  json t = two_stage_plan();
  t["stages"][1]["id"] = t["stages"][0]["id"];
  expect_refused(t, "duplicate stage id");
}

TEST_CASE("a deadline or price that is zero, negative or not a number is refused") {
  for (json bad : {json(0), json(-3), json("soon")}) {
    json p = two_stage_plan();
    p["question"]["deadline_hours"] = bad;
    expect_refused(p, "$.question.deadline_hours");
    json q = two_stage_plan();
    q["question"]["price_per_gpu_hour_usd"] = bad;
    expect_refused(q, "$.question.price_per_gpu_hour_usd");
  }
}
