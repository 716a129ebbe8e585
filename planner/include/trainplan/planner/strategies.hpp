#pragma once
// Training strategies (DESIGN section 1): each turns a question into stages with estimates.
#include <string>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/planner/question.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// The strategies `ask` weighs.
enum class Strategy { kZeroShot, kFineTune, kPreTrain, kProgressive };

/// The name used in answers and plan files: zero-shot, finetune, pretrain, progressive.
const char* to_string(Strategy strategy);

/// One training stage of a strategy, with the cost model's estimate.
struct StageEstimate {
  std::string id;        ///< e.g. "pretrain", "finetune"
  std::string kind;      ///< DESIGN 3.6 stage kind
  std::string dataset;   ///< dataset id
  costmodel::Scenario scenario;
  costmodel::Estimate estimate;
};

/// A strategy evaluated on a given number of GPUs.
struct StrategyOption {
  Strategy strategy = Strategy::kFineTune;
  int gpus = 0;
  std::vector<StageEstimate> stages;  ///< run one after another; empty for zero-shot
  double total_seconds = 0;
  double gpu_hours = 0;
  double cost_usd = 0;
  bool fits_memory = true;
};

/// The data sets a task trains and evaluates on.
struct TaskData {
  std::string train_dataset;  ///< dataset id
  std::string eval_dataset;   ///< dataset id, may be empty
  double images = 0;          ///< training images (the question may override the profile)
};

/// Resolves the question's task (coco, lvis, general, custom, or a dataset id).
TaskData task_data(const profiles::Catalog& catalog, const Question& question);

/// Evaluates one strategy with `gpus` GPUs of the question's type.
StrategyOption evaluate_strategy(const profiles::Catalog& catalog, const Question& question,
                                 Strategy strategy, int gpus);

/// The fewest GPUs (of 1..max_gpus, on 8-GPU servers) with which the strategy finishes within
/// `hours`; 0 when even `max_gpus` is not enough.
int fewest_gpus_within(const profiles::Catalog& catalog, const Question& question,
                       Strategy strategy, double hours, int max_gpus = 1024);

/// Nodes used for `gpus` GPUs with `per_node` per server: the fewest that share them evenly.
int nodes_for(int gpus, int per_node);

}  // namespace trainplan::planner
