#pragma once
// COCO's accumulation step for one class, area range and IoU threshold: the detections of all
// images, ranked by score, turned into 101-point interpolated precision and final recall.
#include <vector>

#include "trainplan/executor/eval/image_evaluation.hpp"

namespace trainplan::executor {

/// Average precision and recall of one ranking.
struct RankingSummary {
  /// Mean of the interpolated precision at the recall points 0, 0.01, ..., 1.
  double average_precision = 0;
  /// Recall after the last detection.
  double recall = 0;
};

/// `ranked`: outcomes in decreasing score order over all images; `counted_truths` > 0: the
/// ground truths recall is a share of. Ignored detections are skipped. After each remaining
/// detection, precision = TP / (TP + FP) and recall = TP / counted_truths; precision is made
/// monotone (each value becomes the best one at that rank or later), and each recall point r
/// reads the precision at the first rank whose recall is >= r (0 when recall never reaches r).
/// Recall points are exact decimals (percent / 100), like the IoU thresholds.
RankingSummary summarize_ranking(const std::vector<Outcome>& ranked, int counted_truths);

}  // namespace trainplan::executor
