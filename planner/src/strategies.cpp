#include "trainplan/planner/strategies.hpp"

#include <cmath>

#include "trainplan/error.hpp"

namespace trainplan::planner {

namespace {

constexpr const char* kPretrainRecipe = "yolo-world-pretrain";
constexpr const char* kFinetuneRecipe = "yolo-world-coco-finetune";
// Progressive training continues the pre-trained model on the pre-training data for a tenth
// of the pre-training schedule before the task fine-tune (DESIGN section 1).
constexpr double kProgressiveShare = 0.1;
// A recipe's per-GPU batch is kept when the GPU count changes.
int per_gpu_batch(const profiles::RecipeProfile& recipe) {
  return std::max(1, int(recipe.global_batch / recipe.gpus));
}

// Clusters smaller than the recipe's keep its global batch (the per-GPU share grows and is
// accumulated when it does not fit), rounded up to a multiple of the GPUs; larger clusters
// keep the recipe's per-GPU batch, so the global batch grows with them.
int global_batch_for(const profiles::RecipeProfile& recipe, int gpus, bool keep_global) {
  const int recipe_global = int(recipe.global_batch);
  if (keep_global && gpus * per_gpu_batch(recipe) <= recipe_global) {
    int rounded = (recipe_global + gpus - 1) / gpus * gpus;
    return rounded;
  }
  return per_gpu_batch(recipe) * gpus;
}

StageEstimate make_stage(const profiles::Catalog& catalog, const Question& q, int gpus,
                         const std::string& id, const std::string& kind,
                         const profiles::RecipeProfile& recipe, const std::string& dataset_id,
                         const std::string& eval_dataset_id, double images, double epochs,
                         bool keep_global_batch) {
  const auto& dataset = catalog.dataset(dataset_id);
  StageEstimate stage;
  stage.id = id;
  stage.kind = kind;
  stage.dataset = dataset_id;
  costmodel::Scenario& s = stage.scenario;
  s.model_id = q.model_id;
  s.gpu_id = q.gpu_id;
  s.gpus = gpus;
  s.nodes = nodes_for(gpus, q.gpus_per_node);
  s.global_batch = global_batch_for(recipe, gpus, keep_global_batch);
  s.resolution = recipe.resolution;
  s.images = images;
  s.epochs = epochs;
  s.amp = recipe.amp;
  s.mosaic = recipe.mosaic;
  s.texts_per_image = dataset.texts_per_image;
  s.source_image_pixels = dataset.mean_width_px * dataset.mean_height_px;
  s.optimizer = recipe.optimizer.type;
  if (!eval_dataset_id.empty()) {
    s.eval_images = catalog.dataset(eval_dataset_id).images;
    s.eval_interval_epochs = recipe.eval_interval_epochs;
  }
  stage.estimate = costmodel::estimate(catalog, s);
  return stage;
}

}  // namespace

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kZeroShot: return "zero-shot";
    case Strategy::kFineTune: return "finetune";
    case Strategy::kPreTrain: return "pretrain";
    case Strategy::kProgressive: return "progressive";
  }
  return "finetune";
}

int nodes_for(int gpus, int per_node) {
  int nodes = (gpus + per_node - 1) / per_node;
  while (gpus % nodes != 0) ++nodes;
  return nodes;
}

TaskData task_data(const profiles::Catalog& catalog, const Question& q) {
  TaskData t;
  if (q.task == "coco" || q.task == "general" || q.task == "custom") {
    // A custom task is estimated as COCO-like images at the question's image count.
    t.train_dataset = "coco-train2017";
    t.eval_dataset = "coco-val2017";
  } else if (q.task == "lvis") {
    t.train_dataset = "lvis-train";
    t.eval_dataset = "lvis-minival";
  } else {
    t.train_dataset = catalog.dataset(q.task).id;  // throws with the closest ids
  }
  t.images = q.images ? *q.images : catalog.dataset(t.train_dataset).images;
  if (q.task == "custom" && q.images) t.eval_dataset.clear();
  return t;
}

StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& q,
                                 Strategy strategy, int gpus) {
  StrategyOption option;
  option.strategy = strategy;
  option.gpus = gpus;
  if (strategy == Strategy::kZeroShot) return option;

  const auto& finetune = catalog.recipe(kFinetuneRecipe);
  const auto& pretrain = catalog.recipe(kPretrainRecipe);
  const TaskData task = task_data(catalog, q);
  const auto& corpus = catalog.dataset(pretrain.dataset);

  if (strategy == Strategy::kPreTrain) {
    option.stages.push_back(make_stage(catalog, q, gpus, "pretrain", "pretrain", pretrain,
                                       pretrain.dataset, pretrain.eval_dataset, corpus.images,
                                       pretrain.epochs, /*keep_global_batch=*/true));
  } else if (strategy == Strategy::kProgressive) {
    option.stages.push_back(make_stage(
        catalog, q, gpus, "continue-pretrain", "progressive", pretrain, pretrain.dataset,
        pretrain.eval_dataset, corpus.images,
        std::max(1.0, std::round(pretrain.epochs * kProgressiveShare)), true));
  }
  option.stages.push_back(make_stage(catalog, q, gpus, "finetune", "finetune", finetune,
                                     task.train_dataset, task.eval_dataset, task.images,
                                     finetune.epochs, /*keep_global_batch=*/false));
  for (const auto& stage : option.stages) {
    option.total_seconds += stage.estimate.total_seconds;
    option.gpu_hours += stage.estimate.gpu_hours;
    option.cost_usd += stage.estimate.cost_usd;
    option.fits_memory = option.fits_memory && stage.estimate.fits_memory;
  }
  return option;
}

int fewest_gpus_within(const profiles::Catalog& catalog, const Question& q, Strategy strategy,
                       double hours, int max_gpus) {
  // Counts a user can rent: 1-8 in one server, then whole servers.
  for (int gpus = 1; gpus <= max_gpus; gpus = gpus < 8 ? gpus + 1 : gpus + 8) {
    StrategyOption option = evaluate_strategy(catalog, q, strategy, gpus);
    if (option.fits_memory && option.total_seconds <= hours * 3600.0) return gpus;
  }
  return 0;
}

}  // namespace trainplan::planner
