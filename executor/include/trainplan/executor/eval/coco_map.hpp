#pragma once
// COCO mAP following pycocotools' COCOeval (bbox) over plain records, so that it builds
// without LibTorch: crowd regions ignored, S/M/L area ranges, 101-point interpolation, at most
// 100 detections per image and class.
#include <vector>

#include "trainplan/executor/eval/detection.hpp"
#include "trainplan/executor/eval/image_evaluation.hpp"

namespace trainplan::executor {

/// Detections evaluated per image and class (pycocotools' maxDets=100; it cuts per image and
/// category, since each (image, category) pair is evaluated on its own).
inline constexpr int kCocoMaxDetections = 100;

/// COCO's area ranges, on a ground truth's range_area() and a detection's box area (square
/// pixels of the original image). Bounds are inclusive, so 32^2 is both small and medium.
inline constexpr AreaRange kAllAreas{0, 1e10};
inline constexpr AreaRange kSmallAreas{0, 32.0 * 32.0};
inline constexpr AreaRange kMediumAreas{32.0 * 32.0, 96.0 * 96.0};
inline constexpr AreaRange kLargeAreas{96.0 * 96.0, 1e10};

/// pycocotools' summary figures (its stats[0..5] and stats[8]). Each AP is averaged over the
/// classes with at least one counted ground truth (not crowd, inside the range): others have
/// no recall to measure and are left out, as pycocotools' -1 entries are.
struct MapResult {
  /// AP at IoU 0.5, all areas ("AP50"); 0 with no counted ground truth.
  double map50 = 0.0;
  /// AP averaged over IoU 0.50:0.05:0.95, all areas (COCO's headline "AP"); 0 with no counted
  /// ground truth.
  double map50_95 = 0.0;
  /// AP at IoU 0.75, all areas; 0 with no counted ground truth.
  double map75 = 0.0;
  /// AP (0.50:0.95) of small (area <= 32^2), medium (32^2 to 96^2) and large (>= 96^2)
  /// objects; -1 when no class has a counted ground truth in that range (pycocotools' value:
  /// a validation set without small objects says nothing about them, which 0 would hide).
  double map_small = -1.0;
  double map_medium = -1.0;
  double map_large = -1.0;
  /// Recall after the 100 best detections per image and class, averaged over the ten IoU
  /// thresholds and the classes ("AR@100"); 0 with no counted ground truth.
  double ar100 = 0.0;
  /// Classes that had a counted ground truth (the ones map50 ... ar100 average over).
  int classes_evaluated = 0;
};

/// The IoU thresholds 0.50, 0.55, ..., 0.95, each computed as an integer percent / 100 so that
/// a detection whose IoU is exactly 0.6 (e.g. 60 / 100) matches at the threshold 0.6.
std::vector<double> coco_iou_thresholds();

/// Average precision of one class at one IoU threshold, all areas, at most
/// kCocoMaxDetections per image: evaluate_image per image, then summarize_ranking over all
/// images' detections ranked by score (stable: image id order, then each image's order). All
/// records are of one class; 0 when no ground truth counts.
double average_precision(const std::vector<Detection>& detections,
                         const std::vector<GroundTruth>& truths, double iou_threshold);

/// COCO mAP of `num_classes` classes. Records may come in any order (images are taken in
/// increasing id order, as pycocotools sorts its image ids). Classes outside [0, num_classes)
/// are dropped.
MapResult coco_map(const std::vector<Detection>& detections, const std::vector<GroundTruth>& truths,
                   int num_classes);

}  // namespace trainplan::executor
