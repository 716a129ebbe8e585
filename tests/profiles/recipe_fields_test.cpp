// The recipe fields that steer the planner's search (docs/formats.md, "Recipes"): the embedded
// fine-tune recipe states today's search, a recipe file without them still loads with those
// defaults, and each bad value is one InputError naming the file, the JSON path, the value and
// what is accepted.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/input_error_of.hpp"
#include "trainplan/error.hpp"
#include "trainplan/profiles/catalog.hpp"

using nlohmann::json;
using trainplan::profiles::Catalog;
using trainplan::testing::contains;
using trainplan::testing::input_error_of;

namespace {

// A recipe written the way override files were before the search fields existed.
json plain_recipe(const std::string& id, double global_batch, double gpus) {
  return {{"id", id},
          {"kind", "finetune"},
          {"dataset", "coco-train2017"},
          {"epochs", 24},
          {"global_batch", global_batch},
          {"gpus", gpus},
          {"resolution", 640},
          {"optimizer", {{"type", "sgd"}, {"lr", 0.02}}},
          {"source", "unit test"}};
}

Catalog with_recipe(const json& recipe) {
  Catalog c = Catalog::embedded();
  c.merge(json{{"recipes", json::array({recipe})}}, "override.json");
  return c;
}

// The message merging `recipe` gives, or a marker when it loads.
std::string error_of(const json& recipe) {
  return input_error_of([&] { with_recipe(recipe); });
}

}  // namespace

TEST_CASE(
    "the embedded YOLO-World fine-tune recipe states the search the planner used to hard-code") {
  const auto c = Catalog::embedded();
  const auto& r = c.recipe("yolo-world-coco-finetune");
  CHECK(r.per_gpu_batch_options == std::vector<int>{16, 8, 32});
  CHECK(r.epoch_shares == std::vector<double>{1.0, 0.75, 0.5});
  CHECK(r.max_global_batch_scale == 4);
  CHECK(r.lr_scaling == "linear");
  CHECK(r.high_resolution.width_px == 1280);
  CHECK(r.models.empty());  // for any model, as before
  CHECK(c.recipe("yolo-world-pretrain").lr_scaling == "linear");
}

TEST_CASE("a recipe without the search fields loads with the defaults") {
  const auto c = with_recipe(plain_recipe("my-finetune", 64, 8));
  const auto& r = c.recipe("my-finetune");
  // Its own per-GPU batch (64 / 8) first, then half and double it.
  CHECK(r.per_gpu_batch_options == std::vector<int>{8, 4, 16});
  CHECK(r.epoch_shares == std::vector<double>{1.0, 0.75, 0.5});
  CHECK(r.max_global_batch_scale == 4);
  CHECK(r.lr_scaling == "linear");
  CHECK(r.high_resolution.width_px == 1280);
  CHECK(r.models.empty());
  // One image per GPU has no half.
  CHECK(with_recipe(plain_recipe("tiny", 8, 8)).recipe("tiny").per_gpu_batch_options ==
        std::vector<int>{1, 2});
  // The embedded YOLOv5 recipe gives none of the fields either.
  CHECK(Catalog::embedded().recipe("yolov5-coco").per_gpu_batch_options ==
        std::vector<int>{64, 32, 128});
}

TEST_CASE("the search fields are read as given") {
  json r = plain_recipe("my-finetune", 64, 8);
  r["per_gpu_batch_options"] = {4, 12};
  r["epoch_shares"] = {0.5, 1};
  r["max_global_batch_scale"] = 2.5;
  r["lr_scaling"] = "sqrt";
  r["high_resolution"] = "1024x768";
  r["models"] = {"yolov8", "yolo-world-v2-l"};
  const auto c = with_recipe(r);
  const auto& got = c.recipe("my-finetune");
  CHECK(got.per_gpu_batch_options == std::vector<int>{4, 12});
  CHECK(got.epoch_shares == std::vector<double>{0.5, 1.0});
  CHECK(got.max_global_batch_scale == 2.5);
  CHECK(got.lr_scaling == "sqrt");
  CHECK(got.high_resolution.width_px == 1024);
  CHECK(got.high_resolution.height_px == 768);
  CHECK(got.models == std::vector<std::string>{"yolov8", "yolo-world-v2-l"});
  r["lr_scaling"] = "none";
  CHECK(with_recipe(r).recipe("my-finetune").lr_scaling == "none");
}

TEST_CASE("bad search fields name the file, the JSON path, the value and what is accepted") {
  struct Case {
    const char* key;
    json value;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"per_gpu_batch_options", json::array(), {"$.recipes[0].per_gpu_batch_options", "non-empty"}},
      {"per_gpu_batch_options", 16, {"$.recipes[0].per_gpu_batch_options", "array", "16"}},
      {"per_gpu_batch_options",
       {16, 8.5},
       {"$.recipes[0].per_gpu_batch_options[1]", "8.5", "whole number"}},
      {"per_gpu_batch_options", {16, 0}, {"$.recipes[0].per_gpu_batch_options[1]", "1 to 65536"}},
      {"per_gpu_batch_options", {16, "8"}, {"$.recipes[0].per_gpu_batch_options[1]", "\"8\""}},
      {"per_gpu_batch_options",
       {16, 8, 16},
       {"$.recipes[0].per_gpu_batch_options[2]", "16", "twice"}},
      {"epoch_shares", {1, 1.5}, {"$.recipes[0].epoch_shares[1]", "1.5", "at most 1"}},
      {"epoch_shares", {0}, {"$.recipes[0].epoch_shares[0]", "above 0"}},
      {"max_global_batch_scale", 0.5, {"$.recipes[0].max_global_batch_scale", "0.5", ">= 1"}},
      {"max_global_batch_scale", "4", {"$.recipes[0].max_global_batch_scale", "number"}},
      {"lr_scaling", "cubic", {"$.recipes[0].lr_scaling", "\"cubic\"", "linear, sqrt, none"}},
      {"high_resolution", 320, {"$.recipes[0].high_resolution", "320", "not larger", "640"}},
      {"high_resolution", "big", {"$.recipes[0].high_resolution", "big"}},
      {"models", {3}, {"$.recipes[0].models[0]", "3", "model id or family"}},
      {"models", {"yolov88"}, {"recipe \"bad\" models", "\"yolov88\"", "yolov8"}},
      {"per_gpu_batch",
       16,
       {"$.recipes[0].per_gpu_batch", "unknown field", "per_gpu_batch_options"}},
  };
  for (const auto& c : cases) {
    json r = plain_recipe("bad", 64, 8);
    r[c.key] = c.value;
    const std::string message = error_of(r);
    CAPTURE(message);
    CHECK(contains(message, "override.json"));
    for (const auto& part : c.parts) {
      CAPTURE(part);
      CHECK(contains(message, part));
    }
  }
}

TEST_CASE("a recipe's models may name model ids and families") {
  json r = plain_recipe("for-some", 64, 8);
  r["models"] = {"yolov8", "yolox-s"};
  CHECK(with_recipe(r).recipe("for-some").models.size() == 2);
}
