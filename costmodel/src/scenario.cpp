#include "trainplan/costmodel/scenario.hpp"

#include <fmt/format.h>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/error.hpp"

namespace trainplan::costmodel {

Trainable parse_trainable(const std::string& text, const std::string& what) {
  if (text == "all") return Trainable::kAll;
  if (text == "frozen-backbone") return Trainable::kFrozenBackbone;
  if (text == "embeddings") return Trainable::kEmbeddings;
  throw InputError(fmt::format("{}: \"{}\" is not accepted; expected one of: all, "
                               "frozen-backbone, embeddings",
                               what, text));
}

const char* to_string(Trainable trainable) {
  switch (trainable) {
    case Trainable::kAll: return "all";
    case Trainable::kFrozenBackbone: return "frozen-backbone";
    case Trainable::kEmbeddings: return "embeddings";
  }
  return "all";
}

void validate(const Scenario& s) {
  if (s.gpus < 1 || s.gpus > kMaxGpus)
    throw InputError(fmt::format("--gpus: {} is not accepted; expected a whole number from 1 to {}",
                                 s.gpus, kMaxGpus));
  if (s.nodes < 1) throw InputError(fmt::format("--nodes: {} is not accepted; expected a whole number >= 1", s.nodes));
  if (s.gpus % s.nodes != 0)
    throw InputError(fmt::format(
        "--nodes: {} nodes cannot share {} GPUs evenly; expected a divisor of --gpus", s.nodes,
        s.gpus));
  if (s.global_batch < 1)
    throw InputError(fmt::format("--batch: {} is not accepted; expected a whole number >= 1", s.global_batch));
  if (s.global_batch % s.gpus != 0)
    throw InputError(fmt::format(
        "--batch: global batch {} is not divisible by {} GPUs; expected a multiple of {} "
        "(for example {} or {})",
        s.global_batch, s.gpus, s.gpus, (s.global_batch / s.gpus + 1) * s.gpus,
        std::max(1, s.global_batch / s.gpus) * s.gpus));
  // NaN and infinity fail these comparisons too.
  if (!(s.images >= 1 && s.images <= kMaxImages))
    throw InputError(fmt::format("--images: {} is not accepted; expected a number from 1 to {:g}",
                                 s.images, kMaxImages));
  if (!(s.epochs > 0 && s.epochs <= kMaxEpochs))
    throw InputError(fmt::format("--epochs: {} is not accepted; expected a number above 0 and at most {:g}",
                                 s.epochs, kMaxEpochs));
  if (s.optimizer != "adamw" && s.optimizer != "sgd")
    throw InputError(fmt::format("optimizer: \"{}\" is not accepted; expected adamw or sgd", s.optimizer));
}

}  // namespace trainplan::costmodel
