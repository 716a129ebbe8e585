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
  if (s.gpus < 1) throw InputError(fmt::format("--gpus: {} is not accepted; expected a whole number >= 1", s.gpus));
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
  if (!(s.images >= 1)) throw InputError(fmt::format("--images: {} is not accepted; expected >= 1", s.images));
  if (!(s.epochs > 0)) throw InputError(fmt::format("--epochs: {} is not accepted; expected > 0", s.epochs));
  if (s.optimizer != "adamw" && s.optimizer != "sgd")
    throw InputError(fmt::format("optimizer: \"{}\" is not accepted; expected adamw or sgd", s.optimizer));
}

}  // namespace trainplan::costmodel
