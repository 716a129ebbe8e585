#pragma once
// A multi-stage training plan (DESIGN 3.6): what `trainplan plan` writes, `validate` and
// `explain` read, the simulator replays and the executor runs.
#include <optional>
#include <string>
#include <vector>

#include "trainplan/profiles/resolution.hpp"

namespace trainplan::planner {

/// The plan-file format this build writes and the newest it reads.
constexpr const char* kPlanFormat = "trainplan/plan@1";
constexpr int kPlanFormatVersion = 1;

/// The question a plan answers: resources, budget, task.
struct PlanQuestion {
  std::string text;                     ///< the plain question, if one was asked
  int gpus = 1;                         ///< GPUs available
  std::string gpu;                      ///< GPU id
  int gpus_per_node = 8;
  std::optional<double> deadline_hours;
  std::optional<double> max_cost_usd;
  double price_per_gpu_hour_usd = 0;    ///< the price used (profile or --price)
  std::string task;                     ///< coco, lvis, general, custom or a dataset id
  std::string model;                    ///< model id
};

/// Optimizer settings of a stage (the learning rate is the stage's `lr`).
struct PlanOptimizer {
  std::string type = "adamw";
  double weight_decay = 0;
  double momentum = 0;
  double warmup_epochs = 0;
};

/// Training augmentation of a stage (the recipe's): mosaic, and how many last epochs train
/// without it (YOLOv8's close_mosaic, mmyolo's PipelineSwitchHook).
struct PlanAugment {
  bool mosaic = false;
  int close_mosaic_epochs = 0;
};

/// The cost model's prediction for one stage, and where the schedule puts it.
struct StagePrediction {
  double seconds_per_iter = 0;
  long long iters_per_epoch = 0;
  double total_seconds = 0;
  /// Likely range of the real total (P10-P90, docs/costmodel.md, uncertainty); equal to
  /// total_seconds in plans written before intervals existed.
  double total_seconds_p10 = 0;
  double total_seconds_p90 = 0;
  double start_seconds = 0;  ///< from the plan's start, on the schedule
  double end_seconds = 0;
  int gpu_offset = 0;        ///< first GPU of the stage's disjoint GPU set
  int per_gpu_batch = 0;
  int micro_batch = 0;       ///< images per forward pass that fit
  int accumulation_steps = 1;
  double memory_gb = 0;      ///< per GPU
  bool fits_memory = true;
  double gpu_hours = 0;
  double cost_usd = 0;
};

/// One stage (DESIGN 3.6).
struct PlanStage {
  std::string id;
  std::string kind;                     ///< zero-shot, prompt-tune, finetune, pretrain, progressive
  std::vector<std::string> depends_on;  ///< stage ids
  std::string init;                     ///< scratch, pretrained:<weights>, stage:<id>
  std::string model;
  std::string dataset;
  std::string eval_dataset;             ///< may be empty
  profiles::Resolution resolution;
  double epochs = 0;
  int global_batch = 0;
  int gpus = 0;
  int nodes = 1;
  std::string trainable = "all";        ///< all, frozen-backbone, embeddings
  PlanOptimizer optimizer;
  double lr = 0;                        ///< scaled to global_batch by the recipe's lr_scaling
  /// The recipe's augmentation and mixed precision; absent in zero-shot stages and in plans
  /// written before they existed (read as mosaic off, amp false).
  std::optional<PlanAugment> augment;
  std::optional<bool> amp;
  StagePrediction prediction;
};

/// Expected quality of the plan's result, from the published table.
struct ExpectedQuality {
  std::string metric = "AP";
  std::string dataset;                  ///< where it is measured
  double value = 0;                     ///< percent
  std::string basis;                    ///< the published figure and any adjustment
  std::string source;
  /// The figure is the same recipe's on a public data set (`dataset`): the quality on the
  /// asker's own data is unknown, and is never quoted as if it were known.
  bool reference_only = false;
};

/// Totals over the schedule.
struct PlanSummary {
  double makespan_seconds = 0;          ///< end of the last stage (critical path with GPUs)
  /// Likely range of the makespan: the stages' errors are taken as fully correlated (one cost
  /// model, one model family), so the makespan scales by the stages' summed range.
  double makespan_p10_seconds = 0;
  double makespan_p90_seconds = 0;
  double gpu_hours = 0;
  double cost_usd = 0;
  bool meets_deadline = true;
  bool meets_budget = true;
  bool fits_memory = true;
  std::optional<ExpectedQuality> expected_quality;
};

/// A whole plan.
struct Plan {
  std::string format = kPlanFormat;
  std::string name;
  std::string strategy;                 ///< the strategy that produced it
  PlanQuestion question;
  std::vector<PlanStage> stages;
  PlanSummary summary;
  std::vector<std::string> reasons;
};

}  // namespace trainplan::planner
