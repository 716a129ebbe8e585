#pragma once
// The anchor-free, decoupled detection head of YOLO-World: per pyramid level, a box branch
// predicts the distances from each location to the four sides of its object and an embedding
// branch predicts a region embedding that is compared with the class (text) embeddings.
#include <torch/torch.h>

#include <array>

#include "trainplan/executor/model/blocks.hpp"

namespace trainplan::executor {

/// What the detector predicts for a batch, with every pyramid level flattened into one list
/// of A anchor points (stride 8 first, then 16, then 32; row-major within a level).
struct HeadOutput {
  /// [N, A, K] class logits (sigmoid gives the score of each class).
  torch::Tensor cls_logits;
  /// [N, A, 4] distances (left, top, right, bottom) from the anchor point to the box sides,
  /// in input pixels, all >= 0.
  torch::Tensor box_distances;
  /// [A, 2] anchor point (x, y) in input pixels: the centre of its feature-map cell.
  torch::Tensor anchor_points;
  /// [A] stride (pixels per cell) of each anchor point's level.
  torch::Tensor strides;
};

/// The head over the stride-8/16/32 feature maps.
///
/// Box branch: two 3x3 ConvBnAct and a 1x1 conv to 4 channels; distance = softplus(raw) *
/// stride. Softplus rather than exp: it grows linearly, so an early large logit cannot blow
/// the box (and the GIoU gradient) up, and it never reaches exactly 0.
///
/// Class logits (YOLO-World's contrastive head): logit[k] = cos(region, class_k) *
/// exp(logit_scale[l]) + logit_bias[l], with one scale and bias per level l. The scale starts
/// at 1/0.07 (CLIP's temperature) and the bias at -4.6 (a prior score of 0.01, so the many
/// background locations do not swamp the first steps of training).
class DetectionHeadImpl : public torch::nn::Module {
 public:
  /// `in_channels`: channels of the three neck outputs; `embed_dim`: D.
  DetectionHeadImpl(const std::array<int64_t, 3>& in_channels, int64_t embed_dim);

  /// `features`: the neck outputs; `class_embeddings`: [K, D] (need not be normalised).
  HeadOutput forward(const std::array<torch::Tensor, 3>& features,
                     const torch::Tensor& class_embeddings);

  /// The strides of the three levels: 8, 16, 32.
  static constexpr std::array<int64_t, 3> kStrides{8, 16, 32};

  /// Per-level temperature (log) of the contrastive head, [3].
  torch::Tensor logit_scale;
  /// Per-level bias of the contrastive head, [3].
  torch::Tensor logit_bias;

 private:
  torch::nn::ModuleList box_branches_;
  torch::nn::ModuleList embed_branches_;
};
TORCH_MODULE(DetectionHead);

}  // namespace trainplan::executor
