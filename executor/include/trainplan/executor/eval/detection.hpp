#pragma once
// Plain detection and ground-truth records, and box IoU. No LibTorch here: evaluation code
// builds in seconds and can be used without the model.
#include <algorithm>

namespace trainplan::executor {

/// An axis-aligned box (x1, y1) - (x2, y2) in input pixels.
struct Box {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  /// Width * height, 0 for an empty or inverted box.
  double area() const { return std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1); }
};

/// One predicted object.
struct Detection {
  /// Which image of the evaluated set (any id, equal for the same image).
  int image = 0;
  /// Class index in [0, K).
  int class_id = 0;
  /// Confidence in [0, 1]; higher ranks first.
  double score = 0;
  Box box;
};

/// One annotated object.
struct GroundTruth {
  int image = 0;
  int class_id = 0;
  Box box;
};

/// Intersection over union, 0 when the union is empty. Continuous coordinates (COCO's
/// convention, no "+1" pixel).
inline double box_iou(const Box& a, const Box& b) {
  const Box inter{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2),
                  std::min(a.y2, b.y2)};
  const double i = inter.area();
  const double u = a.area() + b.area() - i;
  return u > 0 ? i / u : 0.0;
}

}  // namespace trainplan::executor
