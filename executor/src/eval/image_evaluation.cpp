// evaluate_image: greedy matching of one image's detections, ignored regions last.
#include "trainplan/executor/eval/image_evaluation.hpp"

#include <algorithm>

namespace trainplan::executor {

ImageEvaluation evaluate_image(std::vector<Detection> detections,
                               const std::vector<GroundTruth>& truths,
                               const std::vector<double>& thresholds, const AreaRange& range,
                               int max_detections) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (max_detections >= 0 && detections.size() > size_t(max_detections))
    detections.resize(size_t(max_detections));

  // Counted ground truths first (stable): a detection tries them all before falling back on an
  // ignored one, so an ignored region never takes a detection a real object could have.
  std::vector<const GroundTruth*> order;
  std::vector<bool> ignored;
  ImageEvaluation result;
  for (int pass = 0; pass < 2; ++pass) {
    for (const GroundTruth& g : truths) {
      const bool ignore = g.crowd || range.excludes(g.range_area());
      if (ignore != (pass == 1)) continue;
      order.push_back(&g);
      ignored.push_back(ignore);
      if (!ignore) ++result.counted_truths;
    }
  }
  // Overlaps once for all thresholds.
  std::vector<std::vector<double>> overlap(detections.size(), std::vector<double>(order.size()));
  for (size_t d = 0; d < detections.size(); ++d) {
    for (size_t g = 0; g < order.size(); ++g) {
      overlap[d][g] = order[g]->crowd ? crowd_overlap(detections[d].box, order[g]->box)
                                      : box_iou(detections[d].box, order[g]->box);
    }
  }

  for (const Detection& d : detections) result.scores.push_back(d.score);
  for (double threshold : thresholds) {
    std::vector<bool> taken(order.size(), false);
    std::vector<Outcome> outcomes;
    for (size_t d = 0; d < detections.size(); ++d) {
      int best = -1;
      double best_overlap = threshold;
      for (size_t g = 0; g < order.size(); ++g) {
        if (taken[g] && !order[g]->crowd) continue;
        // Already holding a counted match: ignored ground truths (all after it) cannot win.
        if (best >= 0 && !ignored[size_t(best)] && ignored[g]) break;
        if (overlap[d][g] < best_overlap) continue;
        best_overlap = overlap[d][g];
        best = int(g);
      }
      if (best >= 0) {
        taken[size_t(best)] = true;
        outcomes.push_back(ignored[size_t(best)] ? Outcome::ignored : Outcome::true_positive);
      } else {
        // A miss the size of another range is that range's business, not this one's.
        outcomes.push_back(range.excludes(detections[d].box.area()) ? Outcome::ignored
                                                                    : Outcome::false_positive);
      }
    }
    result.outcomes.push_back(std::move(outcomes));
  }
  return result;
}

}  // namespace trainplan::executor
