#pragma once
// The question `trainplan ask` answers: resources, budget, task (DESIGN 3.5).
#include <optional>
#include <string>
#include <vector>

#include "trainplan/profiles/catalog.hpp"
#include "trainplan/profiles/resolution.hpp"

namespace trainplan::planner {

/// What the user has and wants. Unset fields take the documented defaults.
struct Question {
  int gpus = 4;
  std::string gpu_id = "v100-sxm2-32gb";
  std::string model_id = "yolo-world-v2-l";
  std::string task = "coco";              ///< coco, lvis, general, or a dataset id
  std::optional<double> budget_hours;     ///< wall-clock deadline; none = no limit
  std::optional<double> max_cost_usd;
  std::optional<double> images;           ///< overrides the task data set's image count
  int gpus_per_node = 8;                  ///< servers hold 8 GPUs unless told otherwise
  std::optional<int> nodes;               ///< servers, when the question gives a cluster shape
  /// What the asker wants to do (DESIGN 3.10): finetune, pretrain, from-scratch,
  /// changed-model, general-detection, prompt-tune, frozen-backbone, high-resolution; "" = not said.
  std::string intent;
  std::optional<double> epochs;           ///< training epochs the question names
  /// Input sizes to consider; empty = each recipe's own (640; 1280 for high resolution).
  std::vector<profiles::Resolution> resolutions;
  /// The model was changed (new head, vocabulary or input size): the published weights no
  /// longer fit it as they are (DESIGN section 1, progressive training).
  bool changed_model = false;
  /// Target data sets to fine-tune on; empty = the task's one. Several run as separate stages.
  std::vector<std::string> targets;
  std::optional<double> price_per_gpu_hour_usd;  ///< overrides the GPU profile's price
  std::optional<double> min_quality_ap;          ///< expected AP the plan must reach
  std::string text;                              ///< the plain question, if any

  /// Which fields the user set (the rest are assumptions to state).
  bool gpus_given = false, gpu_given = false, model_given = false, task_given = false;
  bool budget_given = false, gpus_per_node_given = false;

  /// Words of the question no rule used, as written (Chinese by runs).
  std::vector<std::string> unread;
  /// What the reader could not use or had to assume: numbers it did not understand, GPU-like
  /// words without a profile, amounts in other currencies.
  std::vector<std::string> warnings;
};

/// Intents a question or `--intent` may name (DESIGN 3.10).
const std::vector<std::string>& question_intents();

/// Sets the intent with what it implies: a changed model, general detection as the task (when
/// none was given), a 1280 input for high resolution (when no input was given). Throws
/// InputError naming `what` and the accepted intents when `intent` is not one of them.
void set_intent(Question& question, const std::string& intent, const std::string& what);

/// Reads a plain question such as "4 GPUs, 1 day budget?", "4 nodes of 8 A100 40GB for a
/// weekend", "我有两张4090，想预训练YOLO-World-S", naming GPUs and models as `catalog` knows
/// them. Throws InputError showing the accepted forms when nothing in it can be understood or
/// a figure is invalid (more than kMaxGpus GPUs, a zero budget of money, ...).
Question parse_question(const std::string& text, const profiles::Catalog& catalog);

/// The same with the embedded profiles.
Question parse_question(const std::string& text);

/// Parses a duration: "36h", "1d", "1.5 days", "90m", "45s", "2w", or a plain number of hours.
/// Throws InputError naming `what` when it is malformed, zero or negative.
double parse_duration_hours(const std::string& text, const std::string& what);

/// Parses a money amount: "300", "$300", "1.5k", "$2k". Throws InputError when malformed,
/// zero or negative.
double parse_money_usd(const std::string& text, const std::string& what);

/// Maps a GPU id or a common name ("A100 40GB", "h100 pcie", "RTX 4090", "V100") to a profile
/// id of `catalog`, or "".
std::string gpu_id_from_name(const std::string& name, const profiles::Catalog& catalog);

/// The same with the embedded profiles.
std::string gpu_id_from_name(const std::string& name);

/// The accepted question forms, for messages and help.
const char* question_examples();

}  // namespace trainplan::planner
