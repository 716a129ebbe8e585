#pragma once
// The feature extractor of the detector: a CSP backbone (YOLOv8's, built from C2f blocks)
// and a PAN neck that mixes its stride-8/16/32 features top-down and then bottom-up.
#include <torch/torch.h>

#include <array>
#include <vector>

#include "trainplan/executor/model/blocks.hpp"

namespace trainplan::executor {

/// Channel widths and block counts of one model size.
struct CspScale {
  /// Output channels of the stem (stride 2) and of stages 1-4 (strides 4, 8, 16, 32).
  std::array<int64_t, 5> widths{};
  /// C2f bottlenecks in stages 1-4.
  std::array<int64_t, 4> depths{};
  /// C2f bottlenecks in each neck block.
  int64_t neck_depth = 1;
};

/// The backbone: stem Conv(3x3, s2), then four stages of Conv(3x3, s2) + C2f, and SPPF on
/// the last. forward() returns the stride-8, 16 and 32 feature maps.
class CspBackboneImpl : public torch::nn::Module {
 public:
  explicit CspBackboneImpl(const CspScale& scale);
  std::array<torch::Tensor, 3> forward(const torch::Tensor& images);

 private:
  ConvBnAct stem_{nullptr};
  torch::nn::ModuleList stages_;
  Sppf sppf_{nullptr};
};
TORCH_MODULE(CspBackbone);

/// The PAN neck (YOLOv8): top-down, upsampled stride-32 features are fused into stride 16,
/// then stride 8; bottom-up, stride-2 convs carry the fused stride-8 map back up to 16 and
/// 32. Outputs have widths[2], widths[3], widths[4] channels.
class PanNeckImpl : public torch::nn::Module {
 public:
  explicit PanNeckImpl(const CspScale& scale);
  std::array<torch::Tensor, 3> forward(const std::array<torch::Tensor, 3>& features);

 private:
  C2f top_down4_{nullptr};
  C2f top_down3_{nullptr};
  ConvBnAct down3_{nullptr};
  C2f bottom_up4_{nullptr};
  ConvBnAct down4_{nullptr};
  C2f bottom_up5_{nullptr};
};
TORCH_MODULE(PanNeck);

}  // namespace trainplan::executor
