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

TEST_CASE("stage augment and amp: written from the recipe, optional on reading, bad values refused") {
  json p = two_stage_plan();
  // Written from the recipes: YOLO-World pre-training closes mosaic 2 epochs before the end,
  // the COCO fine-tune 10; both train with AMP.
  CHECK(p["stages"][0]["augment"] == json({{"mosaic", true}, {"close_mosaic_epochs", 2}}));
  CHECK(p["stages"][1]["augment"] == json({{"mosaic", true}, {"close_mosaic_epochs", 10}}));
  CHECK(p["stages"][0]["amp"] == true);
  const auto read = planner::plan_from_json(p, "plan.json");
  REQUIRE(read.stages[1].augment.has_value());
  CHECK(read.stages[1].augment->mosaic);
  CHECK(read.stages[1].augment->close_mosaic_epochs == 10);
  CHECK(read.stages[1].amp == true);

  // A plan written before the fields existed: accepted, mosaic off and amp false.
  json old = two_stage_plan();
  for (auto& stage : old["stages"]) {
    stage.erase("augment");
    stage.erase("amp");
  }
  const auto old_plan = planner::plan_from_json(old, "plan.json");
  CHECK_FALSE(old_plan.stages[0].augment.has_value());
  CHECK_FALSE(old_plan.stages[0].amp.value_or(false));

  json bad = two_stage_plan();
  bad["stages"][1]["augment"]["mosaic"] = "yes";
  expect_refused(bad, "$.stages[1].augment.mosaic", "expected true or false");
  bad = two_stage_plan();
  bad["stages"][1]["augment"]["close_mosaic_epochs"] = -1;
  expect_refused(bad, "$.stages[1].augment.close_mosaic_epochs");
  bad = two_stage_plan();
  bad["stages"][1]["augment"]["close_mosaic_epochs"] = 2.5;
  expect_refused(bad, "$.stages[1].augment.close_mosaic_epochs", "whole number");
  // More close-mosaic epochs than the stage has: no mosaic at all (a shortened stage).
  json longer = two_stage_plan();
  longer["stages"][1]["augment"]["close_mosaic_epochs"] = 81;
  CHECK(planner::plan_from_json(longer, "plan.json").stages[1].augment->close_mosaic_epochs == 81);
  bad = two_stage_plan();
  bad["stages"][1]["augment"]["mixup"] = true;
  expect_refused(bad, "$.stages[1].augment.mixup", "unknown field");
  bad = two_stage_plan();
  bad["stages"][1]["augment"] = 1;
  expect_refused(bad, "$.stages[1].augment");
  bad = two_stage_plan();
  bad["stages"][0]["amp"] = "fp16";
  expect_refused(bad, "$.stages[0].amp", "expected true or false");
}

TEST_CASE("a zero-shot stage carries no augment or amp") {
  static const auto catalog = profiles::Catalog::embedded();
  auto answer = planner::answer_question(catalog, planner::parse_question("general detection, no training time"));
  const json p = json::parse(planner::to_json(planner::plan_to_write(answer)).dump());
  int zero_shot = 0;
  for (const auto& stage : p["stages"]) {
    if (stage["kind"] != "zero-shot") continue;
    ++zero_shot;
    CHECK_FALSE(stage.contains("augment"));
    CHECK_FALSE(stage.contains("amp"));
  }
  CHECK(zero_shot == 1);
}
