#include "compute.hpp"

namespace trainplan::costmodel::detail {

namespace {

// Forward FLOPs times this gives the training FLOPs. Backward costs two forwards (input and
// weight gradients); a frozen backbone needs neither; prompt tuning needs input gradients
// through neck and head only, and no weight gradients.
double training_flop_multiplier(Trainable t) {
  switch (t) {
    case Trainable::kAll: return 3.0;
    case Trainable::kFrozenBackbone: return 1.0 + 2.0 * (1.0 - kBackboneShare);
    case Trainable::kEmbeddings: return 1.0 + 1.0 * (1.0 - kBackboneShare);
  }
  return 3.0;
}

// Activations are saved for backward only where gradients flow.
double saved_activation_share(Trainable t) {
  return t == Trainable::kAll ? 1.0 : 1.0 - kBackboneShare;
}

}  // namespace

double achievable_flops(const Resolved& r, bool amp) {
  const double peak = amp ? r.gpu.tensor_tflops * 1e12 * r.arch.achievable_tensor_fraction
                          : r.gpu.fp32_tflops * 1e12 * r.arch.achievable_fp32_fraction;
  return peak * r.framework.compute_efficiency;
}

namespace {

// The detector's own layers: the codebase's rate times its kind's (RoI heads and attention
// reach less of the peak than dense heads) and its backbone's (grouped convolutions reach less
// than dense ones). The text encoder is not the detector's.
double detector_flops(const Resolved& r, bool amp) {
  return achievable_flops(r, amp) * r.kind.compute_efficiency * r.backbone.compute_efficiency;
}

}  // namespace

double train_seconds_per_image(const Resolved& r, const Scenario& s) {
  const double rho = pixel_ratio(r, s);
  const double flops_per_s = achievable_flops(r, s.amp);
  const double detector_flops_per_s = detector_flops(r, s.amp);
  const double flops = r.model.gflops * 1e9 * rho * training_flop_multiplier(s.trainable);
  // Activations in FP16 under AMP, FP32 otherwise.
  const double activation_bytes = activation_mb(r) * 1e6 * rho * (s.amp ? 1.0 : 2.0) *
                                  saved_activation_share(s.trainable);
  const double memory_s =
      kActivationTrafficPasses * activation_bytes / (r.gpu.memory_bandwidth_gbps * 1e9);
  double seconds = (flops / detector_flops_per_s + memory_s) / r.model.efficiency;
  if (r.model.text_encoder && s.texts_per_image > 0) {
    // The text encoder runs once per prompt of each image; a frozen one runs forward only.
    const auto& text = *r.model.text_encoder;
    const double text_flops =
        s.texts_per_image * text.gflops_per_text * 1e9 * (text.frozen ? 1.0 : 3.0);
    seconds += text_flops / (flops_per_s * kTextEncoderShare);
  }
  return seconds;
}

double backward_seconds_per_image(const Resolved& r, const Scenario& s) {
  const double rho = pixel_ratio(r, s);
  const double multiplier = training_flop_multiplier(s.trainable);
  const double forward_flops = r.model.gflops * 1e9 * rho;
  // Everything past the forward pass is backward; the text encoder runs forward only.
  return forward_flops * (multiplier - 1.0) / detector_flops(r, s.amp) / r.model.efficiency;
}

double eval_seconds_per_image(const Resolved& r, const Scenario& s) {
  const double rho = pixel_ratio(r, s);
  const double flops = r.model.gflops * 1e9 * rho;
  const double memory_s =
      activation_mb(r) * 1e6 * rho / (r.gpu.memory_bandwidth_gbps * 1e9);
  return (flops / detector_flops(r, s.amp) + memory_s) / r.model.efficiency + kPostprocessS;
}

double trainable_params_m(const Resolved& r, Trainable trainable) {
  switch (trainable) {
    case Trainable::kAll: return r.model.params_m;
    case Trainable::kFrozenBackbone: return r.model.params_m * (1.0 - kBackboneShare);
    // One 512-wide embedding per class: negligible next to the detector.
    case Trainable::kEmbeddings: return 0.0;
  }
  return r.model.params_m;
}

}  // namespace trainplan::costmodel::detail
