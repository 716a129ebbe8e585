// Detector assembly, vocabulary changes, trainable modes and the communicator hook.
#include "trainplan/executor/model/detector.hpp"

#include <algorithm>

#include "trainplan/error.hpp"
#include "trainplan/executor/model/class_embeddings.hpp"

namespace trainplan::executor {
namespace {

/// Sets requires_grad on every parameter of `module` (and its children).
void set_requires_grad(torch::nn::Module& module, bool on) {
  for (auto& p : module.parameters()) p.set_requires_grad(on);
}

/// Visits every SyncBatchNorm under `module`.
template <typename F>
void for_each_norm(torch::nn::Module& module, F&& f) {
  // Children only: the module itself may not be in a shared_ptr yet (during construction).
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (auto* norm = child->as<SyncBatchNormImpl>()) f(*norm);
  }
}

}  // namespace

CspScale csp_scale(const std::string& size) {
  CspScale s;
  if (size == "tiny") {
    s.widths = {8, 16, 32, 64, 128};
    s.depths = {1, 1, 1, 1};
  } else if (size == "n") {
    s.widths = {16, 32, 64, 128, 256};
    s.depths = {1, 2, 2, 1};
  } else if (size == "s") {
    s.widths = {32, 64, 128, 256, 512};
    s.depths = {1, 2, 2, 1};
  } else {
    throw InputError("detector size '" + size + "' is not known (accepted: tiny, n, s)");
  }
  return s;
}

DetectorImpl::DetectorImpl(const DetectorConfig& config, const std::vector<std::string>& vocabulary)
    : config_(config), vocabulary_(vocabulary) {
  const CspScale scale = csp_scale(config.size);
  backbone_ = register_module("backbone", CspBackbone(scale));
  neck_ = register_module("neck", PanNeck(scale));
  const std::array<int64_t, 3> neck_widths{scale.widths[2], scale.widths[3], scale.widths[4]};
  head_ = register_module("head", DetectionHead(neck_widths, config.embed_dim));
  class_embeddings =
      register_parameter("class_embeddings", embeddings_from_names(vocabulary, config.embed_dim));
  for_each_norm(*this, [&](SyncBatchNormImpl& n) { n.options.momentum(config.bn_momentum); });
}

HeadOutput DetectorImpl::forward(const torch::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3 || images.size(2) % 32 != 0 ||
      images.size(3) % 32 != 0) {
    throw InputError("detector input must be [N, 3, H, W] with H and W multiples of 32, got " +
                     c10::str(images.sizes()));
  }
  return head_->forward(neck_->forward(backbone_->forward(images)), class_embeddings);
}

void DetectorImpl::set_vocabulary(const std::vector<std::string>& names) {
  set_vocabulary(names, embeddings_from_names(names, config_.embed_dim));
}

void DetectorImpl::set_vocabulary(const std::vector<std::string>& names,
                                  const torch::Tensor& embeddings) {
  if (embeddings.dim() != 2 || embeddings.size(0) != static_cast<int64_t>(names.size()) ||
      embeddings.size(1) != config_.embed_dim) {
    throw InputError("class embeddings for " + std::to_string(names.size()) + " names must be [" +
                     std::to_string(names.size()) + ", " + std::to_string(config_.embed_dim) +
                     "], got " + c10::str(embeddings.sizes()));
  }
  torch::NoGradGuard no_grad;
  // set_data keeps the registered parameter (its name, requires_grad and any optimizer's
  // reference); only its value and shape change.
  class_embeddings.set_data(
      embeddings.to(class_embeddings.device(), class_embeddings.scalar_type()).clone());
  vocabulary_ = names;
}

void DetectorImpl::set_trainable(const std::string& mode) {
  if (std::find(trainable_modes().begin(), trainable_modes().end(), mode) ==
      trainable_modes().end()) {
    throw InputError("trainable mode '" + mode +
                     "' is not known (accepted: all, frozen-backbone, embeddings)");
  }
  trainable_ = mode;
  const bool all = mode == "all";
  set_requires_grad(*backbone_, all);
  set_requires_grad(*neck_, mode != "embeddings");
  set_requires_grad(*head_, mode != "embeddings");
  // The contrastive head's scale and bias belong to the prompt: they train in every mode.
  head_->logit_scale.set_requires_grad(true);
  head_->logit_bias.set_requires_grad(true);
  class_embeddings.set_requires_grad(true);
  train(is_training());
}

void DetectorImpl::train(bool on) {
  torch::nn::Module::train(on);
  apply_frozen_modes();
}

void DetectorImpl::apply_frozen_modes() {
  // A frozen part must also keep its running statistics: in train mode its norm layers would
  // keep re-estimating them from the new data, changing features the rest has adapted to.
  if (trainable_ == "frozen-backbone") {
    backbone_->eval();
  } else if (trainable_ == "embeddings") {
    backbone_->eval();
    neck_->eval();
    head_->eval();
  }
}

void DetectorImpl::set_communicator(Communicator* communicator) {
  for_each_norm(*this, [&](SyncBatchNormImpl& n) { n.set_communicator(communicator); });
}

}  // namespace trainplan::executor
