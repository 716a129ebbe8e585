// The planner's search is spanned by the model's recipes (profiles/data/recipes.json), not by
// constants: a `--profiles` override of the fine-tune recipe's epochs, batches, batch range,
// learning-rate scaling or high-resolution input changes the written plan, and a recipe may
// name the models it is for.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/input_error_of.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"
#include "trainplan/planner/search.hpp"

using namespace trainplan;
using namespace trainplan::planner;
using nlohmann::json;
using testing::contains;
using testing::input_error_of;

namespace {

constexpr const char* kFinetune = "yolo-world-coco-finetune";

// The embedded fine-tune recipe as an override file writes it: the published fields only, so
// that the search fields take their defaults unless a test sets them.
json finetune_override(const profiles::Catalog& c) {
  const auto& r = c.recipe(kFinetune);
  return {{"id", r.id},
          {"kind", r.kind},
          {"dataset", r.dataset},
          {"eval_dataset", r.eval_dataset},
          {"eval_interval_epochs", r.eval_interval_epochs},
          {"epochs", r.epochs},
          {"global_batch", r.global_batch},
          {"gpus", r.gpus},
          {"resolution", r.resolution.width_px},
          {"optimizer",
           {{"type", r.optimizer.type},
            {"lr", r.optimizer.lr},
            {"weight_decay", r.optimizer.weight_decay},
            {"warmup_epochs", r.optimizer.warmup_epochs}}},
          {"source", "override for a test"}};
}

profiles::Catalog with_recipes(const std::vector<json>& recipes) {
  auto c = profiles::Catalog::embedded();
  c.merge(json{{"recipes", json(recipes)}}, "override.json");
  return c;
}

// `trainplan plan --gpus 4 --budget 1d [--profiles override.json]`, as the written JSON.
Question four_gpus_one_day() {
  Question q;
  q.gpus = 4;
  q.budget_hours = 24;
  return q;
}

json written_plan(const profiles::Catalog& c, const Question& q,
                  std::optional<Strategy> strategy = std::nullopt) {
  return json::parse(to_json(plan_to_write(answer_question(c, q), strategy)).dump());
}

const Candidate& candidate_of(const std::vector<Candidate>& all, Strategy s) {
  for (const auto& c : all)
    if (c.strategy == s) return c;
  FAIL("no candidate for " << to_string(s));
  return all.front();
}

}  // namespace

TEST_CASE("every model uses the YOLO-World recipes unless a recipe names it") {
  const auto c = profiles::Catalog::embedded();
  for (const char* model : {"yolo-world-v2-l", "yolov8-m", "detr-r50"}) {
    CAPTURE(model);
    const auto recipes = recipes_for(c, model);
    // Ultralytics' families are pre-trained (from scratch) by their own COCO recipe.
    const bool ultralytics = std::string(model).rfind("yolov8", 0) == 0;
    CHECK(recipes.pretrain->id == (ultralytics ? "yolov5-coco" : "yolo-world-pretrain"));
    CHECK(recipes.finetune->id == kFinetune);
  }
}

TEST_CASE("from scratch on the task's own data set is one stage with the asked epochs") {
  const auto c = profiles::Catalog::embedded();
  const auto q = parse_question("YOLOv8s from scratch on COCO, 3 A100s, 500 epochs", c);
  const auto option = evaluate_strategy(c, q, Strategy::kPreTrain, 3);
  REQUIRE(option.stages.size() == 1);
  CHECK(option.stages[0].init == "scratch");
  CHECK(option.stages[0].dataset == "coco-train2017");
  CHECK(option.stages[0].scenario.epochs == 500);
  // On the asker's own data it is pre-training on COCO, then the fine-tune.
  const auto own = parse_question("YOLOv8s from scratch, my 20k images, 3 A100s", c);
  CHECK(evaluate_strategy(c, own, Strategy::kPreTrain, 3).stages.size() == 2);
}

TEST_CASE("a recipe naming a model id wins over one naming its family, which wins over any") {
  const auto base = profiles::Catalog::embedded();
  json family = finetune_override(base);
  family["id"] = "yolov8-finetune";
  family["models"] = {"yolov8"};
  json one = finetune_override(base);
  one["id"] = "yolov8m-finetune";
  one["models"] = {"yolov8-m"};
  const auto c = with_recipes({family, one});
  CHECK(recipes_for(c, "yolov8-m").finetune->id == "yolov8m-finetune");
  CHECK(recipes_for(c, "yolov8-s").finetune->id == "yolov8-finetune");
  CHECK(recipes_for(c, "yolo-world-v2-l").finetune->id == kFinetune);
  // Pre-training: Ultralytics' COCO recipe names the yolov8 family.
  CHECK(recipes_for(c, "yolov8-s").pretrain->id == "yolov5-coco");
  CHECK(recipes_for(c, "detr-r50").pretrain->id == "yolo-world-pretrain");
}

TEST_CASE("a model no recipe of a kind applies to is one clear error") {
  const auto base = profiles::Catalog::embedded();
  json only_yolo_world = finetune_override(base);
  only_yolo_world["models"] = {"yolo-world"};
  const auto c = with_recipes({only_yolo_world});
  CHECK(recipes_for(c, "yolo-world-v2-s").finetune->id == kFinetune);
  Question q = four_gpus_one_day();
  q.model_id = "yolov8-m";
  const std::string message = input_error_of([&] { answer_question(c, q); });
  CAPTURE(message);
  CHECK(contains(message, "no finetune recipe"));
  CHECK(contains(message, "\"yolov8-m\""));
  CHECK(contains(message, "\"models\""));
}

TEST_CASE("the default search writes the recipe's epochs and batch") {
  const auto c = profiles::Catalog::embedded();
  const json plan = written_plan(c, four_gpus_one_day());
  CHECK(plan["strategy"] == "finetune");
  REQUIRE(plan["stages"].size() == 1);
  const json& stage = plan["stages"][0];
  CHECK(stage["epochs"] == 80.0);
  // 4 GPUs x 32 (double the recipe's 16: clearly faster on V100s, and still the recipe's 128).
  CHECK(stage["global_batch"] == 128);
  CHECK(stage["lr"].get<double>() == doctest::Approx(0.0002));
}

TEST_CASE("overriding the fine-tune recipe's epochs and per-GPU batches changes the written plan") {
  const auto base = profiles::Catalog::embedded();
  json r = finetune_override(base);
  r["epochs"] = 40;
  r["epoch_shares"] = {1};
  r["per_gpu_batch_options"] = {8};
  const json plan = written_plan(with_recipes({r}), four_gpus_one_day());
  CHECK(plan["strategy"] == "finetune");
  REQUIRE(plan["stages"].size() == 1);
  const json& stage = plan["stages"][0];
  CHECK(stage["epochs"] == 40.0);
  CHECK(stage["global_batch"] == 4 * 8);
  CHECK(stage["lr"].get<double>() == doctest::Approx(0.0002 * 32 / 128));
}

TEST_CASE("epoch shares are shares of the recipe's epochs") {
  const auto base = profiles::Catalog::embedded();
  json r = finetune_override(base);
  r["epochs"] = 60;
  r["epoch_shares"] = {0.5};
  const json plan = written_plan(with_recipes({r}), four_gpus_one_day(), Strategy::kFineTune);
  CHECK(plan["stages"][0]["epochs"] == 30.0);
}

TEST_CASE("the recipe's global batch sets the default per-GPU batch and the learning rate") {
  const auto base = profiles::Catalog::embedded();
  json r = finetune_override(base);
  r["global_batch"] = 32;  // 4 per GPU on the recipe's 8 GPUs
  r["per_gpu_batch_options"] = {4};
  const json plan = written_plan(with_recipes({r}), four_gpus_one_day(), Strategy::kFineTune);
  const json& stage = plan["stages"][0];
  CHECK(stage["global_batch"] == 16);
  CHECK(stage["lr"].get<double>() == doctest::Approx(0.0002 * 16 / 32));
  // Without options the recipe's own per-GPU batch (32 / 8) comes first: 4 GPUs x 4 unless
  // half or double it is clearly faster.
  r.erase("per_gpu_batch_options");
  const auto c = with_recipes({r});
  CHECK(c.recipe(kFinetune).per_gpu_batch_options == std::vector<int>{4, 2, 8});
  const int batch =
      written_plan(c, four_gpus_one_day(), Strategy::kFineTune)["stages"][0]["global_batch"];
  CHECK((batch == 8 || batch == 16 || batch == 32));
}

TEST_CASE("lr_scaling decides how the learning rate follows the global batch") {
  const auto base = profiles::Catalog::embedded();
  json r = finetune_override(base);
  r["per_gpu_batch_options"] = {8};  // 4 GPUs: B = 32, a quarter of the recipe's 128
  auto lr_with = [&](const char* rule) {
    r["lr_scaling"] = rule;
    const json plan = written_plan(with_recipes({r}), four_gpus_one_day(), Strategy::kFineTune);
    REQUIRE(plan["stages"][0]["global_batch"] == 32);
    return plan["stages"][0]["lr"].get<double>();
  };
  CHECK(lr_with("linear") == doctest::Approx(0.0002 / 4));
  CHECK(lr_with("sqrt") == doctest::Approx(0.0002 / 2));
  CHECK(lr_with("none") == doctest::Approx(0.0002));
  CHECK(scaled_lr(base.recipe(kFinetune), 256) == doctest::Approx(0.0004));
}

TEST_CASE("max_global_batch_scale caps the GPUs one fine-tune uses") {
  const auto base = profiles::Catalog::embedded();
  Question q;
  q.gpus = 32;
  json r = finetune_override(base);
  r["per_gpu_batch_options"] = {16};
  // Default 4 x 128 = 512 images: all 32 GPUs x 16.
  auto all = search_strategies(with_recipes({r}), q);
  CHECK(candidate_of(all, Strategy::kFineTune).plan.stages.at(0).gpus == 32);
  // 1 x 128: at most 8 GPUs x 16.
  r["max_global_batch_scale"] = 1;
  all = search_strategies(with_recipes({r}), q);
  const auto& stage = candidate_of(all, Strategy::kFineTune).plan.stages.at(0);
  CHECK(stage.gpus == 8);
  CHECK(stage.global_batch == 128);
}

TEST_CASE("the high-resolution fine-tune takes the recipe's high_resolution and split") {
  const auto base = profiles::Catalog::embedded();
  Question q = four_gpus_one_day();
  auto side_of = [&](const profiles::Catalog& c) {
    return evaluate_strategy(c, q, Strategy::kHighResFineTune, 4)
        .stages.at(0)
        .scenario.resolution.width_px;
  };
  CHECK(side_of(base) == 1280);
  json r = finetune_override(base);
  r["high_resolution"] = 1024;
  CHECK(side_of(with_recipes({r})) == 1024);

  // An 800 input is high resolution for a 640 recipe, but not for a 1024 one.
  q.resolutions = {profiles::Resolution{800, 800}};
  auto all = search_strategies(base, q);
  CHECK(candidate_of(all, Strategy::kHighResFineTune).applicable);
  CHECK(candidate_of(all, Strategy::kFineTune).plan.stages.at(0).resolution.width_px == 640);
  r["resolution"] = 1024;
  r["high_resolution"] = 2048;
  all = search_strategies(with_recipes({r}), q);
  CHECK_FALSE(candidate_of(all, Strategy::kHighResFineTune).applicable);
  CHECK(candidate_of(all, Strategy::kFineTune).plan.stages.at(0).resolution.width_px == 800);
}
