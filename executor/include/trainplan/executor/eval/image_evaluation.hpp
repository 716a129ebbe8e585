#pragma once
// COCO's per-image step (pycocotools' evaluateImg, bbox): the detections of one image and one
// class matched to its ground truths at each IoU threshold, for one area range.
#include <cstdint>
#include <vector>

#include "trainplan/executor/eval/detection.hpp"

namespace trainplan::executor {

/// An inclusive range of object areas, in square pixels of the frame the boxes are in.
struct AreaRange {
  double min = 0;
  double max = 1e10;
  /// Whether `area` lies outside [min, max].
  bool excludes(double area) const { return area < min || area > max; }
};

/// What one detection counts as at one IoU threshold. An ignored detection is neither a true
/// nor a false positive: it leaves precision and recall as they were.
enum class Outcome : uint8_t { false_positive, true_positive, ignored };

/// One image, one class, one area range.
struct ImageEvaluation {
  /// Scores of the detections kept (at most max_detections, highest first, stable on ties).
  std::vector<double> scores;
  /// outcomes[t][d]: what kept detection d counts as at threshold t.
  std::vector<std::vector<Outcome>> outcomes;
  /// Ground truths recall counts: neither crowd nor outside the area range.
  int counted_truths = 0;
};

/// Evaluates one image's detections and ground truths of one class (all records of the same
/// image and class), as pycocotools does:
/// - the detections are sorted by decreasing score (stable) and cut to `max_detections`;
/// - a ground truth is ignored when it is a crowd region or its range_area() is outside
///   `range`;
/// - at each threshold, each detection in score order takes the unmatched non-ignored ground
///   truth of highest IoU >= threshold (a tie goes to the later one); failing that, the
///   ignored one of highest overlap >= threshold (crowd regions: crowd_overlap, and they may
///   take any number of detections; others once each);
/// - matched to a non-ignored ground truth: true positive; to an ignored one: ignored;
///   unmatched: a false positive, or ignored when the detection's own box area is outside
///   `range`.
ImageEvaluation evaluate_image(std::vector<Detection> detections,
                               const std::vector<GroundTruth>& truths,
                               const std::vector<double>& thresholds, const AreaRange& range,
                               int max_detections);

}  // namespace trainplan::executor
