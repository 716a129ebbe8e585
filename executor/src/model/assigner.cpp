// Targets from the flat label tensor, and centre-sampling label assignment.
#include "trainplan/executor/model/assigner.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "trainplan/error.hpp"

namespace trainplan::executor {

Targets Targets::from_flat(const torch::Tensor& flat, int batch_size, int64_t num_classes) {
  if (flat.dim() != 2 || flat.size(1) != 6) {
    throw InputError("targets must be [M, 6] (index, class, cx, cy, w, h), got " +
                     c10::str(flat.sizes()));
  }
  const torch::Tensor t = flat.detach().to(torch::kCPU, torch::kFloat64);
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(batch_size));
  auto acc = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i) {
    const double index = acc[i][0];
    const double cls = acc[i][1];
    // Both are integers stored as floats; anything else is a bug in the data pipeline.
    if (!(index >= 0 && index < batch_size && index == std::floor(index))) {
      throw InputError("targets row " + std::to_string(i) + ": image index " + c10::str(index) +
                       " is not an integer in [0, " + std::to_string(batch_size) + ")");
    }
    if (!(cls >= 0 && cls < static_cast<double>(num_classes) && cls == std::floor(cls))) {
      throw InputError("targets row " + std::to_string(i) + ": class " + c10::str(cls) +
                       " is not an integer in [0, " + std::to_string(num_classes) + ")");
    }
    if (acc[i][4] > 0 && acc[i][5] > 0) rows[static_cast<size_t>(index)].push_back(i);
  }
  Targets out;
  const auto float_opts = flat.options().dtype(torch::kFloat32);
  for (const auto& image_rows : rows) {
    const torch::Tensor r =
        t.index_select(0, torch::tensor(image_rows, torch::kLong)).to(float_opts);
    const torch::Tensor c = r.slice(1, 2, 4);
    const torch::Tensor half = r.slice(1, 4, 6) / 2;
    out.images.push_back({torch::cat({c - half, c + half}, 1), r.select(1, 1).to(torch::kLong)});
  }
  return out;
}

torch::Tensor assign_anchors(const torch::Tensor& anchor_points, const torch::Tensor& strides,
                             const torch::Tensor& boxes, double radius) {
  const int64_t num_anchors = anchor_points.size(0);
  const auto long_opts = anchor_points.options().dtype(torch::kLong);
  if (boxes.size(0) == 0) return torch::full({num_anchors}, -1, long_opts);

  const torch::Tensor ax = anchor_points.select(1, 0).unsqueeze(0);  // [1, A]
  const torch::Tensor ay = anchor_points.select(1, 1).unsqueeze(0);
  const torch::Tensor x1 = boxes.select(1, 0).unsqueeze(1);  // [M, 1]
  const torch::Tensor y1 = boxes.select(1, 1).unsqueeze(1);
  const torch::Tensor x2 = boxes.select(1, 2).unsqueeze(1);
  const torch::Tensor y2 = boxes.select(1, 3).unsqueeze(1);
  const torch::Tensor reach = strides.unsqueeze(0) * radius;  // [1, A]

  const torch::Tensor inside = (ax > x1) & (ax < x2) & (ay > y1) & (ay < y2);
  const torch::Tensor central =
      ((ax - (x1 + x2) / 2).abs() < reach) & ((ay - (y1 + y2) / 2).abs() < reach);
  const torch::Tensor area = (x2 - x1) * (y2 - y1);  // [M, 1]
  const double inf = std::numeric_limits<double>::infinity();
  torch::Tensor cost = torch::where(inside & central, area.expand({-1, num_anchors}),
                                    torch::full({}, inf, area.options()));
  // Rule 3: a box without candidates claims the nearest finest-level point, at its own area
  // as cost, so that rule 2 still decides against smaller boxes.
  const torch::Tensor has_candidate = (inside & central).any(1);
  const torch::Tensor finest = strides == strides.min();
  for (int64_t m = 0; m < boxes.size(0); ++m) {
    if (has_candidate[m].item<bool>()) continue;
    const torch::Tensor centre = (boxes[m].slice(0, 0, 2) + boxes[m].slice(0, 2, 4)) / 2;
    const torch::Tensor dist = (anchor_points - centre).square().sum(1);
    const int64_t nearest = torch::where(finest, dist, inf).argmin().item<int64_t>();
    cost[m][nearest] = area[m][0];
  }
  const auto [min_area, owner] = cost.min(0);  // first minimum: the lowest index on ties
  return torch::where(torch::isinf(min_area), torch::full({}, -1, long_opts), owner);
}

}  // namespace trainplan::executor
