// Conv-BN-SiLU, bottleneck, C2f and SPPF, as in Ultralytics YOLOv8 (and so YOLO-World).
#include "trainplan/executor/model/blocks.hpp"

#include <string>
#include <vector>

namespace trainplan::executor {

ConvBnActImpl::ConvBnActImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                             int64_t stride) {
  conv_ = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                                    .stride(stride)
                                    .padding(kernel / 2)
                                    .bias(false)));  // the norm's bias makes a conv bias moot
  bn_ = register_module("bn", SyncBatchNorm(out_channels));
}

torch::Tensor ConvBnActImpl::forward(const torch::Tensor& x) {
  return torch::silu(bn_->forward(conv_->forward(x)));
}

BottleneckImpl::BottleneckImpl(int64_t channels, bool shortcut) : shortcut_(shortcut) {
  cv1_ = register_module("cv1", ConvBnAct(channels, channels, 3));
  cv2_ = register_module("cv2", ConvBnAct(channels, channels, 3));
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = cv2_->forward(cv1_->forward(x));
  return shortcut_ ? x + y : y;
}

C2fImpl::C2fImpl(int64_t in_channels, int64_t out_channels, int64_t depth, bool shortcut)
    : hidden_(out_channels / 2) {
  TORCH_CHECK(hidden_ > 0 && depth > 0, "C2f needs out_channels >= 2 and depth >= 1");
  cv1_ = register_module("cv1", ConvBnAct(in_channels, 2 * hidden_, 1));
  cv2_ = register_module("cv2", ConvBnAct((2 + depth) * hidden_, out_channels, 1));
  for (int64_t i = 0; i < depth; ++i) blocks_->push_back(Bottleneck(hidden_, shortcut));
  blocks_ = register_module("blocks", blocks_);
}

torch::Tensor C2fImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> parts = cv1_->forward(x).chunk(2, /*dim=*/1);
  for (const auto& block : *blocks_) {
    parts.push_back(block->as<BottleneckImpl>()->forward(parts.back()));
  }
  return cv2_->forward(torch::cat(parts, 1));
}

SppfImpl::SppfImpl(int64_t in_channels, int64_t out_channels) {
  const int64_t hidden = in_channels / 2;
  cv1_ = register_module("cv1", ConvBnAct(in_channels, hidden, 1));
  cv2_ = register_module("cv2", ConvBnAct(4 * hidden, out_channels, 1));
}

torch::Tensor SppfImpl::forward(const torch::Tensor& x) {
  const auto pool = torch::nn::functional::MaxPool2dFuncOptions(5).stride(1).padding(2);
  std::vector<torch::Tensor> parts{cv1_->forward(x)};
  for (int i = 0; i < 3; ++i) {
    parts.push_back(torch::nn::functional::max_pool2d(parts.back(), pool));
  }
  return cv2_->forward(torch::cat(parts, 1));
}

}  // namespace trainplan::executor
