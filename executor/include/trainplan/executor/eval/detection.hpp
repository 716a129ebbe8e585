#pragma once
// Plain detection and ground-truth records, and box IoU. No LibTorch here: evaluation code
// builds in seconds and can be used without the model.
#include <algorithm>

namespace trainplan::executor {

/// An axis-aligned box (x1, y1) - (x2, y2) in pixels (input or original image, one frame for
/// all the records compared).
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

/// One annotated object, or a crowd region.
struct GroundTruth {
  int image = 0;
  int class_id = 0;
  Box box;
  /// COCO's "area" (the segment's area, in the pixels of `box`), which decides the object's
  /// S/M/L range; 0 when unknown, and then the box's area stands in.
  double area = 0;
  /// A crowd region (COCO's iscrowd=1): never counted as an object to find; a detection
  /// inside it is ignored rather than called a false positive.
  bool crowd = false;

  /// The area that places the object in an area range.
  double range_area() const { return area > 0 ? area : box.area(); }
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

/// The overlap COCO uses between a detection and a crowd region: intersection over the
/// detection's own area (0 for an empty detection). Why not IoU: a crowd region is much larger
/// than any one object in it, so a good detection inside it would have a tiny IoU.
inline double crowd_overlap(const Box& detection, const Box& crowd) {
  const Box inter{std::max(detection.x1, crowd.x1), std::max(detection.y1, crowd.y1),
                  std::min(detection.x2, crowd.x2), std::min(detection.y2, crowd.y2)};
  const double a = detection.area();
  return a > 0 ? inter.area() / a : 0.0;
}

}  // namespace trainplan::executor
