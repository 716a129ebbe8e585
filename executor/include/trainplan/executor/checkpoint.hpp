#pragma once
// Checkpoints: model and optimizer state, random generator state and the exact position in the
// plan (stage, epoch, iteration), written atomically (temporary file, fsync, rename) so a
// checkpoint is never left truncated, and checked against the model on load.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trainplan/executor/mixed_precision.hpp"

namespace trainplan::executor {

/// What the training was set up with: --resume continues exactly only with the same global
/// batch, accumulation, seed and stage (world size and per-rank batch may change: the data
/// order and the averaged gradient depend on the global batch alone).
struct RunSetup {
  int world_size = 0;         ///< 0 = not recorded (checkpoints from before issue 11)
  int per_rank_batch = 0;
  int global_batch = 0;
  int accumulation = 0;
  unsigned long long seed = 0;
  std::string stage_hash;     ///< the stage's training settings, hashed
};

/// Where training stands when the checkpoint is written.
struct TrainingPosition {
  std::string stage;          ///< stage id
  int64_t epoch = 0;          ///< 0-based epoch being trained
  int64_t iteration = 0;      ///< optimizer steps done within that epoch
  int64_t global_step = 0;    ///< optimizer steps done in the stage
  bool stage_done = false;    ///< the stage's final checkpoint
  RunSetup setup;             ///< what it was trained with
  LossScaleState loss_scale;  ///< mixed precision's loss scale (scale 0: none)
  int epochs_kept = 0;        ///< the stage's epochs as the deadline policy cut them (0: the plan's)
};

/// What the checkpoint was made for; loading into another model is refused.
struct ModelIdentity {
  std::string size;                      ///< detector size (tiny, n, s)
  int embed_dim = 0;
  std::vector<std::string> vocabulary;   ///< class names
};

/// Writes `path` atomically.
void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const TrainingPosition& position,
                     const ModelIdentity& identity, double best_map50);

/// What a checkpoint holds besides the tensors.
struct CheckpointInfo {
  TrainingPosition position;
  ModelIdentity identity;
  double best_map50 = 0;
};

/// Reads only the position and identity (cheap: for validation before workers start).
CheckpointInfo read_checkpoint_info(const std::string& path);

/// A checkpoint file's bytes (for rank 0 to broadcast where only its host has the file).
/// Throws InputError naming the file when it is missing.
std::string read_checkpoint_bytes(const std::string& path);

/// The position and identity of a checkpoint read into memory (`path` names it in messages).
CheckpointInfo checkpoint_info_of(const std::string& bytes, const std::string& path);

/// Loads weights (and optimizer state when `optimizer` is given) into `model`. With
/// `weights_only`, class embeddings of another vocabulary are skipped (a vocabulary change);
/// otherwise the identity must match. Throws InputError naming the file and what differs.
CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model,
                               torch::optim::Optimizer* optimizer, const ModelIdentity& expected,
                               bool weights_only);

/// load_checkpoint from a checkpoint read into memory (`path` names it in messages).
CheckpointInfo load_checkpoint_bytes(const std::string& bytes, const std::string& path,
                                     torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                                     const ModelIdentity& expected, bool weights_only);

}  // namespace trainplan::executor
