// summarize_ranking: the precision envelope read at 101 recall points.
#include "trainplan/executor/eval/interpolated_precision.hpp"

#include <algorithm>

namespace trainplan::executor {

RankingSummary summarize_ranking(const std::vector<Outcome>& ranked, int counted_truths) {
  RankingSummary summary;
  if (counted_truths <= 0) return summary;
  std::vector<double> precision, recall;
  double tp = 0, fp = 0;
  for (Outcome o : ranked) {
    if (o == Outcome::ignored) continue;  // as if it had not been reported
    (o == Outcome::true_positive ? tp : fp) += 1;
    precision.push_back(tp / (tp + fp));
    recall.push_back(tp / counted_truths);
  }
  if (recall.empty()) return summary;
  summary.recall = recall.back();
  // The envelope: at each rank, the best precision reachable at that recall or more. Why:
  // a user can always pick a lower score threshold, so precision "at recall r" is the best
  // any threshold with recall >= r gives.
  for (size_t i = precision.size(); i-- > 1;)
    precision[i - 1] = std::max(precision[i - 1], precision[i]);
  double sum = 0;
  for (int percent = 0; percent <= 100; ++percent) {
    const auto first = std::lower_bound(recall.begin(), recall.end(), percent / 100.0);
    if (first != recall.end()) sum += precision[size_t(first - recall.begin())];
  }
  summary.average_precision = sum / 101.0;
  return summary;
}

}  // namespace trainplan::executor
