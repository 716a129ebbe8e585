#include "trainplan/costmodel/estimate.hpp"

#include <cmath>

#include "compute.hpp"
#include "data_loading.hpp"
#include "memory.hpp"
#include "trainplan/costmodel/communication.hpp"
#include "trainplan/costmodel/run_constants.hpp"

namespace trainplan::costmodel {

namespace {

// Start-up, evaluation and checkpoint constants live in run_constants.hpp (shared with the
// plan simulator).
// An optimizer update reads weight, gradient and state and writes weight and state (FP32):
// AdamW 7 x 4 bytes per parameter, SGD with momentum 5 x 4.
double update_bytes_per_param(const Scenario& s) { return s.optimizer == "sgd" ? 20.0 : 28.0; }

AllReduceTopology topology(const detail::Resolved& r, const Scenario& s) {
  return {s.gpus,
          s.nodes,
          r.gpu.intra_link_bandwidth_gbps,
          r.intra_link.latency_us,
          r.network.bandwidth_gbps,
          r.network.latency_us};
}

StepTimes step_times(const detail::Resolved& r, const Scenario& s, const Calibration& c,
                     int per_gpu_batch, int micro_batch, int accumulation) {
  StepTimes t;
  const double per_image_s = detail::train_seconds_per_image(r, s) * c.compute_scale;
  t.compute_s = per_gpu_batch * per_image_s;

  // Gradients are all-reduced once per optimizer step (accumulation steps skip the sync),
  // overlapped with the backward pass of the last micro-batch.
  const double grad_bytes = detail::trainable_params_m(r, s.trainable) * 1e6 * 4.0;
  const int buckets = std::max(1, int(std::ceil(grad_bytes / (s.bucket_mb * 1024 * 1024))));
  t.comm_s = allreduce_seconds(topology(r, s), grad_bytes, buckets) * c.comm_scale;
  const double last_backward_s =
      micro_batch * detail::backward_seconds_per_image(r, s) * c.compute_scale;
  t.comm_exposed_s = exposed_allreduce_seconds(t.comm_s, last_backward_s, buckets);

  const double update_s = detail::trainable_params_m(r, s.trainable) * 1e6 *
                          update_bytes_per_param(s) / (r.gpu.memory_bandwidth_gbps * 1e9);
  // The codebase's fixed cost per micro-step, plus its detector kind's (RoI sampling,
  // Hungarian matching), both on volta and scaled to the architecture's hosts.
  const double micro_step_ms = r.framework.step_overhead_ms + r.kind.step_overhead_ms;
  t.overhead_s =
      (accumulation * micro_step_ms * 1e-3 * r.arch.step_overhead_scale + update_s) *
      c.overhead_scale;

  // Loader workers prepare the next batches while the GPU works: only the excess stalls.
  t.loader_s = per_gpu_batch * detail::loader_seconds_per_sample(r, s) /
               detail::loader_cores_per_gpu(r, s) * c.data_scale;
  const double gpu_s = t.compute_s + t.comm_exposed_s + t.overhead_s;
  t.data_stall_s = std::max(0.0, t.loader_s - gpu_s);
  return t;
}

// The likely range of the measured total: the cost model's cross-validated errors for this
// kind of run (profiles/data/uncertainty.json, written by bench/fit) turned around, since
// measured = predicted / (predicted / measured).
void set_interval(const profiles::Catalog& catalog, const std::string& detector_kind,
                  Estimate& e) {
  // A run near input-bound depends on its host: its spread is that of such runs, whatever
  // the detector.
  const auto* u = near_input_bound(e) ? catalog.uncertainty("input-bound") : nullptr;
  if (!u) u = catalog.uncertainty(detector_kind);
  if (!u) {
    e.total_seconds_p10 = e.total_seconds_p90 = e.total_seconds;
    return;
  }
  const double p10 = e.calibrated ? u->calibrated_log_error_p10 : u->log_error_p10;
  const double p90 = e.calibrated ? u->calibrated_log_error_p90 : u->log_error_p90;
  e.total_seconds_p10 = e.total_seconds * std::exp(-p90);
  e.total_seconds_p90 = e.total_seconds * std::exp(-p10);
}

}  // namespace

bool near_input_bound(const Estimate& e) {
  const double gpu_s = e.step.compute_s + e.step.comm_exposed_s + e.step.overhead_s;
  return e.step.loader_s >= kNearInputBound * gpu_s;
}

Estimate estimate(const profiles::Catalog& catalog, const Scenario& s, const Calibration& c) {
  validate(s);
  const auto r = detail::Resolved::lookup(catalog, s);
  Estimate e;
  e.calibrated = c.calibrated;
  e.per_gpu_batch = s.global_batch / s.gpus;
  e.micro_batch = detail::largest_fitting_micro_batch(r, s, e.per_gpu_batch);
  e.fits_memory = e.micro_batch > 0;
  // Estimate an unfitting run as if one image fitted, so the user still sees its time.
  const int micro = std::max(1, e.micro_batch);
  e.accumulation_steps = e.per_gpu_batch / micro;
  e.memory = detail::memory_use(r, s, micro);

  e.step = step_times(r, s, c, e.per_gpu_batch, micro, e.accumulation_steps);
  e.seconds_per_iter =
      e.step.compute_s + e.step.comm_exposed_s + e.step.overhead_s + e.step.data_stall_s;
  e.iters_per_epoch = (long long)std::ceil(s.images / s.global_batch);
  const double steps = e.iters_per_epoch * s.epochs;

  const double evaluations = s.eval_images > 0 ? std::floor(s.epochs / s.eval_interval_epochs) : 0;
  const double eval_pass_s =
      std::ceil(s.eval_images / s.gpus) * detail::eval_seconds_per_image(r, s) * c.compute_scale +
      r.framework.eval_fixed_s;
  const double checkpoints = std::floor(s.epochs / s.checkpoint_interval_epochs);
  const double checkpoint_s =
      checkpoint_write_seconds(e.memory.weights_gb, r.framework.checkpoint_fixed_s);

  e.breakdown.compute_s = steps * e.step.compute_s;
  e.breakdown.comm_exposed_s = steps * e.step.comm_exposed_s;
  e.breakdown.data_s = steps * e.step.data_stall_s;
  e.breakdown.eval_s = evaluations * eval_pass_s;
  // Time-to-train benchmarks (MLPerf) start the clock after initialisation.
  e.startup_s = s.include_startup ? r.framework.startup_s : 0.0;
  e.breakdown.overhead_s = steps * e.step.overhead_s + checkpoints * checkpoint_s + e.startup_s;
  e.total_seconds = e.breakdown.compute_s + e.breakdown.comm_exposed_s + e.breakdown.data_s +
                    e.breakdown.eval_s + e.breakdown.overhead_s;
  e.epoch_seconds = (e.total_seconds - e.startup_s) / s.epochs;
  e.gpu_hours = e.total_seconds * s.gpus / 3600.0;
  e.cost_usd = e.gpu_hours * r.gpu.price_per_gpu_hour_usd;
  set_interval(catalog, r.model.detector_kind, e);
  return e;
}

}  // namespace trainplan::costmodel
