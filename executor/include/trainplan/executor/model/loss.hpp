#pragma once
// The detection loss: sigmoid BCE over all anchors and classes plus GIoU on the positives,
// normalised by the number of positives of the whole global batch so that data-parallel
// training computes exactly the single-process gradient.
#include <torch/torch.h>

#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/model/head.hpp"

namespace trainplan::executor {

/// Weights of the loss.
struct LossOptions {
  /// Weight of the box term against the classification term. With BCE summed over all K
  /// classes of every anchor and (1 - GIoU) in [0, 2] per positive, 5 puts the two terms on
  /// a similar scale early in training (YOLOX's IoU-loss weight).
  double box_weight = 5.0;
  /// Centre-sampling radius of the assignment, in strides (see assigner.hpp).
  double center_radius = 2.5;
};

/// The loss of one rank's batch.
struct LossOutput {
  /// Scalar with grad: (sum_cls + box_weight * sum_box) / max(1, global positives) *
  /// world_size. The factor world_size undoes the trainer's averaging of gradients over
  /// ranks: averaged, the per-rank gradients equal the gradient of the single-process loss
  /// over the whole global batch.
  torch::Tensor total;
  /// The box part of `total` (box_weight included) and the classification part: box + cls ==
  /// total on this rank; their mean over ranks is the global batch's value.
  double box = 0.0;
  double cls = 0.0;
  /// Positive anchors in the global batch (summed over ranks).
  int64_t num_positives = 0;
};

/// Elementwise generalised IoU of paired boxes [P, 4] xyxy: IoU - (C - U) / C, C the area of
/// the smallest enclosing box, U the union. In [-1, 1]; differentiable even without overlap.
torch::Tensor generalized_box_iou(const torch::Tensor& a, const torch::Tensor& b);

/// The loss of `head` for `targets` ([M, 6]: index in batch, class, cx, cy, w, h in input
/// pixels; see Targets::from_flat) over a batch of `batch_size` images. Calls
/// comm.allreduce_sum once (the positive count), so every rank must call it once per step.
/// Deterministic on CPU. Throws InputError for malformed targets.
LossOutput detection_loss(const HeadOutput& head, const torch::Tensor& targets, int batch_size,
                          Communicator& comm, const LossOptions& options = {});

}  // namespace trainplan::executor
