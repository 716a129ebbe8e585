#pragma once
// The fixed costs of a training run outside its optimizer steps (docs/costmodel.md section 7):
// start-up, evaluation and checkpoint writes. The cost model adds them to a run's time; the
// plan simulator (simulation.hpp) places them on a timeline, so both read them from here.

namespace trainplan::costmodel {

/// Process start, data-set index and model build, once per (re)start of a run, seconds.
constexpr double kLaunchS = 90;
/// Loader workers filling their prefetch queues and first-step autotuning (cuDNN picks its
/// kernels), once per (re)start, seconds. Paid after kLaunchS, before the first full-speed step.
constexpr double kLoaderWarmupS = 30;
/// All start-up work of one run: the cost model's single start-up term, seconds.
constexpr double kStartupS = kLaunchS + kLoaderWarmupS;

/// Computing COCO-style metrics on the host after each evaluation pass, seconds.
constexpr double kEvalFixedS = 30;

/// Checkpoints go to local or network storage at about 1 GB/s ...
constexpr double kCheckpointBandwidthGbps = 1.0;
/// ... plus file-system latency (open, fsync, rename), seconds.
constexpr double kCheckpointFixedS = 2.0;

/// Time to write one checkpoint holding `weights_gb` (weights, optimizer state and frozen
/// encoders, as MemoryUse::weights_gb counts them), seconds; `fixed_s` below 0 is
/// kCheckpointFixedS (a codebase's profile may give its own: frameworks' checkpoint_fixed_s).
constexpr double checkpoint_write_seconds(double weights_gb, double fixed_s = -1) {
  return weights_gb / kCheckpointBandwidthGbps + (fixed_s >= 0 ? fixed_s : kCheckpointFixedS);
}

}  // namespace trainplan::costmodel
