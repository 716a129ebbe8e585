// Greedy class-aware NMS over plain records.
#include "trainplan/executor/eval/nms.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace trainplan::executor {

std::vector<Detection> class_aware_nms(std::vector<Detection> detections, double iou_threshold,
                                       int max_keep) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  // Boxes only suppress boxes of their own image and class: keep one list per pair, so each
  // candidate is compared with its own group only.
  std::map<std::pair<int, int>, std::vector<Box>> kept_by_group;
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    if (max_keep >= 0 && static_cast<int>(kept.size()) >= max_keep) break;
    std::vector<Box>& group = kept_by_group[{d.image, d.class_id}];
    const bool suppressed = std::any_of(group.begin(), group.end(), [&](const Box& k) {
      return box_iou(k, d.box) > iou_threshold;
    });
    if (suppressed) continue;
    group.push_back(d.box);
    kept.push_back(d);
  }
  return kept;
}

}  // namespace trainplan::executor
