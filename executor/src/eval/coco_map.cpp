// COCO mAP: greedy matching per IoU threshold and 101-point interpolated precision.
#include "trainplan/executor/eval/coco_map.hpp"

#include <algorithm>
#include <map>

namespace trainplan::executor {

std::vector<double> coco_iou_thresholds() {
  std::vector<double> t;
  for (int percent = 50; percent <= 95; percent += 5) t.push_back(percent / 100.0);
  return t;
}

double average_precision(const std::vector<Detection>& detections,
                         const std::vector<GroundTruth>& truths, double iou_threshold) {
  if (truths.empty()) return 0.0;
  std::vector<const Detection*> ranked;
  for (const Detection& d : detections) ranked.push_back(&d);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Detection* a, const Detection* b) { return a->score > b->score; });
  std::map<int, std::vector<const GroundTruth*>> truths_by_image;
  for (const GroundTruth& g : truths) truths_by_image[g.image].push_back(&g);
  std::map<const GroundTruth*, bool> matched;

  // Cumulative precision and recall after each ranked detection.
  std::vector<double> precision, recall;
  double tp = 0, fp = 0;
  for (const Detection* d : ranked) {
    const GroundTruth* best = nullptr;
    double best_iou = iou_threshold;  // a match needs IoU >= threshold
    for (const GroundTruth* g : truths_by_image[d->image]) {
      if (matched[g]) continue;
      const double iou = box_iou(d->box, g->box);
      if (iou >= best_iou) {
        best_iou = iou;
        best = g;
      }
    }
    if (best != nullptr) {
      matched[best] = true;
      tp += 1;
    } else {
      fp += 1;
    }
    precision.push_back(tp / (tp + fp));
    recall.push_back(tp / static_cast<double>(truths.size()));
  }
  // The precision envelope: at each rank, the best precision reachable at that recall or more.
  for (size_t i = precision.size(); i-- > 1;) {
    precision[i - 1] = std::max(precision[i - 1], precision[i]);
  }
  double sum = 0;
  for (int r = 0; r <= 100; ++r) {
    const double point = r / 100.0;
    const auto first = std::lower_bound(recall.begin(), recall.end(), point);
    if (first != recall.end()) sum += precision[static_cast<size_t>(first - recall.begin())];
  }
  return sum / 101.0;
}

MapResult coco_map(const std::vector<Detection>& detections, const std::vector<GroundTruth>& truths,
                   int num_classes) {
  std::vector<std::vector<Detection>> dets(static_cast<size_t>(std::max(0, num_classes)));
  std::vector<std::vector<GroundTruth>> gts(dets.size());
  for (const Detection& d : detections) {
    if (d.class_id >= 0 && d.class_id < num_classes)
      dets[static_cast<size_t>(d.class_id)].push_back(d);
  }
  for (const GroundTruth& g : truths) {
    if (g.class_id >= 0 && g.class_id < num_classes)
      gts[static_cast<size_t>(g.class_id)].push_back(g);
  }
  const std::vector<double> thresholds = coco_iou_thresholds();
  MapResult result;
  double sum50 = 0, sum_all = 0;
  for (size_t k = 0; k < dets.size(); ++k) {
    if (gts[k].empty()) continue;
    ++result.classes_evaluated;
    for (double t : thresholds) {
      const double ap = average_precision(dets[k], gts[k], t);
      sum_all += ap;
      if (t == thresholds.front()) sum50 += ap;
    }
  }
  if (result.classes_evaluated > 0) {
    result.map50 = sum50 / result.classes_evaluated;
    result.map50_95 = sum_all / (result.classes_evaluated * static_cast<double>(thresholds.size()));
  }
  return result;
}

}  // namespace trainplan::executor
