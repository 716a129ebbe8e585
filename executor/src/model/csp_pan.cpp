// CSP backbone and PAN neck, following Ultralytics YOLOv8 (which YOLO-World builds on; its
// text-guided RepVL-PAN adds text attention to this same topology).
#include "trainplan/executor/model/csp_pan.hpp"

namespace trainplan::executor {
namespace {

torch::Tensor upsample2(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{2.0, 2.0})
                               .mode(torch::kNearest));
}

}  // namespace

CspBackboneImpl::CspBackboneImpl(const CspScale& scale) {
  const auto& w = scale.widths;
  stem_ = register_module("stem", ConvBnAct(3, w[0], 3, 2));
  for (size_t i = 0; i < 4; ++i) {
    torch::nn::Sequential stage(ConvBnAct(w[i], w[i + 1], 3, 2),
                                C2f(w[i + 1], w[i + 1], scale.depths[i], /*shortcut=*/true));
    stages_->push_back(stage);
  }
  stages_ = register_module("stages", stages_);
  sppf_ = register_module("sppf", Sppf(w[4], w[4]));
}

std::array<torch::Tensor, 3> CspBackboneImpl::forward(const torch::Tensor& images) {
  torch::Tensor x = stem_->forward(images);
  std::array<torch::Tensor, 3> out;
  for (size_t i = 0; i < 4; ++i) {
    x = stages_[i]->as<torch::nn::SequentialImpl>()->forward(x);
    if (i >= 1) out[i - 1] = x;  // stages 2, 3, 4 have strides 8, 16, 32
  }
  out[2] = sppf_->forward(out[2]);
  return out;
}

PanNeckImpl::PanNeckImpl(const CspScale& scale) {
  const auto& w = scale.widths;
  const int64_t n = scale.neck_depth;
  // The neck's C2f blocks have no residual: they fuse two different inputs.
  top_down4_ = register_module("top_down4", C2f(w[4] + w[3], w[3], n, false));
  top_down3_ = register_module("top_down3", C2f(w[3] + w[2], w[2], n, false));
  down3_ = register_module("down3", ConvBnAct(w[2], w[2], 3, 2));
  bottom_up4_ = register_module("bottom_up4", C2f(w[2] + w[3], w[3], n, false));
  down4_ = register_module("down4", ConvBnAct(w[3], w[3], 3, 2));
  bottom_up5_ = register_module("bottom_up5", C2f(w[3] + w[4], w[4], n, false));
}

std::array<torch::Tensor, 3> PanNeckImpl::forward(const std::array<torch::Tensor, 3>& f) {
  const torch::Tensor mid4 = top_down4_->forward(torch::cat({upsample2(f[2]), f[1]}, 1));
  const torch::Tensor out3 = top_down3_->forward(torch::cat({upsample2(mid4), f[0]}, 1));
  const torch::Tensor out4 = bottom_up4_->forward(torch::cat({down3_->forward(out3), mid4}, 1));
  const torch::Tensor out5 = bottom_up5_->forward(torch::cat({down4_->forward(out4), f[2]}, 1));
  return {out3, out4, out5};
}

}  // namespace trainplan::executor
