#include "trainplan/executor/mixed_precision.hpp"

#include <ATen/autocast_mode.h>

namespace trainplan::executor {

AutocastScope::AutocastScope(torch::DeviceType device, bool enabled)
    : device_(device), enabled_(enabled) {
  if (!enabled_) return;
  if (device_ == torch::kCUDA) {
    was_enabled_ = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(at::kHalf);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  // The cast weights are cached for the outermost scope only (as torch.autocast does).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (device_ == torch::kCUDA)
    at::autocast::set_enabled(was_enabled_);
  else
    at::autocast::set_cpu_enabled(was_enabled_);
}

LossScaler::LossScaler(bool enabled, double initial_scale, int64_t growth_interval)
    : enabled_(enabled), scale_(initial_scale), growth_interval_(growth_interval) {}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::step(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params) {
  if (!enabled_) {
    optimizer.step();
    return true;
  }
  torch::NoGradGuard no_grad;
  const double inverse = 1.0 / scale_;
  // One device-side flag for all gradients: a single host sync per step, not one per tensor.
  torch::Tensor not_finite;
  for (const auto& p : params) {
    auto grad = p.grad();
    if (!grad.defined()) continue;
    grad.mul_(inverse);
    auto bad = grad.isfinite().logical_not().any();
    not_finite = not_finite.defined() ? not_finite.logical_or(bad) : bad;
  }
  const bool found_inf = not_finite.defined() && not_finite.item<bool>();
  if (found_inf) {
    scale_ *= 0.5;  // torch's backoff_factor
    growth_tracker_ = 0;
    return false;
  }
  optimizer.step();
  if (++growth_tracker_ == growth_interval_) {
    scale_ *= 2.0;  // torch's growth_factor
    growth_tracker_ = 0;
  }
  return true;
}

LossScaleState LossScaler::state() const {
  return enabled_ ? LossScaleState{scale_, growth_tracker_} : LossScaleState{};
}

void LossScaler::restore(const LossScaleState& state) {
  if (state.scale <= 0) return;
  scale_ = state.scale;
  growth_tracker_ = state.growth_tracker;
}

}  // namespace trainplan::executor
