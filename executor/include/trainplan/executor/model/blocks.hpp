#pragma once
// The convolutional building blocks of a YOLOv8 / YOLO-World detector: Conv-BN-SiLU, the
// residual bottleneck, the C2f cross-stage-partial block and SPPF. Every norm layer is a
// SyncBatchNorm so that data-parallel training is exact.
#include <torch/torch.h>

#include "trainplan/executor/model/sync_batch_norm.hpp"

namespace trainplan::executor {

/// Conv2d (no bias, "same" padding) -> SyncBatchNorm -> SiLU.
class ConvBnActImpl : public torch::nn::Module {
 public:
  ConvBnActImpl(int64_t in_channels, int64_t out_channels, int64_t kernel = 1, int64_t stride = 1);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv_{nullptr};
  SyncBatchNorm bn_{nullptr};
};
TORCH_MODULE(ConvBnAct);

/// Two 3x3 ConvBnAct with an optional residual connection (used when in == out).
class BottleneckImpl : public torch::nn::Module {
 public:
  BottleneckImpl(int64_t channels, bool shortcut);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  ConvBnAct cv1_{nullptr};
  ConvBnAct cv2_{nullptr};
  bool shortcut_;
};
TORCH_MODULE(Bottleneck);

/// C2f (YOLOv8): a 1x1 conv splits the input into two halves; `depth` bottlenecks run in
/// sequence on the second half and every intermediate result is concatenated, then a 1x1
/// conv mixes them. Cheap (half the channels go through the bottlenecks) and gradient-rich.
class C2fImpl : public torch::nn::Module {
 public:
  C2fImpl(int64_t in_channels, int64_t out_channels, int64_t depth, bool shortcut);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t hidden_;
  ConvBnAct cv1_{nullptr};
  ConvBnAct cv2_{nullptr};
  torch::nn::ModuleList blocks_;
};
TORCH_MODULE(C2f);

/// Spatial pyramid pooling, fast: three chained 5x5 max-pools concatenated with their input,
/// giving the stride-32 features a large receptive field at little cost.
class SppfImpl : public torch::nn::Module {
 public:
  SppfImpl(int64_t in_channels, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  ConvBnAct cv1_{nullptr};
  ConvBnAct cv2_{nullptr};
};
TORCH_MODULE(Sppf);

}  // namespace trainplan::executor
