#pragma once
// The YOLO-World-shaped open-vocabulary detector: CSP backbone, PAN neck, decoupled
// anchor-free head whose class logits compare region embeddings with class embeddings.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/model/csp_pan.hpp"
#include "trainplan/executor/model/head.hpp"

namespace trainplan::executor {

/// Which detector to build.
struct DetectorConfig {
  /// "tiny" (widths 8/16/32/64/128, one block per stage: trains on a CPU at 128x128 in
  /// minutes), "n" (YOLOv8n: 16/32/64/128/256, depths 1/2/2/1) or "s" (twice n's widths).
  std::string size = "tiny";
  /// D, the width of region and class embeddings.
  int embed_dim = 32;
  /// Running-statistics momentum of every SyncBatchNorm (YOLO's 0.03). Only eval mode reads
  /// the running statistics; short runs that evaluate in eval mode want a larger value.
  double bn_momentum = 0.03;
};

/// The widths and depths of `size`; throws InputError naming the size and the accepted ones.
CspScale csp_scale(const std::string& size);

/// The trainable modes of DESIGN 3.6 `trainable`.
inline const std::vector<std::string>& trainable_modes() {
  static const std::vector<std::string> modes{"all", "frozen-backbone", "embeddings"};
  return modes;
}

/// The detector. Parameters: "backbone.*", "neck.*", "head.*" (including head.logit_scale and
/// head.logit_bias) and "class_embeddings" [K, D], trainable like the rest.
class DetectorImpl : public torch::nn::Module {
 public:
  /// Builds the model for `vocabulary` (class names) with embeddings_from_names().
  /// Throws InputError on an unknown size or an empty vocabulary.
  DetectorImpl(const DetectorConfig& config, const std::vector<std::string>& vocabulary);

  /// images: [N, 3, H, W] float in [0, 1], H and W multiples of 32 (InputError otherwise).
  HeadOutput forward(const torch::Tensor& images);

  /// Replaces the class embeddings with embeddings_from_names(names, D); backbone, neck and
  /// head are kept. The parameter tensor keeps its identity (an optimizer still holds it) but
  /// changes shape to [K', D]: reset the optimizer's state for it.
  void set_vocabulary(const std::vector<std::string>& names);
  /// Replaces the class embeddings with `embeddings` [K', D] (e.g. from embeddings_from_file)
  /// for `names`; InputError if the shapes disagree.
  void set_vocabulary(const std::vector<std::string>& names, const torch::Tensor& embeddings);
  /// The class names, in class-index order.
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }

  /// "all": everything trains. "frozen-backbone": backbone parameters get requires_grad false
  /// and its norm layers stay in eval mode (their running statistics frozen too).
  /// "embeddings" (prompt tuning): only class_embeddings, head.logit_scale and head.logit_bias
  /// train, and every norm layer stays in eval mode. InputError on any other mode.
  void set_trainable(const std::string& mode);
  /// The current mode (initially "all").
  const std::string& trainable() const { return trainable_; }

  /// Switches train/eval mode, keeping frozen parts in eval mode (see set_trainable).
  void train(bool on = true) override;

  /// Sets the communicator of every SyncBatchNorm (nullptr: a world of one). Not owned.
  void set_communicator(Communicator* communicator);

  /// The configuration the model was built with.
  const DetectorConfig& config() const { return config_; }

  /// [K, D] class embeddings.
  torch::Tensor class_embeddings;

 private:
  /// Re-applies the frozen parts' eval mode after a mode change.
  void apply_frozen_modes();

  DetectorConfig config_;
  std::vector<std::string> vocabulary_;
  std::string trainable_ = "all";
  CspBackbone backbone_{nullptr};
  PanNeck neck_{nullptr};
  DetectionHead head_{nullptr};
};
TORCH_MODULE(Detector);

}  // namespace trainplan::executor
