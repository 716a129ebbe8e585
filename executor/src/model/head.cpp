// The decoupled head: box distances, region embeddings, contrastive class logits and the
// anchor points they refer to.
#include "trainplan/executor/model/head.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace trainplan::executor {
namespace {

/// Two 3x3 ConvBnAct and a final 1x1 conv with a bias (the prediction layer has no norm).
torch::nn::Sequential branch(int64_t in, int64_t hidden, int64_t out, double bias_init) {
  torch::nn::Conv2d predict(torch::nn::Conv2dOptions(hidden, out, 1));
  torch::nn::init::constant_(predict->bias, bias_init);
  return torch::nn::Sequential(ConvBnAct(in, hidden, 3), ConvBnAct(hidden, hidden, 3), predict);
}

/// [H*W, 2] centres of the cells of an H x W map at `stride`, row-major.
torch::Tensor cell_centres(int64_t h, int64_t w, int64_t stride, const torch::Device& device) {
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const torch::Tensor ys = (torch::arange(h, opts) + 0.5) * static_cast<double>(stride);
  const torch::Tensor xs = (torch::arange(w, opts) + 0.5) * static_cast<double>(stride);
  const std::vector<torch::Tensor> grid = torch::meshgrid({ys, xs}, "ij");
  return torch::stack({grid[1].reshape(-1), grid[0].reshape(-1)}, 1);
}

/// [N, C, H, W] -> [N, H*W, C].
torch::Tensor to_locations(const torch::Tensor& x) { return x.flatten(2).transpose(1, 2); }

}  // namespace

DetectionHeadImpl::DetectionHeadImpl(const std::array<int64_t, 3>& in_channels, int64_t embed_dim) {
  // Hidden widths as in YOLOv8/YOLO-World: box at least 16 channels, embedding at least D.
  const int64_t box_hidden = std::max<int64_t>(16, in_channels[0] / 4);
  const int64_t embed_hidden = std::max<int64_t>(in_channels[0], embed_dim);
  for (size_t l = 0; l < 3; ++l) {
    // Box bias 1: softplus(1) = 1.3 strides, a plausible size for a first guess.
    box_branches_->push_back(branch(in_channels[l], box_hidden, 4, 1.0));
    embed_branches_->push_back(branch(in_channels[l], embed_hidden, embed_dim, 0.0));
  }
  box_branches_ = register_module("box_branches", box_branches_);
  embed_branches_ = register_module("embed_branches", embed_branches_);
  logit_scale = register_parameter("logit_scale", torch::full({3}, std::log(1.0 / 0.07)));
  logit_bias = register_parameter("logit_bias", torch::full({3}, -std::log((1 - 0.01) / 0.01)));
}

HeadOutput DetectionHeadImpl::forward(const std::array<torch::Tensor, 3>& features,
                                      const torch::Tensor& class_embeddings) {
  const torch::Tensor classes = torch::nn::functional::normalize(
      class_embeddings, torch::nn::functional::NormalizeFuncOptions().dim(1));
  std::vector<torch::Tensor> logits, distances, anchors, strides;
  for (size_t l = 0; l < 3; ++l) {
    const torch::Tensor& f = features[l];
    const int64_t stride = kStrides[l];
    const torch::Tensor raw_box = box_branches_[l]->as<torch::nn::SequentialImpl>()->forward(f);
    distances.push_back(to_locations(torch::softplus(raw_box)) * static_cast<double>(stride));

    const torch::Tensor region = torch::nn::functional::normalize(
        embed_branches_[l]->as<torch::nn::SequentialImpl>()->forward(f),
        torch::nn::functional::NormalizeFuncOptions().dim(1));
    logits.push_back(torch::matmul(to_locations(region), classes.t()) * logit_scale[l].exp() +
                     logit_bias[l]);

    anchors.push_back(cell_centres(f.size(2), f.size(3), stride, f.device()));
    strides.push_back(torch::full({f.size(2) * f.size(3)}, static_cast<double>(stride),
                                  anchors.back().options()));
  }
  return HeadOutput{torch::cat(logits, 1), torch::cat(distances, 1), torch::cat(anchors, 0),
                    torch::cat(strides, 0)};
}

}  // namespace trainplan::executor
