#include "report_scaling.hpp"

#include <algorithm>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

const profiles::DatasetProfile* find_dataset(const profiles::Catalog& catalog,
                                             const std::string& id) {
  for (const auto& d : catalog.datasets())
    if (d.id == id) return &d;
  return nullptr;
}

// The stage as the cost model's scenario on `gpus` GPUs.
costmodel::Scenario scenario_on(const profiles::Catalog& catalog, const planner::Plan& plan,
                                const planner::PlanStage& s, int gpus) {
  costmodel::Scenario sc;
  sc.model_id = s.model;
  sc.gpu_id = plan.question.gpu;
  sc.gpus = gpus;
  const int per_node = std::max(1, plan.question.gpus_per_node);
  sc.nodes = gpus <= per_node ? 1 : gpus / per_node;
  const int per_gpu = std::max(1, s.global_batch / std::max(1, s.gpus));
  sc.global_batch = per_gpu * gpus;
  sc.resolution = s.resolution;
  sc.epochs = s.epochs;
  sc.amp = s.amp.value_or(false);
  sc.mosaic = s.augment ? s.augment->mosaic : false;
  sc.trainable = costmodel::parse_trainable(s.trainable, "trainable");
  sc.optimizer = s.optimizer.type;
  const auto* data = find_dataset(catalog, s.dataset);
  if (data) {
    sc.texts_per_image = data->texts_per_image;
    sc.source_image_pixels = data->mean_width_px * data->mean_height_px;
  }
  // The plan's own image count (a user's target data set may not be in the catalog).
  sc.images = std::max(1.0, double(s.prediction.iters_per_epoch) * s.global_batch);
  const auto* eval = s.eval_dataset.empty() ? nullptr : find_dataset(catalog, s.eval_dataset);
  if (eval && eval->images > 0) sc.eval_images = eval->images;
  return sc;
}

}  // namespace

const planner::PlanStage* main_stage(const planner::Plan& plan) {
  const planner::PlanStage* best = nullptr;
  for (const auto& s : plan.stages)
    if (s.prediction.total_seconds > 0 && s.epochs > 0 &&
        (!best || s.prediction.total_seconds > best->prediction.total_seconds))
      best = &s;
  return best;
}

std::vector<ScalingPoint> scaling_curve(const profiles::Catalog& catalog, const planner::Plan& plan,
                                        const planner::PlanStage& stage, int max_gpus) {
  const int per_node = std::max(1, plan.question.gpus_per_node);
  // The scenario rebuilt here lacks some of the recipe's settings (evaluation interval, ...):
  // scale the curve so that it passes through the plan's own prediction at its GPU count.
  double scale = 1;
  try {
    const auto own =
        costmodel::estimate(catalog, scenario_on(catalog, plan, stage, std::max(1, stage.gpus)));
    if (own.total_seconds > 0) scale = stage.prediction.total_seconds / own.total_seconds;
  } catch (const InputError&) {
    // the stage's GPU count has no whole number of nodes: keep the model's figures as they are
  }
  std::vector<ScalingPoint> out;
  for (int gpus = 1; gpus <= max_gpus; gpus *= 2) {
    if (gpus > per_node && gpus % per_node != 0) continue;
    try {
      const auto e = costmodel::estimate(catalog, scenario_on(catalog, plan, stage, gpus));
      const double price = plan.question.price_per_gpu_hour_usd;
      out.push_back({gpus, e.total_seconds * scale, e.total_seconds * scale / 3600 * gpus * price});
    } catch (const InputError&) {
      continue;  // a shape the cost model refuses (e.g. batch not divisible): no point
    }
  }
  return out;
}

}  // namespace trainplan::cli
