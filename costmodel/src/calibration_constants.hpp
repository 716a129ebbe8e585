#pragma once
// The calibration fit's settings (docs/costmodel.md, calibration).

namespace trainplan::costmodel::detail {

/// Pull of the communication, data and overhead log-scales towards 0 (scale 1) when several
/// records are fitted; the compute scale is the model's efficiency, which every record sees.
constexpr double kRidge = 0.2;
/// Scales stay within e^-6 .. e^6.
constexpr double kMaxLogScale = 6.0;
constexpr int kMaxIterations = 60;
/// A one-record fit that ends further off than this (in ln) tries the next kind.
constexpr double kExactLogError = 1e-3;
/// A data wait above this share of the step means the loader is the bottleneck; below it, the
/// wait is the jitter of a loader that keeps up (mmengine logs report 5-20 ms of `data_time`
/// on 0.3-1 s steps that are GPU-bound).
constexpr double kSignificantWaitShare = 0.10;

}  // namespace trainplan::costmodel::detail
