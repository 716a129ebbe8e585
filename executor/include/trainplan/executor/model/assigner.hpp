#pragma once
// Ground-truth boxes of a batch and the label assignment that decides which anchor points
// learn which box.
//
// Assignment (FCOS/YOLOX centre sampling, on all pyramid levels):
//  1. An anchor point is a candidate for a box when it lies strictly inside the box AND
//     within `radius` strides of the box centre along both axes (|x - cx| < r*s and
//     |y - cy| < r*s, s the anchor's stride). Every level takes part: the radius, measured in
//     the level's own stride, already lets a large box claim several points on the coarse
//     levels and only central points on the fine one, and a small box cannot hold coarse
//     points at all. This avoids hand-tuned size ranges, which a 128-pixel test image and a
//     1280-pixel fine-tune would need differently.
//  2. An anchor point that is a candidate for several boxes goes to the box of smallest area
//     (the lowest index on equal areas): the small object would otherwise lose its few points.
//  3. A box with no candidate at all (smaller than the stride-8 spacing, or off the grid) is
//     given the stride-8 point nearest its centre, unless a smaller box holds that point, so
//     that every object is learnt.
// The result is deterministic and needs no model prediction (unlike SimOTA or TAL), which
// keeps every rank's assignment independent of the others'.
#include <torch/torch.h>

#include <vector>

namespace trainplan::executor {

/// The ground truth of one image.
struct ImageTargets {
  /// [M, 4] float (x1, y1, x2, y2) in input pixels.
  torch::Tensor boxes;
  /// [M] int64 class indices.
  torch::Tensor classes;
};

/// The ground truth of a batch, one entry per image.
struct Targets {
  std::vector<ImageTargets> images;

  /// From a flat [M, 6] float tensor of (index in batch, class, cx, cy, w, h) in input pixels.
  /// Boxes with w <= 0 or h <= 0 are dropped (nothing can overlap them). Throws InputError
  /// for a tensor that is not [M, 6], an index that is not an integer in [0, batch_size), or a
  /// class that is not an integer in [0, num_classes).
  static Targets from_flat(const torch::Tensor& flat, int batch_size, int64_t num_classes);
};

/// For each anchor point the index of the box it learns, or -1 for background: [A] int64.
/// `anchor_points` [A, 2], `strides` [A], `boxes` [M, 4] xyxy (see the rules above).
torch::Tensor assign_anchors(const torch::Tensor& anchor_points, const torch::Tensor& strides,
                             const torch::Tensor& boxes, double radius = 2.5);

}  // namespace trainplan::executor
