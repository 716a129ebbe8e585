// Pins down DESIGN 3.6 `trainable`: training only part of the detector (frozen-backbone) or
// only the embeddings (prompt tuning) costs less compute and less memory than training all
// of it, and less all-reduce traffic; the names parse and print both ways.
#include <doctest/doctest.h>

#include <string>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/error.hpp"

using trainplan::costmodel::Estimate;
using trainplan::costmodel::Scenario;
using trainplan::costmodel::Trainable;
using trainplan::profiles::Catalog;

namespace {

Estimate with(Trainable t, int gpus = 8) {
  const Catalog c = Catalog::embedded();
  Scenario s;
  s.model_id = "yolo-world-v2-l";
  s.gpu_id = "v100-sxm2-32gb";
  s.gpus = gpus;
  s.global_batch = 16 * gpus;
  s.images = 118287;
  s.epochs = 10;
  s.texts_per_image = 80;
  s.trainable = t;
  return estimate(c, s);
}

}  // namespace

TEST_CASE("frozen-backbone costs less compute and memory than training all") {
  const Estimate all = with(Trainable::kAll);
  const Estimate frozen = with(Trainable::kFrozenBackbone);
  CHECK(frozen.step.compute_s < all.step.compute_s);
  CHECK(frozen.breakdown.compute_s < all.breakdown.compute_s);
  CHECK(frozen.memory.weights_gb < all.memory.weights_gb);
  CHECK(frozen.memory.activations_gb < all.memory.activations_gb);
  CHECK(frozen.memory.total_gb < all.memory.total_gb);
  CHECK(frozen.total_seconds < all.total_seconds);
}

TEST_CASE("embeddings only costs less compute and memory than training all") {
  const Estimate all = with(Trainable::kAll);
  const Estimate embeddings = with(Trainable::kEmbeddings);
  CHECK(embeddings.step.compute_s < all.step.compute_s);
  CHECK(embeddings.breakdown.compute_s < all.breakdown.compute_s);
  CHECK(embeddings.memory.weights_gb < all.memory.weights_gb);
  CHECK(embeddings.memory.total_gb < all.memory.total_gb);
  CHECK(embeddings.total_seconds < all.total_seconds);
}

TEST_CASE("prompt tuning is the cheapest of the three") {
  const Estimate frozen = with(Trainable::kFrozenBackbone);
  const Estimate embeddings = with(Trainable::kEmbeddings);
  CHECK(embeddings.step.compute_s < frozen.step.compute_s);
  CHECK(embeddings.memory.weights_gb < frozen.memory.weights_gb);
}

TEST_CASE("fewer trainable parameters mean less all-reduce traffic") {
  const Estimate all = with(Trainable::kAll, 16);
  const Estimate frozen = with(Trainable::kFrozenBackbone, 16);
  const Estimate embeddings = with(Trainable::kEmbeddings, 16);
  CHECK(all.step.comm_s > 0);
  CHECK(frozen.step.comm_s < all.step.comm_s);
  CHECK(embeddings.step.comm_s <= frozen.step.comm_s);
}

TEST_CASE("trainable names parse and print") {
  using trainplan::costmodel::parse_trainable;
  using trainplan::costmodel::to_string;
  for (Trainable t : {Trainable::kAll, Trainable::kFrozenBackbone, Trainable::kEmbeddings})
    CHECK(parse_trainable(to_string(t), "trainable") == t);
  CHECK(std::string(to_string(Trainable::kFrozenBackbone)) == "frozen-backbone");
  CHECK_THROWS_AS(parse_trainable("backbone", "$.stages[0].trainable"), trainplan::InputError);
  try {
    parse_trainable("head", "$.stages[0].trainable");
    FAIL("no exception");
  } catch (const trainplan::InputError& e) {
    std::string msg = e.what();
    CHECK(msg.find("$.stages[0].trainable") != std::string::npos);
    CHECK(msg.find("frozen-backbone") != std::string::npos);
  }
}
