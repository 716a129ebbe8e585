// End to end on a CPU: the tiny detector fits one synthetic batch (bright squares on a dark,
// noisy background) in 30 SGD steps, and then finds the squares (decode + COCO mAP); and
// decoding checked on a hand-made head output.
#include <cmath>
#include <sstream>
#include <vector>

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "trainplan/executor/eval/coco_map.hpp"
#include "trainplan/executor/eval/decode.hpp"
#include "trainplan/executor/model/detector.hpp"
#include "trainplan/executor/model/loss.hpp"

using trainplan::executor::Box;
using trainplan::executor::coco_map;
using trainplan::executor::decode_detections;
using trainplan::executor::Detection;
using trainplan::executor::detection_loss;
using trainplan::executor::Detector;
using trainplan::executor::DetectorConfig;
using trainplan::executor::GroundTruth;
using trainplan::executor::make_local_communicator;

namespace {

using Names = std::vector<std::string>;

constexpr int kBatch = 4;
constexpr int kSide = 128;

/// One square per image, with its (index, class, cx, cy, w, h) row.
struct SyntheticBatch {
  torch::Tensor images;
  torch::Tensor targets;
  std::vector<GroundTruth> truths;
};

SyntheticBatch make_batch() {
  // Fixed squares (x, y, side): different places and sizes, all inside the image.
  const int squares[kBatch][3] = {{20, 30, 40}, {70, 60, 32}, {40, 80, 28}, {60, 16, 48}};
  SyntheticBatch b;
  b.images = torch::rand({kBatch, 3, kSide, kSide}) * 0.2;  // dark noise
  std::vector<float> rows;
  for (int i = 0; i < kBatch; ++i) {
    const auto [x, y, s] = squares[i];
    b.images[i].slice(1, y, y + s).slice(2, x, x + s).fill_(0.9);
    rows.insert(rows.end(), {static_cast<float>(i), 0.0f, x + s / 2.0f, y + s / 2.0f,
                             static_cast<float>(s), static_cast<float>(s)});
    b.truths.push_back(GroundTruth{i, 0, Box{double(x), double(y), double(x + s), double(y + s)}});
  }
  b.targets = torch::tensor(rows).view({kBatch, 6});
  return b;
}

}  // namespace

TEST_CASE("the tiny detector fits a synthetic batch in 30 SGD steps and then detects it") {
  torch::manual_seed(2024);  // any seed does: seeds 1-10 all reach map50 1.0
  const SyntheticBatch batch = make_batch();
  DetectorConfig config;
  // Eval mode reads the running statistics; 30 steps at YOLO's 0.03 would leave them 40% at
  // their initial values, so this short run uses a faster average.
  config.bn_momentum = 0.3;
  Detector model(config, Names{"square"});
  auto comm = make_local_communicator();
  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(0.02).momentum(0.9).nesterov(true));

  std::vector<double> losses;
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    const auto loss = detection_loss(model->forward(batch.images), batch.targets, kBatch, *comm);
    REQUIRE(std::isfinite(loss.total.item<double>()));
    loss.total.backward();
    optimizer.step();
    losses.push_back(loss.total.item<double>());
  }
  std::ostringstream trajectory;
  for (double l : losses) trajectory << l << " ";
  INFO("losses: " << trajectory.str());
  CHECK(losses.back() < 0.5 * losses.front());

  torch::NoGradGuard no_grad;
  // "Precise BN" (detectron2's update_bn_stats): eval mode reads the running statistics, which
  // trail the weights of a 30-step run; a few forward passes with the final weights let them
  // catch up (with momentum 0.3, ten passes cover 97% of the way).
  for (int pass = 0; pass < 10; ++pass) model->forward(batch.images);
  model->eval();
  const auto per_image = decode_detections(model->forward(batch.images));
  std::vector<Detection> detections;
  for (const auto& image : per_image) {
    detections.insert(detections.end(), image.begin(), image.end());
  }
  const auto map = coco_map(detections, batch.truths, 1);
  INFO("map50 " << map.map50 << ", map50_95 " << map.map50_95);
  CHECK(map.map50 > 0.5);
}

TEST_CASE("decode turns distances into boxes, thresholds scores and suppresses duplicates") {
  trainplan::executor::HeadOutput head;
  head.anchor_points = torch::tensor({{8.0f, 8.0f}, {12.0f, 8.0f}, {40.0f, 40.0f}});
  head.strides = torch::full({3}, 8.0f);
  // Anchors 0 and 1 predict the same box [4, 4, 12, 12]; anchor 2 scores nothing.
  head.box_distances = torch::tensor(
      {{{4.0f, 4.0f, 4.0f, 4.0f}, {8.0f, 4.0f, 0.0f, 4.0f}, {1.0f, 1.0f, 1.0f, 1.0f}}});
  head.cls_logits = torch::tensor({{{2.0f, -20.0f}, {1.0f, 0.0f}, {-20.0f, -20.0f}}});
  trainplan::executor::DecodeOptions options;
  const auto out = decode_detections(head, options, /*first_image_id=*/7);
  REQUIRE(out.size() == 1);
  // Class 0: anchor 1's copy is suppressed by anchor 0's better score. Class 1: kept.
  REQUIRE(out[0].size() == 2);
  CHECK(out[0][0].image == 7);
  CHECK(out[0][0].class_id == 0);
  CHECK(out[0][0].score == doctest::Approx(1.0 / (1.0 + std::exp(-2.0))));
  CHECK(out[0][0].box.x1 == 4.0);
  CHECK(out[0][0].box.y1 == 4.0);
  CHECK(out[0][0].box.x2 == 12.0);
  CHECK(out[0][0].box.y2 == 12.0);
  CHECK(out[0][1].class_id == 1);
  CHECK(out[0][1].score == doctest::Approx(0.5));
  // A threshold above every score leaves nothing; max_det bounds the count.
  CHECK(decode_detections(head, 0.99)[0].empty());
  CHECK(decode_detections(head, 0.001, 0.6, 1)[0].size() == 1);
}
