#pragma once
// The learning-rate schedule: linear warm-up from a tenth of the rate, then linear decay to a
// tenth by the end of the stage (YOLOv5/YOLOv8's lrf schedule, with warm-up in epochs as the
// plan says). A function of the step alone, so a resumed run follows it exactly.
#include <algorithm>
#include <cstdint>

namespace trainplan::executor {

/// The learning rate at optimizer step `step` of `total` (warm-up lasts `warmup` steps).
inline double learning_rate(double base, int64_t step, int64_t total, int64_t warmup) {
  constexpr double kStart = 0.1, kEnd = 0.1;
  if (warmup > 0 && step < warmup) return base * (kStart + (1 - kStart) * double(step) / warmup);
  const double span = std::max<int64_t>(1, total - warmup);
  const double progress = std::clamp(double(step - warmup) / span, 0.0, 1.0);
  return base * (1 - (1 - kEnd) * progress);
}

}  // namespace trainplan::executor
