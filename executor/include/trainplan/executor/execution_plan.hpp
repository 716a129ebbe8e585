#pragma once
// What the executor runs: the plan's stages in graph order, each with local paths and
// settings. `--scale-to-local` maps a plan made for GPUs onto this machine (same stages and
// order; synthetic data, a small input, few epochs, the tiny detector) and says how.
#include <string>
#include <vector>

#include "trainplan/executor/data/data_location.hpp"
#include "trainplan/planner/plan.hpp"

namespace trainplan::executor {

/// A synthetic data set the run needs (`trainplan data synth` writes the same).
struct SynthSpec {
  std::string dir;
  int images = 200;
  int classes = 3;
  int size = 128;
  uint64_t seed = 0;
};

/// One stage as the executor runs it.
struct ExecStage {
  std::string id, kind, init;  ///< init: scratch, pretrained:<name>, stage:<id>
  std::vector<std::string> depends_on;
  std::string dataset;         ///< the plan's dataset id
  std::string data_dir;        ///< holds annotations/{train,val}.json, train/, val/
  std::string eval_dataset;    ///< the plan's eval_dataset ("": the val split of `dataset`)
  /// Where the trained and evaluated splits are (unscaled runs: found by map_plan in any
  /// known layout). Empty paths mean data_dir's synthetic layout; see train_split/eval_split.
  data::DataSplit train_data, eval_data;
  std::string model_size = "tiny";
  int embed_dim = 32;
  int image_size = 128;
  int epochs = 1;
  int global_batch = 16;
  /// Micro-batches per optimizer step on each rank (gradient accumulation): each rank's
  /// share of the global batch passes forward and backward in this many equal parts.
  int accumulation_steps = 1;
  std::string optimizer = "adamw";
  double lr = 1e-3, weight_decay = 0.05, momentum = 0.9, warmup_epochs = 1;
  std::string trainable = "all";
  /// The recipe's augmentation (plan `augment`): mosaic with random affine and HSV, and the
  /// last epochs trained without mosaic. Off: the zoomed letterbox of plans before it.
  bool mosaic = false;
  int close_mosaic_epochs = 0;
  /// Mixed precision as the plan asks (carried for the GPU path; the CPU path trains FP32).
  bool amp = false;
  double predicted_seconds = 0;  ///< the cost model's estimate for this machine
};

/// Whether `epoch` (0-based) of the stage, trained for `epochs` epochs (fewer than the plan's
/// when a deadline cut them), trains with mosaic: on until its last close_mosaic_epochs epochs.
bool mosaic_in_epoch(const ExecStage& stage, int64_t epoch, int epochs);
/// As above with the stage's own epochs.
bool mosaic_in_epoch(const ExecStage& stage, int64_t epoch);

/// The split a stage trains on and the one it evaluates on.
data::DataSplit train_split(const ExecStage& stage);
data::DataSplit eval_split(const ExecStage& stage);

/// The whole run.
struct ExecutionPlan {
  std::string name;
  std::vector<ExecStage> stages;           ///< in dependency order
  std::vector<SynthSpec> synthesize;       ///< data sets to write before training
  std::vector<std::string> mapping;        ///< what --scale-to-local changed, one line each
  std::string pretrained_corpus_dir;       ///< data for local pre-trained weights (scaled runs)
};

/// Options of the mapping.
struct MappingOptions {
  int nproc = 1;
  std::string data_root = "data";     ///< where dataset ids are looked up (unscaled runs)
  std::vector<std::string> data;      ///< --data ID=PATH flags (before data_root)
  std::string work_dir;               ///< the run directory (scaled runs write data there)
  bool scale_to_local = false;
  int per_rank_batch = 8;             ///< scaled runs
  int image_size = 128;               ///< scaled runs
  double epoch_scale = 0.05;          ///< scaled runs: plan epochs x this, at least 1
  int max_epochs = 6;                 ///< scaled runs
  /// Micro-batches per optimizer step for every stage; 0 = what the plan's memory prediction
  /// needs (its micro-batch) for unscaled runs, 1 for scaled runs.
  int accumulate = 0;
};

/// Maps a validated plan; throws InputError naming the stage and field when it cannot run
/// here (a model size the executor does not build, a batch the ranks cannot share, a data set
/// not found under --data or --data-root).
ExecutionPlan map_plan(const planner::Plan& plan, const MappingOptions& options);

/// A hash of the settings that decide what a stage trains (not how many ranks share it): its
/// id, kind, init, data, model, input, epochs, optimizer and schedule, trainable parts.
/// Checkpoints record it; --resume refuses a stage whose hash changed.
std::string stage_hash(const ExecStage& stage);

}  // namespace trainplan::executor
