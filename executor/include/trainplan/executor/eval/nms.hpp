#pragma once
// Class-aware non-maximum suppression, written out (no torchvision in the executor).
#include <vector>

#include "trainplan/executor/eval/detection.hpp"

namespace trainplan::executor {

/// Keeps, in order of decreasing score, each detection whose IoU with every already kept
/// detection of the same image and class is <= `iou_threshold`; at most `max_keep` of them
/// (a negative value keeps all). Ties in score keep the input order (stable), so the result
/// is deterministic. Returns the kept detections sorted by decreasing score.
std::vector<Detection> class_aware_nms(std::vector<Detection> detections, double iou_threshold,
                                       int max_keep = -1);

}  // namespace trainplan::executor
