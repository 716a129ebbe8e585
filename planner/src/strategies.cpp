#include "trainplan/planner/strategies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "trainplan/error.hpp"

namespace trainplan::planner {

namespace {

// Everything a stage needs beyond the question.
struct StageSpec {
  std::string id, kind, name, stats_dataset, eval_dataset, init;
  std::vector<std::string> depends_on;
  const profiles::RecipeProfile* recipe = nullptr;
  double images = 0, epochs = 0, resolution = 0;
  int gpus = 1, per_gpu_batch = 0;
  bool keep_recipe_global_batch = false;
  costmodel::Trainable trainable = costmodel::Trainable::kAll;
};

// The recipe's preferred per-GPU batch, where one setting is wanted (the recipes' own settings,
// as in the inverse questions); by default its global_batch / gpus.
int recipe_per_gpu_batch(const profiles::RecipeProfile& recipe) {
  if (!recipe.per_gpu_batch_options.empty()) return recipe.per_gpu_batch_options.front();
  return int(std::clamp(std::floor(recipe.global_batch / recipe.gpus), 1.0, 65536.0));
}

// Clusters smaller than the recipe's keep its global batch for pre-training (the per-GPU share
// grows and is accumulated when it does not fit), rounded up to a multiple of the GPUs; other
// stages use the per-GPU batch times the GPUs.
int global_batch_for(const StageSpec& spec) {
  const int per_gpu = spec.per_gpu_batch > 0 ? spec.per_gpu_batch : recipe_per_gpu_batch(*spec.recipe);
  const int recipe_global = int(spec.recipe->global_batch);
  if (spec.keep_recipe_global_batch && spec.gpus * per_gpu < recipe_global)
    return (recipe_global + spec.gpus - 1) / spec.gpus * spec.gpus;
  return per_gpu * spec.gpus;
}

StageEstimate make_stage(const profiles::Catalog& catalog, const Question& q, const StageSpec& spec) {
  const auto& data = catalog.dataset(spec.stats_dataset);
  const auto& recipe = *spec.recipe;
  StageEstimate stage;
  stage.id = spec.id;
  stage.kind = spec.kind;
  stage.dataset = spec.name;
  stage.eval_dataset = spec.eval_dataset;
  stage.depends_on = spec.depends_on;
  stage.init = spec.init;
  stage.optimizer = recipe.optimizer.type;
  stage.weight_decay = recipe.optimizer.weight_decay;
  stage.momentum = recipe.optimizer.momentum;
  stage.warmup_epochs = recipe.optimizer.warmup_epochs;
  costmodel::Scenario& s = stage.scenario;
  s.model_id = q.model_id;
  s.gpu_id = q.gpu_id;
  s.gpus = spec.gpus;
  s.nodes = nodes_for(spec.gpus, q.gpus_per_node);
  s.global_batch = global_batch_for(spec);
  s.resolution = {spec.resolution, spec.resolution};
  s.images = spec.images;
  s.epochs = spec.epochs;
  s.amp = recipe.amp;
  s.mosaic = recipe.mosaic;
  // The recipe's count, whatever the stage's length (YOLO-World's configs keep it when
  // shortening), but never more than the stage has.
  if (recipe.mosaic)
    stage.close_mosaic_epochs = int(std::min<double>(recipe.close_mosaic_epochs, std::floor(spec.epochs)));
  s.texts_per_image = data.texts_per_image;
  s.source_image_pixels = data.mean_width_px * data.mean_height_px;
  s.optimizer = recipe.optimizer.type;
  s.trainable = spec.trainable;
  if (!spec.eval_dataset.empty() && catalog.dataset(spec.eval_dataset).images > 0) {
    s.eval_images = catalog.dataset(spec.eval_dataset).images;
    s.eval_interval_epochs = recipe.eval_interval_epochs;
  }
  stage.lr = scaled_lr(recipe, s.global_batch);
  stage.estimate = costmodel::estimate(catalog, s);
  if (q.price_per_gpu_hour_usd) stage.estimate.cost_usd = stage.estimate.gpu_hours * *q.price_per_gpu_hour_usd;
  return stage;
}

// How well a recipe's `models` matches a model: 3 its id, 2 its family, 1 any model (none
// listed), 0 not at all.
int match_of(const profiles::RecipeProfile& recipe, const profiles::ModelProfile& model) {
  if (recipe.models.empty()) return 1;
  int best = 0;
  for (const auto& name : recipe.models) {
    if (name == model.id) best = std::max(best, 3);
    if (name == model.family) best = std::max(best, 2);
  }
  return best;
}

const profiles::RecipeProfile& best_recipe(const profiles::Catalog& catalog,
                                           const profiles::ModelProfile& model,
                                           const std::string& kind) {
  const profiles::RecipeProfile* best = nullptr;
  int best_match = 0;
  for (const auto& recipe : catalog.recipes()) {
    if (recipe.kind != kind) continue;
    // Strictly better only: the earlier of equal matches wins (embedded before added).
    const int match = match_of(recipe, model);
    if (match > best_match) best = &recipe, best_match = match;
  }
  if (!best)
    throw InputError(fmt::format(
        "no {} recipe applies to model \"{}\" (family \"{}\"): add one to a --profiles file "
        "with \"models\": [\"{}\"], or one without \"models\" (trainplan profiles list recipes)",
        kind, model.id, model.family, model.id));
  return *best;
}

costmodel::Trainable trainable_of(Strategy s) {
  if (s == Strategy::kPromptTune) return costmodel::Trainable::kEmbeddings;
  if (s == Strategy::kFrozenFineTune) return costmodel::Trainable::kFrozenBackbone;
  return costmodel::Trainable::kAll;
}

}  // namespace

ModelRecipes recipes_for(const profiles::Catalog& catalog, const std::string& model_id) {
  const auto& model = catalog.model(model_id);
  return {&best_recipe(catalog, model, "pretrain"), &best_recipe(catalog, model, "finetune")};
}

double scaled_lr(const profiles::RecipeProfile& recipe, double global_batch) {
  const double ratio = global_batch / recipe.global_batch;
  // Linear (Goyal et al. 2017) was the planner's only rule before recipes chose one; square
  // root keeps the update's noise level (Krizhevsky 2014) and is often used with Adam-type
  // optimizers; none keeps the recipe's rate, for recipes tuned at one batch only.
  if (recipe.lr_scaling == "sqrt") return recipe.optimizer.lr * std::sqrt(ratio);
  if (recipe.lr_scaling == "none") return recipe.optimizer.lr;
  return recipe.optimizer.lr * ratio;
}

const std::vector<Strategy>& all_strategies() {
  static const std::vector<Strategy> all = {
      Strategy::kZeroShot,         Strategy::kPromptTune,   Strategy::kFineTune,
      Strategy::kFrozenFineTune,   Strategy::kHighResFineTune, Strategy::kProgressive,
      Strategy::kPreTrain};
  return all;
}

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kZeroShot: return "zero-shot";
    case Strategy::kPromptTune: return "prompt-tune";
    case Strategy::kFineTune: return "finetune";
    case Strategy::kFrozenFineTune: return "finetune-frozen-backbone";
    case Strategy::kHighResFineTune: return "highres-finetune";
    case Strategy::kProgressive: return "progressive";
    case Strategy::kPreTrain: return "pretrain";
  }
  return "finetune";
}

Strategy parse_strategy(const std::string& text, const std::string& what) {
  std::string accepted;
  for (Strategy s : all_strategies()) {
    if (text == to_string(s)) return s;
    accepted += (accepted.empty() ? "" : ", ") + std::string(to_string(s));
  }
  throw InputError(fmt::format("{}: \"{}\" is not accepted; expected one of: {}", what, text, accepted));
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
  } else if (q.task == "objects365") {
    // The question reader's name for the Objects365 task; evaluated as pre-training is, on LVIS.
    t.train_dataset = "objects365v1";
    t.eval_dataset = "lvis-minival";
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

std::vector<std::string> target_names(const profiles::Catalog& catalog, const Question& q) {
  if (!q.targets.empty()) return q.targets;
  if (q.task == "custom") return {"custom"};
  return {task_data(catalog, q).train_dataset};
}

StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& q,
                                 Strategy strategy, const StrategyConfig& config) {
  StrategyOption option;
  option.strategy = strategy;
  option.gpus = config.gpus;
  if (strategy == Strategy::kZeroShot) {
    StageEstimate stage;
    stage.id = "zero-shot";
    stage.kind = "zero-shot";
    stage.dataset = q.task == "general" || q.task == "lvis" ? "lvis-minival" : "coco-val2017";
    stage.init = "pretrained:" + q.model_id;
    stage.scenario.model_id = q.model_id;
    stage.scenario.gpu_id = q.gpu_id;
    stage.scenario.gpus = config.gpus;
    stage.scenario.global_batch = 0;
    stage.scenario.epochs = 0;
    stage.estimate.fits_memory = true;
    option.stages.push_back(stage);
    return option;
  }
  const ModelRecipes recipes = recipes_for(catalog, q.model_id);
  const auto& finetune = *recipes.finetune;
  const auto& pretrain = *recipes.pretrain;
  const TaskData task = task_data(catalog, q);
  const auto& corpus = catalog.dataset(pretrain.dataset);
  const double default_resolution = strategy == Strategy::kHighResFineTune
                                        ? finetune.high_resolution.width_px
                                        : finetune.resolution.width_px;

  std::string init = "pretrained:" + q.model_id;
  std::vector<std::string> first_stage;
  // Pre-training on the task's own data set (YOLOv8 from scratch on COCO) is the whole
  // training: no fine-tune follows, and the asker's epochs are its epochs.
  const bool pretrained_on_task = strategy == Strategy::kPreTrain && q.targets.empty() &&
                                  q.task != "custom" && q.task != "general" &&
                                  pretrain.dataset == task.train_dataset;
  if (strategy == Strategy::kPreTrain || strategy == Strategy::kProgressive) {
    StageSpec spec;
    spec.id = strategy == Strategy::kPreTrain ? "pretrain" : "continue-pretrain";
    spec.kind = strategy == Strategy::kPreTrain ? "pretrain" : "progressive";
    spec.name = spec.stats_dataset = pretrain.dataset;
    spec.eval_dataset = pretrain.eval_dataset;
    spec.init = strategy == Strategy::kPreTrain ? "scratch" : init;
    spec.recipe = &pretrain;
    spec.images = corpus.images;
    spec.epochs = strategy == Strategy::kPreTrain
                      ? (pretrained_on_task && q.epochs ? *q.epochs : pretrain.epochs)
                      : std::max(1.0, std::round(pretrain.epochs * kProgressiveShare));
    spec.resolution = config.resolution > 0 ? config.resolution : pretrain.resolution.width_px;
    spec.gpus = config.gpus;
    spec.per_gpu_batch = config.per_gpu_batch;
    spec.keep_recipe_global_batch = true;
    option.stages.push_back(make_stage(catalog, q, spec));
    init = "stage:" + spec.id;
    first_stage = {spec.id};
  }
  // General detection has no target data: pre-training stages only.
  if ((q.task != "general" || option.stages.empty()) && !pretrained_on_task) {
    const auto targets = target_names(catalog, q);
    for (size_t i = 0; i < targets.size(); ++i) {
      StageSpec spec;
      spec.id = targets.size() == 1 ? "finetune" : "finetune-" + targets[i];
      spec.kind = strategy == Strategy::kPromptTune ? "prompt-tune" : "finetune";
      spec.name = targets[i];
      spec.stats_dataset = task.train_dataset;
      spec.eval_dataset = task.eval_dataset;
      spec.init = init;
      spec.depends_on = first_stage;
      spec.recipe = &finetune;
      spec.images = task.images;
      spec.epochs = config.finetune_epochs > 0 ? config.finetune_epochs : finetune.epochs;
      spec.resolution = config.resolution > 0 ? config.resolution : default_resolution;
      spec.gpus = config.target_gpus > 0 ? config.target_gpus : config.gpus;
      spec.per_gpu_batch = config.per_gpu_batch;
      spec.trainable = trainable_of(strategy);
      option.stages.push_back(make_stage(catalog, q, spec));
    }
  }
  for (const auto& stage : option.stages) {
    option.total_seconds += stage.estimate.total_seconds;
    option.gpu_hours += stage.estimate.gpu_hours;
    option.cost_usd += stage.estimate.cost_usd;
    option.fits_memory = option.fits_memory && stage.estimate.fits_memory;
  }
  return option;
}

StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& q,
                                 Strategy strategy, int gpus) {
  StrategyConfig config;
  config.gpus = gpus;
  return evaluate_strategy(catalog, q, strategy, config);
}

std::vector<int> gpu_count_ladder(int max_gpus) {
  std::vector<int> ladder;
  for (int gpus = 1; gpus < max_gpus;) {
    ladder.push_back(gpus);
    if (gpus < 8) ++gpus;
    else if (gpus < 512) gpus += 8;
    else gpus = (gpus + gpus / 10 + 7) / 8 * 8;
  }
  if (max_gpus >= 1) ladder.push_back(max_gpus);
  return ladder;
}

int fewest_gpus_within(const profiles::Catalog& catalog, const Question& q, Strategy strategy,
                       double hours, int max_gpus, const StrategyConfig* base) {
  // Time falls with GPUs, so a binary search over the rentable counts finds the fewest.
  const std::vector<int> ladder = gpu_count_ladder(max_gpus);
  auto meets = [&](int gpus) {
    // The candidate's input size and per-GPU batch, at the recipe's full schedule.
    StrategyConfig config;
    if (base) {
      config.resolution = base->resolution;
      config.per_gpu_batch = base->per_gpu_batch;
    }
    config.gpus = gpus;
    StrategyOption option = evaluate_strategy(catalog, q, strategy, config);
    return option.fits_memory && option.total_seconds <= hours * 3600.0;
  };
  if (ladder.empty() || !meets(ladder.back())) return 0;
  size_t lo = 0, hi = ladder.size() - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (meets(ladder[mid])) hi = mid; else lo = mid + 1;
  }
  return ladder[lo];
}

}  // namespace trainplan::planner
