#pragma once
// COCO-style mean average precision (pycocotools' "all areas, maxDets=100" figures), over
// plain records so that it builds without LibTorch.
#include <vector>

#include "trainplan/executor/eval/detection.hpp"

namespace trainplan::executor {

/// mAP at IoU 0.50 and averaged over IoU 0.50:0.05:0.95.
struct MapResult {
  double map50 = 0.0;
  double map50_95 = 0.0;
  /// Classes that had ground truth (the ones averaged over).
  int classes_evaluated = 0;
};

/// The IoU thresholds 0.50, 0.55, ..., 0.95, each computed as an integer percent / 100 so that
/// a detection whose IoU is exactly 0.6 (e.g. 60 / 100) matches at the threshold 0.6.
std::vector<double> coco_iou_thresholds();

/// Average precision of one class at one IoU threshold: detections (of one class) sorted by
/// decreasing score (stable on ties); each is matched greedily to the unmatched ground truth
/// of its image with the highest IoU, if that IoU >= threshold, else it is a false positive;
/// precision is made monotone (the maximum to its right) and read at the 101 recall points
/// 0, 0.01, ..., 1 (0 where the recall is never reached). All records are of one class; 0
/// when `truths` is empty.
double average_precision(const std::vector<Detection>& detections,
                         const std::vector<GroundTruth>& truths, double iou_threshold);

/// COCO mAP: per class with ground truth, AP at each threshold; map50 is the mean over those
/// classes at 0.5, map50_95 the mean over classes and all ten thresholds. Classes outside
/// [0, num_classes) are ignored; classes without ground truth do not count (their
/// detections cannot be judged), as in pycocotools. Both figures are 0 with no ground truth.
MapResult coco_map(const std::vector<Detection>& detections, const std::vector<GroundTruth>& truths,
                   int num_classes);

}  // namespace trainplan::executor
