// Pins down issue acceptance 1: with the embedded profiles alone the cost model reproduces
// the DESIGN section 1 ground truths. Each range is checked twice: from a Scenario built by
// hand, and from the planner's strategy for the same question.
//   COCO fine-tune, 80 epochs, 4 x V100 32 GB, global batch 64   -> 16-30 h ("within 1 day")
//   the same on 8 GPUs, global batch 128                          -> 8-14 h (0.48-0.50 s/iter)
//   pre-train, 100 epochs of O365v1+GoldG, 32 GPUs (4 nodes), 512 -> 36-60 h (1.5-2.5 days)
//   the same pre-train on 4 GPUs                                  -> at least 10 days
#include <doctest/doctest.h>

#include <string>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/planner/strategies.hpp"

using trainplan::costmodel::Estimate;
using trainplan::costmodel::Scenario;
using trainplan::planner::Question;
using trainplan::planner::Strategy;
using trainplan::profiles::Catalog;

namespace {

constexpr double kHour = 3600, kDay = 24 * kHour;

Scenario coco_finetune(const Catalog& c, int gpus, int global_batch) {
  const auto& data = c.dataset("coco-train2017");
  Scenario s;
  s.model_id = "yolo-world-v2-l";
  s.gpu_id = "v100-sxm2-32gb";
  s.gpus = gpus;
  s.nodes = 1;
  s.global_batch = global_batch;
  s.resolution = {640, 640};
  s.images = 118287;
  s.epochs = 80;
  s.texts_per_image = data.texts_per_image;
  s.source_image_pixels = data.mean_width_px * data.mean_height_px;
  s.eval_images = c.dataset("coco-val2017").images;
  s.eval_interval_epochs = 5;
  return s;
}

Scenario pretrain(const Catalog& c, int gpus, int nodes) {
  const auto& data = c.dataset("o365v1-goldg");
  Scenario s;
  s.model_id = "yolo-world-v2-l";
  s.gpu_id = "v100-sxm2-32gb";
  s.gpus = gpus;
  s.nodes = nodes;
  s.global_batch = 512;
  s.resolution = {640, 640};
  s.images = 1378880;
  s.epochs = 100;
  s.texts_per_image = data.texts_per_image;
  s.source_image_pixels = data.mean_width_px * data.mean_height_px;
  s.eval_images = c.dataset("lvis-minival").images;
  s.eval_interval_epochs = 10;
  return s;
}

// The stage of a planner strategy on `gpus` GPUs that trains like the strategy's name (the
// pre-train strategy also fine-tunes afterwards).
trainplan::planner::StageEstimate planner_stage(const Catalog& c, Strategy strategy, int gpus) {
  Question q;
  q.gpus = gpus;
  q.gpu_id = "v100-sxm2-32gb";
  q.model_id = "yolo-world-v2-l";
  q.task = "coco";
  auto option = trainplan::planner::evaluate_strategy(c, q, strategy, gpus);
  CHECK(option.fits_memory);
  double sum = 0;
  for (const auto& stage : option.stages) sum += stage.estimate.total_seconds;
  CHECK(option.total_seconds == doctest::Approx(sum));
  const std::string wanted = strategy == Strategy::kPreTrain ? "pretrain" : "finetune";
  for (const auto& stage : option.stages)
    if (stage.kind == wanted) return stage;
  FAIL("strategy has no " << wanted << " stage");
  return {};
}

}  // namespace

TEST_CASE("COCO fine-tune on 4 V100s takes 16-30 hours") {
  const Catalog c = Catalog::embedded();
  const Estimate e = estimate(c, coco_finetune(c, 4, 64));
  CAPTURE(e.total_seconds / kHour);
  CHECK(e.fits_memory);
  CHECK(e.per_gpu_batch == 16);
  CHECK(e.iters_per_epoch == 1849);
  CHECK(e.total_seconds >= 16 * kHour);
  CHECK(e.total_seconds <= 30 * kHour);
}

TEST_CASE("COCO fine-tune on 8 V100s takes 8-14 hours, the published 10-12 h within its range") {
  const Catalog c = Catalog::embedded();
  const Estimate e = estimate(c, coco_finetune(c, 8, 128));
  CAPTURE(e.total_seconds / kHour);
  CAPTURE(e.seconds_per_iter);
  CHECK(e.iters_per_epoch == 925);
  CHECK(e.total_seconds >= 8 * kHour);
  CHECK(e.total_seconds <= 14 * kHour);
  // The logs behind 0.48-0.50 s/iter name no GPU (row YW07) or an A800 (YW08): on V100 the
  // fitted model is slower, with the maintainers' "about 10-12 h" inside its likely range.
  CHECK(e.total_seconds_p10 <= 12 * kHour);
  CHECK(e.total_seconds_p90 >= 10 * kHour);
  CHECK(e.seconds_per_iter <= 0.70);
}

TEST_CASE("the same fine-tune on 8 A800s runs at about 0.5 s/iter, as row YW08 measured") {
  const Catalog c = Catalog::embedded();
  Scenario s = coco_finetune(c, 8, 128);
  s.gpu_id = "a800-sxm4-80gb";
  const Estimate e = estimate(c, s);
  CAPTURE(e.seconds_per_iter);
  CHECK(e.seconds_per_iter >= 0.40);
  CHECK(e.seconds_per_iter <= 0.60);
}

TEST_CASE("pre-training on 32 V100s over 4 nodes takes 36-60 hours") {
  const Catalog c = Catalog::embedded();
  const Estimate e = estimate(c, pretrain(c, 32, 4));
  CAPTURE(e.total_seconds / kHour);
  CHECK(e.fits_memory);
  CHECK(e.per_gpu_batch == 16);
  CHECK(e.total_seconds >= 36 * kHour);
  CHECK(e.total_seconds <= 60 * kHour);
}

TEST_CASE("pre-training on 4 V100s takes at least 10 days") {
  const Catalog c = Catalog::embedded();
  const Estimate four = estimate(c, pretrain(c, 4, 1));
  const Estimate thirty_two = estimate(c, pretrain(c, 32, 4));
  CAPTURE(four.total_seconds / kDay);
  CHECK(four.per_gpu_batch == 128);
  CHECK(four.total_seconds >= 10 * kDay);
  // "Significantly longer": at least about the 8x that the GPU count alone gives.
  CHECK(four.total_seconds >= 6 * thirty_two.total_seconds);
}

TEST_CASE("the planner's fine-tune strategy gives the same ranges") {
  const Catalog c = Catalog::embedded();
  const auto four = planner_stage(c, Strategy::kFineTune, 4);
  CAPTURE(four.estimate.total_seconds / kHour);
  CHECK(four.scenario.global_batch == 64);
  CHECK(four.scenario.epochs == 80);
  CHECK(four.estimate.total_seconds >= 16 * kHour);
  CHECK(four.estimate.total_seconds <= 30 * kHour);
  const auto eight = planner_stage(c, Strategy::kFineTune, 8);
  CAPTURE(eight.estimate.total_seconds / kHour);
  CHECK(eight.scenario.global_batch == 128);
  CHECK(eight.estimate.total_seconds >= 8 * kHour);
  CHECK(eight.estimate.total_seconds <= 14 * kHour);
}

TEST_CASE("the planner's pre-train strategy gives the same ranges") {
  const Catalog c = Catalog::embedded();
  const auto cluster = planner_stage(c, Strategy::kPreTrain, 32);
  CAPTURE(cluster.estimate.total_seconds / kHour);
  CHECK(cluster.scenario.nodes == 4);
  CHECK(cluster.scenario.global_batch == 512);
  CHECK(cluster.scenario.images == 1378880);
  CHECK(cluster.scenario.epochs == 100);
  CHECK(cluster.estimate.total_seconds >= 36 * kHour);
  CHECK(cluster.estimate.total_seconds <= 60 * kHour);
  const auto small = planner_stage(c, Strategy::kPreTrain, 4);
  CAPTURE(small.estimate.total_seconds / kDay);
  CHECK(small.scenario.global_batch == 512);
  CHECK(small.estimate.total_seconds >= 10 * kDay);
}

TEST_CASE("hand-built and planner scenarios agree") {
  const Catalog c = Catalog::embedded();
  const double by_hand = estimate(c, coco_finetune(c, 8, 128)).total_seconds;
  const double by_planner = planner_stage(c, Strategy::kFineTune, 8).estimate.total_seconds;
  CHECK(by_planner == doctest::Approx(by_hand).epsilon(0.05));
  const double pre_by_hand = estimate(c, pretrain(c, 32, 4)).total_seconds;
  const double pre_by_planner = planner_stage(c, Strategy::kPreTrain, 32).estimate.total_seconds;
  CHECK(pre_by_planner == doctest::Approx(pre_by_hand).epsilon(0.05));
}
