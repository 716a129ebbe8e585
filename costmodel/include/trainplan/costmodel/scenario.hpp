#pragma once
// What is being estimated: a model trained on a cluster with a batch, a resolution and a
// schedule. Ids refer to the profile catalog.
#include <string>

#include "trainplan/profiles/resolution.hpp"

namespace trainplan::costmodel {

/// The largest cluster trainplan plans for: beyond it a question is taken as a typo (and the
/// search over GPU counts would not end in time).
constexpr int kMaxGpus = 100000;
/// Images per epoch and epochs above these are taken as typos too.
constexpr double kMaxImages = 1e11;
constexpr double kMaxEpochs = 1e5;

/// Which parameters receive gradients (DESIGN 3.6 `trainable`).
enum class Trainable { kAll, kFrozenBackbone, kEmbeddings };

/// Parses "all", "frozen-backbone" or "embeddings"; throws InputError naming `what`.
Trainable parse_trainable(const std::string& text, const std::string& what);
/// The plan-file spelling of a Trainable value.
const char* to_string(Trainable trainable);

/// One training run to estimate.
struct Scenario {
  std::string model_id = "yolo-world-v2-l";
  std::string gpu_id = "v100-sxm2-32gb";
  int gpus = 1;                        ///< total GPUs
  int nodes = 1;                       ///< GPUs are split evenly across nodes
  std::string network_id;              ///< inter-node interconnect; empty = the GPU's default
  std::string framework_id;            ///< empty = the model's default codebase
  int global_batch = 16;               ///< images per optimizer step, all GPUs together
  profiles::Resolution resolution;     ///< training input size
  double images = 118287;              ///< training images per epoch
  double epochs = 1;
  bool amp = true;                     ///< mixed precision (FP16/BF16 tensor cores)
  bool mosaic = true;                  ///< mosaic augmentation (4 images per sample)
  double texts_per_image = 0;          ///< text prompts encoded per image (YOLO-World)
  double source_image_pixels = 640.0 * 480.0;  ///< mean decoded image size
  Trainable trainable = Trainable::kAll;
  std::string optimizer = "adamw";     ///< adamw or sgd (optimizer-state memory and update)
  double eval_images = 0;              ///< validation images per evaluation (0 = none)
  double eval_interval_epochs = 1;
  double checkpoint_interval_epochs = 1;
  double cpu_cores_per_gpu = 0;        ///< 0 = from the GPU's typical host
  double bucket_mb = 25;               ///< gradient all-reduce bucket size (DDP default)
  /// Count the codebase's start-up (process start, data index, model build) in the total;
  /// time-to-train benchmarks such as MLPerf leave it out.
  bool include_startup = true;
};

/// Multipliers fitted by calibration (docs/costmodel.md, calibration); 1 = profiles alone.
struct Calibration {
  double compute_scale = 1;  ///< on per-image compute time (image path and text encoder)
  double comm_scale = 1;     ///< on all-reduce time
  double data_scale = 1;     ///< on input-pipeline time
  double overhead_scale = 1; ///< on the fixed per-step cost and the optimizer update
  bool calibrated = false;
};

}  // namespace trainplan::costmodel
