#pragma once
// The analytic cost model: step, epoch and run time, memory fit, GPU-hours and cost.
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::costmodel {

/// Where the time of a whole run goes; the five parts add up to `total_seconds`.
struct Breakdown {
  double compute_s = 0;       ///< forward and backward on the GPUs
  double comm_exposed_s = 0;  ///< gradient all-reduce not hidden behind backward
  double data_s = 0;          ///< waiting for the input pipeline
  double eval_s = 0;          ///< evaluations on the validation set
  double overhead_s = 0;      ///< fixed per-step costs, optimizer updates, checkpoints, start-up
};

/// One optimizer step, in seconds.
struct StepTimes {
  double compute_s = 0;
  double comm_s = 0;          ///< whole all-reduce time
  double comm_exposed_s = 0;  ///< the part not overlapped with backward
  double loader_s = 0;        ///< input-pipeline time for the step's images (in parallel)
  double data_stall_s = 0;    ///< loader time beyond the GPU time
  double overhead_s = 0;
};

/// Memory needed on each GPU, GB.
struct MemoryUse {
  double weights_gb = 0;      ///< parameters, gradients, optimizer state, frozen encoders
  double activations_gb = 0;  ///< for one micro-batch
  double reserved_gb = 0;     ///< CUDA context and allocator slack
  double total_gb = 0;
  double capacity_gb = 0;
};

/// The cost model's answer for one Scenario.
struct Estimate {
  double seconds_per_iter = 0;
  long long iters_per_epoch = 0;
  double epoch_seconds = 0;     ///< training plus evaluation and checkpoints, averaged
  double total_seconds = 0;
  /// Likely range of the real total (P10-P90), from the cost model's cross-validated errors
  /// on published runs of the same detector kind (docs/costmodel.md, uncertainty).
  double total_seconds_p10 = 0;
  double total_seconds_p90 = 0;
  int per_gpu_batch = 0;
  int micro_batch = 0;          ///< images per forward pass that fit in memory
  int accumulation_steps = 1;   ///< micro-batches per optimizer step
  bool fits_memory = false;     ///< true when at least one image fits per GPU
  MemoryUse memory;
  StepTimes step;
  Breakdown breakdown;
  double gpu_hours = 0;
  double cost_usd = 0;
  bool calibrated = false;
  double startup_s = 0;          ///< the start-up included in overhead_s (0 without start-up)
};

/// The input pipeline takes at least this share of the GPU's time per step: the run is near
/// input-bound, and how fast it goes depends on the host more than on the GPU.
constexpr double kNearInputBound = 0.8;

/// True when the step's loader time is at least kNearInputBound of its GPU time; such runs
/// get the wider error spread of input-bound runs (docs/costmodel.md, uncertainty).
bool near_input_bound(const Estimate& e);

/// Estimates a scenario; throws InputError for unknown ids or inconsistent numbers (GPUs not
/// positive, batch not divisible by GPUs, nodes not dividing GPUs).
Estimate estimate(const profiles::Catalog& catalog, const Scenario& scenario,
                  const Calibration& calibration = {});

/// Checks a scenario's numbers without estimating (the CLI calls it before any work).
void validate(const Scenario& scenario);

}  // namespace trainplan::costmodel
