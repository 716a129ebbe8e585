#pragma once
// Trains one stage of the execution plan on this rank: model from its init, data-parallel
// steps with bucketed gradient all-reduce, evaluation each epoch, checkpoints, outputs.
#include <optional>

#include "trainplan/executor/checkpoint.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/execution_plan.hpp"
#include "trainplan/executor/run.hpp"
#include "trainplan/executor/run_directory.hpp"
#include "forecaster.hpp"

namespace trainplan::executor {

/// The checkpoint a resumed run continues from, read by rank 0 and broadcast to every rank
/// (the other hosts need no copy of the run directory).
struct ResumePoint {
  std::string path;   ///< on rank 0's host, for messages
  std::string bytes;  ///< the checkpoint file
  CheckpointInfo info;
};

/// Everything one stage needs.
struct StageContext {
  const ExecStage& stage;
  Communicator& comm;
  const RunDirectory& run_dir;
  const RunOptions& options;
  const ResumePoint* resume = nullptr;  ///< set when resuming inside this stage
  int nodes = 1;                        ///< hosts in the job (measurement records)
  /// Where the model trains: cuda:LOCAL_RANK or the CPU. Mixed precision (the stage's `amp`)
  /// applies on CUDA only.
  torch::Device device = torch::kCPU;
  /// Rank 0's closed loop (forecasts, the deadline policy); nullptr on other ranks.
  Forecaster* forecaster = nullptr;
  size_t stage_index = 0;  ///< this stage's place among the run's stages
  /// The deadline policy is "shorten": rank 0 may cut the epochs at an epoch's end (every
  /// rank takes part in the broadcast of its decision).
  bool may_shorten = false;
};

/// How the stage went.
struct StageResult {
  double seconds = 0;
  double best_map50 = 0;
  double map50 = 0;
  double map50_95 = 0;
  int64_t steps = 0;
  bool stopped_early = false;  ///< stopped at --max-steps or at the deadline
  bool deadline_stop = false;  ///< stopped by the deadline policy "stop": the run ends here
  int epochs_kept = 0;         ///< the epochs trained when the policy "shorten" cut them, else 0
};

/// Trains the stage; collectives fail with RunError naming the rank.
StageResult train_stage(const StageContext& context);

/// The model identity a stage's checkpoints carry.
ModelIdentity stage_identity(const ExecStage& stage);

/// The checkpoint a stage's `init` names, or "" for scratch. Throws InputError when missing.
std::string init_checkpoint(const ExecStage& stage, const RunDirectory& run_dir);

}  // namespace trainplan::executor
