// coco_map: per class and area range, per-image matching then one ranking over all images;
// the summary figures are means over classes (and thresholds) of the rankings' summaries.
#include "trainplan/executor/eval/coco_map.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "trainplan/executor/eval/interpolated_precision.hpp"

namespace trainplan::executor {
namespace {

/// One image's records of one class.
struct ImageRecords {
  std::vector<Detection> detections;
  std::vector<GroundTruth> truths;
};

/// One class's records by image id (ordered: pycocotools walks image ids in increasing order,
/// which fixes the order of equal scores across images).
using ClassRecords = std::map<int, ImageRecords>;

/// Per threshold, the summary of one class at one area range; nothing when no ground truth
/// counts there (pycocotools' -1: the class is left out of that range's mean).
std::optional<std::vector<RankingSummary>> evaluate_class(const ClassRecords& images,
                                                          const std::vector<double>& thresholds,
                                                          const AreaRange& range) {
  struct Ranked {
    double score;
    size_t image;      // index into `evaluations`
    size_t detection;  // index among that image's kept detections
  };
  std::vector<ImageEvaluation> evaluations;
  std::vector<Ranked> ranked;
  int counted = 0;
  for (const auto& [id, records] : images) {
    evaluations.push_back(
        evaluate_image(records.detections, records.truths, thresholds, range, kCocoMaxDetections));
    const ImageEvaluation& e = evaluations.back();
    counted += e.counted_truths;
    for (size_t d = 0; d < e.scores.size(); ++d)
      ranked.push_back(Ranked{e.scores[d], evaluations.size() - 1, d});
  }
  if (counted == 0) return std::nullopt;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
  std::vector<RankingSummary> summaries;
  for (size_t t = 0; t < thresholds.size(); ++t) {
    std::vector<Outcome> outcomes;
    outcomes.reserve(ranked.size());
    for (const Ranked& r : ranked)
      outcomes.push_back(evaluations[r.image].outcomes[t][r.detection]);
    summaries.push_back(summarize_ranking(outcomes, counted));
  }
  return summaries;
}

/// A running mean that reports `empty` when nothing was added.
struct Mean {
  double sum = 0;
  int count = 0;
  void add(double v) {
    sum += v;
    ++count;
  }
  double value(double empty) const { return count > 0 ? sum / count : empty; }
};

}  // namespace

std::vector<double> coco_iou_thresholds() {
  std::vector<double> t;
  for (int percent = 50; percent <= 95; percent += 5) t.push_back(percent / 100.0);
  return t;
}

double average_precision(const std::vector<Detection>& detections,
                         const std::vector<GroundTruth>& truths, double iou_threshold) {
  ClassRecords images;
  for (const Detection& d : detections) images[d.image].detections.push_back(d);
  for (const GroundTruth& g : truths) images[g.image].truths.push_back(g);
  const auto summary = evaluate_class(images, {iou_threshold}, kAllAreas);
  return summary ? summary->front().average_precision : 0.0;
}

MapResult coco_map(const std::vector<Detection>& detections, const std::vector<GroundTruth>& truths,
                   int num_classes) {
  std::vector<ClassRecords> classes(size_t(std::max(0, num_classes)));
  for (const Detection& d : detections) {
    if (d.class_id >= 0 && d.class_id < num_classes)
      classes[size_t(d.class_id)][d.image].detections.push_back(d);
  }
  for (const GroundTruth& g : truths) {
    if (g.class_id >= 0 && g.class_id < num_classes)
      classes[size_t(g.class_id)][g.image].truths.push_back(g);
  }
  const std::vector<double> thresholds = coco_iou_thresholds();
  const size_t t75 = 5;  // thresholds[5] == 0.75
  Mean ap50, ap, ap75, ar100, small, medium, large;
  MapResult result;
  for (const ClassRecords& images : classes) {
    if (const auto all = evaluate_class(images, thresholds, kAllAreas)) {
      ++result.classes_evaluated;
      ap50.add((*all)[0].average_precision);
      ap75.add((*all)[t75].average_precision);
      for (const RankingSummary& s : *all) {
        ap.add(s.average_precision);
        ar100.add(s.recall);
      }
    }
    for (auto [range, mean] : {std::pair{kSmallAreas, &small}, std::pair{kMediumAreas, &medium},
                               std::pair{kLargeAreas, &large}}) {
      if (const auto summaries = evaluate_class(images, thresholds, range))
        for (const RankingSummary& s : *summaries) mean->add(s.average_precision);
    }
  }
  result.map50 = ap50.value(0.0);
  result.map50_95 = ap.value(0.0);
  result.map75 = ap75.value(0.0);
  result.ar100 = ar100.value(0.0);
  result.map_small = small.value(-1.0);
  result.map_medium = medium.value(-1.0);
  result.map_large = large.value(-1.0);
  return result;
}

}  // namespace trainplan::executor
