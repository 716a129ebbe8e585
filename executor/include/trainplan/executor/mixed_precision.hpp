#pragma once
// Mixed precision as torch.cuda.amp does it: the forward pass under autocast (matrix products
// and convolutions in float16, reductions and losses in float32), and dynamic loss scaling so
// that small float16 gradients do not underflow.
#include <torch/torch.h>

#include <vector>

namespace trainplan::executor {

/// Autocast for the scope's lifetime: float16 on CUDA, bfloat16 on a CPU (the CPU form is for
/// tests; the trainer uses mixed precision on CUDA only). Disabled: does nothing.
class AutocastScope {
 public:
  AutocastScope(torch::DeviceType device, bool enabled);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  torch::DeviceType device_;
  bool enabled_;
  bool was_enabled_ = false;
};

/// The loss scaler's state, kept in checkpoints so that a resumed run scales as the
/// uninterrupted one would.
struct LossScaleState {
  double scale = 0;            ///< 0: no loss scaling
  int64_t growth_tracker = 0;  ///< finite steps since the scale last changed
};

/// Dynamic loss scaling (torch.cuda.amp.GradScaler's rule): the loss is multiplied by the
/// scale before backward; before the optimizer step the gradients are divided by it, and a
/// step whose gradients hold an inf or NaN is skipped and halves the scale; after
/// growth_interval finite steps in a row the scale doubles.
class LossScaler {
 public:
  /// Disabled: scale() returns the loss unchanged and step() always steps.
  explicit LossScaler(bool enabled, double initial_scale = 65536.0, int64_t growth_interval = 2000);

  /// loss * scale (loss itself when disabled).
  torch::Tensor scale(const torch::Tensor& loss) const;

  /// Unscales the gradients of `params` in place and steps `optimizer` unless one is not
  /// finite; then updates the scale. Returns whether the optimizer stepped. Called after the
  /// gradients are all-reduced, every rank sees the same gradients and decides the same.
  bool step(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params);

  /// The current state, and restoring one (a state with scale 0 leaves the scaler as it is).
  LossScaleState state() const;
  void restore(const LossScaleState& state);

  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  double scale_;
  int64_t growth_interval_;
  int64_t growth_tracker_ = 0;
};

}  // namespace trainplan::executor
