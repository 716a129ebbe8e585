#pragma once
// Training strategies (DESIGN section 1): each turns a question and a configuration into
// stages with the cost model's estimates.
#include <string>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/planner/question.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// Progressive training continues the pre-trained model on the pre-training data for a tenth
/// of the pre-training schedule before the task fine-tune (DESIGN section 1).
constexpr double kProgressiveShare = 0.1;

/// The strategies the planner weighs.
enum class Strategy {
  kZeroShot,         ///< the pre-trained weights as they are (open vocabulary)
  kPromptTune,       ///< only the class embeddings train; keeps zero-shot ability
  kFineTune,         ///< from pre-trained weights on the target data, all weights
  kFrozenFineTune,   ///< the same with the backbone frozen
  kHighResFineTune,  ///< fine-tune above the recipe's input (its high_resolution by default)
  kProgressive,      ///< continue pre-training a changed model briefly, then fine-tune
  kPreTrain,         ///< pre-train from scratch, then fine-tune
};

/// Every strategy, in the order answers list them.
const std::vector<Strategy>& all_strategies();

/// The name used in answers and plan files: zero-shot, prompt-tune, finetune,
/// finetune-frozen-backbone, highres-finetune, progressive, pretrain.
const char* to_string(Strategy strategy);

/// Parses a strategy name; throws InputError naming `what` with the accepted names.
Strategy parse_strategy(const std::string& text, const std::string& what);

/// The two recipes a model's strategies are built from.
struct ModelRecipes {
  const profiles::RecipeProfile* pretrain = nullptr;  ///< pre-training and progressive stages
  const profiles::RecipeProfile* finetune = nullptr;  ///< target fine-tunes; drives the search
};

/// The recipes for a model: for each kind, the first recipe whose `models` names the model's
/// id, else the first naming its family, else the first for any model (no `models`). Throws
/// InputError when no recipe of a kind applies.
ModelRecipes recipes_for(const profiles::Catalog& catalog, const std::string& model_id);

/// The recipe's learning rate at `global_batch`, by its `lr_scaling` rule (linear, sqrt, none)
/// from the recipe's own global batch.
double scaled_lr(const profiles::RecipeProfile& recipe, double global_batch);

/// The searched parameters of one candidate.
struct StrategyConfig {
  int gpus = 1;                 ///< GPUs for single-stage work and for pre-training stages
  int target_gpus = 0;          ///< GPUs of each target fine-tune (0 = `gpus`)
  double resolution = 0;        ///< input side of the fine-tune (0 = the strategy's default)
  double finetune_epochs = 0;   ///< 0 = the recipe's
  int per_gpu_batch = 0;        ///< 0 = the recipe's
};

/// One stage of a strategy with its settings and the cost model's estimate.
struct StageEstimate {
  std::string id;        ///< e.g. "pretrain", "finetune", "finetune-target-2"
  std::string kind;      ///< DESIGN 3.6 stage kind
  std::string dataset;   ///< dataset id or the user's target name
  std::string eval_dataset;
  std::vector<std::string> depends_on;
  std::string init;      ///< scratch, pretrained:<model>, stage:<id>
  std::string optimizer;
  double weight_decay = 0, momentum = 0, warmup_epochs = 0;
  double lr = 0;         ///< scaled to the stage's global batch by the recipe's lr_scaling
  /// Last epochs without mosaic (the recipe's; scenario.mosaic says whether there is mosaic).
  int close_mosaic_epochs = 0;
  costmodel::Scenario scenario;
  costmodel::Estimate estimate;
};

/// A strategy evaluated with one configuration; stages in dependency order.
struct StrategyOption {
  Strategy strategy = Strategy::kFineTune;
  int gpus = 0;
  std::vector<StageEstimate> stages;  ///< one evaluation-only stage for zero-shot
  double total_seconds = 0;           ///< stages one after another
  double gpu_hours = 0;
  double cost_usd = 0;
  bool fits_memory = true;
};

/// The data sets a task trains and evaluates on.
struct TaskData {
  std::string train_dataset;  ///< dataset id whose statistics the estimate uses
  std::string eval_dataset;   ///< dataset id, may be empty
  double images = 0;          ///< training images (the question may override the profile)
};

/// Resolves the question's task (coco, lvis, general, custom, or a dataset id).
TaskData task_data(const profiles::Catalog& catalog, const Question& question);

/// The names of the target data sets the fine-tune stages train on.
std::vector<std::string> target_names(const profiles::Catalog& catalog, const Question& question);

/// Evaluates one strategy with a configuration.
StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& question,
                                 Strategy strategy, const StrategyConfig& config);

/// Evaluates one strategy with `gpus` GPUs and the recipes' settings.
StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& question,
                                 Strategy strategy, int gpus);

/// GPU counts a user can rent, ascending, up to `max_gpus` (which is always last): 1-8 in one
/// server, whole 8-GPU servers up to 512 GPUs, then about 10% more each step, so that even
/// kMaxGpus takes about a hundred steps.
std::vector<int> gpu_count_ladder(int max_gpus);

/// The fewest GPUs (of 1..max_gpus, on 8-GPU servers) with which the strategy's stages, run
/// one after another, finish within `hours`; 0 when even `max_gpus` is not enough.
int fewest_gpus_within(const profiles::Catalog& catalog, const Question& question,
                       Strategy strategy, double hours, int max_gpus = 1024,
                       const StrategyConfig* base = nullptr);

/// Nodes used for `gpus` GPUs with `per_node` per server: the fewest that share them evenly.
int nodes_for(int gpus, int per_node);

}  // namespace trainplan::planner
