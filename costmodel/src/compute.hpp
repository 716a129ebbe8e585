#pragma once
// Compute term: forward and backward time of one image on one GPU (docs/costmodel.md).
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// Share of a YOLO-style detector's FLOPs, parameters and saved activations that sit in the
/// backbone (YOLOv8-L: CSPDarknet holds about 45% of the GFLOPs and parameters).
constexpr double kBackboneShare = 0.45;

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
