// Detection loss with globally normalised positives.
#include "trainplan/executor/model/loss.hpp"

#include <algorithm>
#include <vector>

#include "trainplan/error.hpp"
#include "trainplan/executor/model/assigner.hpp"

namespace trainplan::executor {

torch::Tensor generalized_box_iou(const torch::Tensor& a, const torch::Tensor& b) {
  const auto area = [](const torch::Tensor& x) {
    return (x.select(1, 2) - x.select(1, 0)).clamp_min(0) *
           (x.select(1, 3) - x.select(1, 1)).clamp_min(0);
  };
  const torch::Tensor lo = torch::max(a.slice(1, 0, 2), b.slice(1, 0, 2));
  const torch::Tensor hi = torch::min(a.slice(1, 2, 4), b.slice(1, 2, 4));
  const torch::Tensor inter = (hi - lo).clamp_min(0).prod(1);
  const torch::Tensor uni = area(a) + area(b) - inter;
  const torch::Tensor enclosing_lo = torch::min(a.slice(1, 0, 2), b.slice(1, 0, 2));
  const torch::Tensor enclosing_hi = torch::max(a.slice(1, 2, 4), b.slice(1, 2, 4));
  const torch::Tensor enclosing = (enclosing_hi - enclosing_lo).clamp_min(0).prod(1);
  // The small epsilon only guards degenerate (zero-area) pairs against 0 / 0.
  const double eps = 1e-7;
  return inter / (uni + eps) - (enclosing - uni) / (enclosing + eps);
}

LossOutput detection_loss(const HeadOutput& head, const torch::Tensor& targets, int batch_size,
                          Communicator& comm, const LossOptions& options) {
  const int64_t n = head.cls_logits.size(0);
  const int64_t num_classes = head.cls_logits.size(2);
  TORCH_CHECK(n == batch_size, "detection_loss: head output has ", n, " images, batch_size ",
              batch_size);
  const Targets truth = Targets::from_flat(targets, batch_size, num_classes);

  // Assignment and targets carry no gradient.
  torch::Tensor cls_target =
      torch::zeros_like(head.cls_logits, torch::MemoryFormat::Contiguous).detach();
  std::vector<torch::Tensor> pred_boxes, target_boxes;
  int64_t local_positives = 0;
  for (int64_t b = 0; b < n; ++b) {
    const ImageTargets& image = truth.images[static_cast<size_t>(b)];
    const torch::Tensor boxes = image.boxes.to(head.anchor_points.device());
    const torch::Tensor owner =
        assign_anchors(head.anchor_points, head.strides, boxes, options.center_radius);
    const torch::Tensor positive = (owner >= 0).nonzero().squeeze(1);
    if (positive.numel() == 0) continue;
    const torch::Tensor gt = owner.index_select(0, positive);
    local_positives += positive.numel();
    // Each anchor has one owner, so the indices are distinct: index_put_ without
    // accumulation is deterministic.
    cls_target[b].index_put_({positive, image.classes.to(gt.device()).index_select(0, gt)}, 1.0);

    const torch::Tensor points = head.anchor_points.index_select(0, positive);
    const torch::Tensor dist = head.box_distances[b].index_select(0, positive);
    pred_boxes.push_back(
        torch::cat({points - dist.slice(1, 0, 2), points + dist.slice(1, 2, 4)}, 1));
    target_boxes.push_back(boxes.index_select(0, gt));
  }

  const torch::Tensor sum_cls = torch::binary_cross_entropy_with_logits(head.cls_logits, cls_target,
                                                                        {}, {}, at::Reduction::Sum);
  // With no positive on this rank the box term is an explicit 0 connected to the graph, so
  // that every rank's backward walks the same layers (each SyncBatchNorm is a collective).
  torch::Tensor sum_box = head.box_distances.sum() * 0.0;
  if (!pred_boxes.empty()) {
    sum_box = (1.0 - generalized_box_iou(torch::cat(pred_boxes), torch::cat(target_boxes))).sum();
  }

  torch::Tensor positives = torch::full({1}, static_cast<double>(local_positives),
                                        torch::TensorOptions().dtype(torch::kFloat64));
  comm.allreduce_sum_small(positives);
  const double global_positives = positives.item<double>();
  const double scale = static_cast<double>(comm.world_size()) / std::max(1.0, global_positives);

  LossOutput out;
  const torch::Tensor cls_part = sum_cls * scale;
  const torch::Tensor box_part = sum_box * (options.box_weight * scale);
  out.total = cls_part + box_part;
  out.cls = cls_part.item<double>();
  out.box = box_part.item<double>();
  out.num_positives = static_cast<int64_t>(global_positives + 0.5);
  return out;
}

}  // namespace trainplan::executor
