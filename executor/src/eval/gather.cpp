// gather_evaluation: detections and ground truths packed as float64 rows (exact for the int
// ids, the crowd flag and the float32-derived scores, boxes and areas), all-gathered with
// padding, then unpacked and put in image order.
#include "trainplan/executor/eval/gather.hpp"

#include <algorithm>

namespace trainplan::executor {
namespace {

constexpr int64_t kColumns = 9;  // image, class, score, x1, y1, x2, y2, area, crowd

torch::Tensor pack(const EvaluationRecords& r, int64_t rows) {
  torch::Tensor t = torch::zeros({rows, kColumns}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  int64_t row = 0;
  const auto put = [&](int image, int class_id, double score, const Box& b, double area,
                       bool crowd) {
    const double values[kColumns] = {double(image), double(class_id), score, b.x1, b.y1, b.x2,
                                     b.y2, area, crowd ? 1.0 : 0.0};
    for (int64_t c = 0; c < kColumns; ++c) a[row][c] = values[c];
    ++row;
  };
  for (const Detection& d : r.detections) put(d.image, d.class_id, d.score, d.box, 0.0, false);
  for (const GroundTruth& g : r.truths) put(g.image, g.class_id, 0.0, g.box, g.area, g.crowd);
  return t;
}

void unpack(const torch::Tensor& rows, int64_t detections, int64_t truths, EvaluationRecords& out) {
  auto a = rows.accessor<double, 2>();
  for (int64_t i = 0; i < detections + truths; ++i) {
    const Box box{a[i][3], a[i][4], a[i][5], a[i][6]};
    if (i < detections)
      out.detections.push_back(Detection{int(a[i][0]), int(a[i][1]), a[i][2], box});
    else
      out.truths.push_back(GroundTruth{int(a[i][0]), int(a[i][1]), box, a[i][7], a[i][8] != 0});
  }
}

template <typename Record>
void order_by_image(std::vector<Record>& records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return a.image < b.image; });
}

}  // namespace

EvaluationRecords gather_evaluation(EvaluationRecords mine, Communicator& comm) {
  EvaluationRecords all;
  if (comm.world_size() == 1) {
    all = std::move(mine);
  } else {
    const torch::Tensor counts = comm.allgather(torch::tensor(
        {double(mine.detections.size()), double(mine.truths.size())}, torch::kFloat64));
    // Gloo's all-gather needs equal shapes: pad to the largest rank's rows (at least one).
    const int64_t rows = std::max<int64_t>(1, int64_t(counts.sum(1).max().item<double>()));
    const torch::Tensor gathered = comm.allgather(pack(mine, rows));
    for (int r = 0; r < comm.world_size(); ++r)
      unpack(gathered[r], int64_t(counts[r][0].item<double>()), int64_t(counts[r][1].item<double>()), all);
  }
  order_by_image(all.detections);
  order_by_image(all.truths);
  return all;
}

}  // namespace trainplan::executor
