// The plan's augmentation reaches the executor (issue 12): map_plan keeps mosaic, scales the
// close-mosaic epochs with the epochs under --scale-to-local (at least 1), and the stage
// trainer's switch falls on the last close_mosaic_epochs epochs.
#include <doctest/doctest.h>

#include <filesystem>

#include "support/cli_harness.hpp"
#include "trainplan/executor/data/synth.hpp"
#include "trainplan/executor/execution_plan.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

using namespace trainplan;

namespace {

planner::Plan two_stage_plan() {
  static const auto catalog = profiles::Catalog::embedded();
  return planner::plan_to_write(
      planner::answer_question(catalog, planner::parse_question("32 GPUs, 3 days, new model head")));
}

}  // namespace

TEST_CASE("scale-to-local keeps mosaic and scales the close-mosaic epochs") {
  const planner::Plan plan = two_stage_plan();
  REQUIRE(plan.stages.size() == 2);
  executor::MappingOptions o;
  o.scale_to_local = true;
  o.work_dir = "/tmp/unused";
  const auto exec = executor::map_plan(plan, o);
  REQUIRE(exec.stages.size() == 2);
  // Progressive: 10 epochs -> round(0.5) = 1, its 2 close-mosaic epochs -> at least 1.
  // Fine-tune: 80 epochs -> 4, its 10 close-mosaic epochs -> round(0.5) = 1.
  for (const auto& s : exec.stages) {
    CAPTURE(s.id);
    CHECK(s.mosaic);
    CHECK(s.amp);
    CHECK(s.close_mosaic_epochs == 1);
  }
  const auto& finetune = exec.stages[1];
  REQUIRE(finetune.epochs == 4);
  CHECK(executor::mosaic_in_epoch(finetune, 0));
  CHECK(executor::mosaic_in_epoch(finetune, 2));
  CHECK_FALSE(executor::mosaic_in_epoch(finetune, 3));
  bool said = false;
  for (const auto& line : exec.mapping)
    said = said || line.find("mosaic on, off for the last 10 -> 1 epochs") != std::string::npos;
  CHECK(said);

  // Unscaled: the plan's own counts. Its data sets must exist: small synthetic ones.
  executor::MappingOptions full;
  full.accumulate = 1;
  full.data_root = make_temp_dir();
  for (const auto& s : plan.stages)
    for (const std::string& id : {s.dataset, s.eval_dataset}) {
      if (id.empty() || std::filesystem::exists(full.data_root + "/" + id)) continue;
      executor::data::SynthOptions synth;
      synth.out_dir = full.data_root + "/" + id;
      synth.images = 8;
      synth.size = 64;
      executor::data::write_synthetic_dataset(synth);
    }
  planner::Plan small = plan;
  for (auto& s : small.stages) s.model = "yolo-world-v2-s";
  const auto real = executor::map_plan(small, full);
  CHECK(real.stages[0].close_mosaic_epochs == 2);
  CHECK(real.stages[1].close_mosaic_epochs == 10);
  CHECK(executor::mosaic_in_epoch(real.stages[1], 69));
  CHECK_FALSE(executor::mosaic_in_epoch(real.stages[1], 70));
}

TEST_CASE("a plan without augment trains without mosaic and keeps its stage hash") {
  planner::Plan plan = two_stage_plan();
  executor::MappingOptions o;
  o.scale_to_local = true;
  o.work_dir = "/tmp/unused";
  const auto with = executor::map_plan(plan, o);
  for (auto& s : plan.stages) {
    s.augment.reset();
    s.amp.reset();
  }
  const auto without = executor::map_plan(plan, o);
  for (const auto& s : without.stages) {
    CHECK_FALSE(s.mosaic);
    CHECK_FALSE(s.amp);
    CHECK_FALSE(executor::mosaic_in_epoch(s, 0));
  }
  // Mosaic changes what a stage trains, so --resume must see it; a stage without it keeps the
  // hash of checkpoints written before augmentation settings existed.
  CHECK(executor::stage_hash(with.stages[1]) != executor::stage_hash(without.stages[1]));
  executor::ExecStage bare = without.stages[1];
  bare.amp = true;
  CHECK(executor::stage_hash(bare) == executor::stage_hash(without.stages[1]));
}
