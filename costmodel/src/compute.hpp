#pragma once
// Compute term: forward and backward time of one image on one GPU (docs/costmodel.md).
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// Share of a YOLO-style detector's FLOPs, parameters and saved activations that sit in the
/// backbone (YOLOv8-L: CSPDarknet holds about 45% of the GFLOPs and parameters).
constexpr double kBackboneShare = 0.45;

/// Each saved activation byte is written in forward, read in backward, and its gradient is
/// written and read once more: four passes over device memory.
constexpr double kActivationTrafficPasses = 4.0;

/// A text encoder's prompts are short (about 16 tokens at width 512): its matrix products are
/// too small to fill tensor cores, and it reaches this share of what the detector reaches
/// (YOLO-World-S and -L steps differ far less than their image FLOPs; the open-vocabulary
/// kind's fitted constants absorb the rest).
constexpr double kTextEncoderShare = 0.25;

/// Box decoding and NMS per validation image on the GPU, seconds (Ultralytics val logs report
/// 0.5-2 ms "NMS per image").
constexpr double kPostprocessS = 1e-3;

/// The GPU's achievable FLOP rate for a detector in this precision, FLOP/s.
double achievable_flops(const Resolved& r, bool amp);

/// Forward+backward seconds for one training image (image path and text encoder), before
/// calibration.
double train_seconds_per_image(const Resolved& r, const Scenario& s);

/// Backward seconds of the image path for one training image (what gradient all-reduce can
/// overlap with), before calibration.
double backward_seconds_per_image(const Resolved& r, const Scenario& s);

/// Forward-only seconds for one validation image.
double eval_seconds_per_image(const Resolved& r, const Scenario& s);

/// Trainable parameters in millions (frozen parts excluded).
double trainable_params_m(const Resolved& r, Trainable trainable);

}  // namespace trainplan::costmodel::detail
