#include "memory.hpp"

#include "compute.hpp"

namespace trainplan::costmodel::detail {

namespace {

double optimizer_state_bytes_per_param(const Scenario& s) {
  return s.optimizer == "sgd" ? 4.0 : 8.0;  // momentum, or Adam's two moments (FP32)
}

}  // namespace

MemoryUse memory_use(const Resolved& r, const Scenario& s, int micro_batch) {
  MemoryUse m;
  const double trainable = trainable_params_m(r, s.trainable) * 1e6;
  const double frozen = r.model.params_m * 1e6 - trainable;
  // FP32 master weights and gradients for what trains; frozen weights are kept in FP32 too.
  double bytes = trainable * (4.0 + 4.0 + optimizer_state_bytes_per_param(s)) + frozen * 4.0;
  if (r.model.text_encoder) {
    const auto& text = *r.model.text_encoder;
    bytes += text.params_m * 1e6 *
             (text.frozen ? 4.0 : 8.0 + optimizer_state_bytes_per_param(s));
  }
  m.weights_gb = bytes / 1e9;
  double share = s.trainable == Trainable::kAll ? 1.0 : 1.0 - kBackboneShare;
  m.activations_gb = micro_batch * activation_mb(r) * pixel_ratio(r, s) *
                     (s.amp ? 1.0 : 2.0) * share / 1e3;
  m.reserved_gb = kReservedGb + (kFragmentation - 1.0) * m.activations_gb;
  m.total_gb = m.weights_gb + m.activations_gb + m.reserved_gb;
  m.capacity_gb = r.gpu.memory_gb * kUsableShare;
  return m;
}

int largest_fitting_micro_batch(const Resolved& r, const Scenario& s, int per_gpu_batch) {
  // Memory grows linearly with the micro-batch: solve for the largest count, then take the
  // largest divisor of the per-GPU batch not above it (accumulation needs equal parts).
  const MemoryUse one = memory_use(r, s, 1);
  if (one.total_gb > one.capacity_gb) return 0;
  const double per_image_gb = one.activations_gb * kFragmentation;
  const double fixed_gb = one.total_gb - per_image_gb;
  int most = per_image_gb > 0 ? int((one.capacity_gb - fixed_gb) / per_image_gb) : per_gpu_batch;
  for (int micro = std::min(most, per_gpu_batch); micro >= 1; --micro)
    if (per_gpu_batch % micro == 0) return micro;
  return 1;
}

}  // namespace trainplan::costmodel::detail
