// The loss: GIoU, targets, label assignment by hand, and the data-parallel contract: two ranks
// with half a batch each, their losses and gradients combined as the trainer combines them,
// equal one process with the whole batch.
#include "trainplan/executor/model/loss.hpp"

#include <map>

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "thread_communicator.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/model/assigner.hpp"
#include "trainplan/executor/model/detector.hpp"

using trainplan::InputError;
using trainplan::executor::assign_anchors;
using trainplan::executor::detection_loss;
using trainplan::executor::Detector;
using trainplan::executor::DetectorConfig;
using trainplan::executor::generalized_box_iou;
using trainplan::executor::make_local_communicator;
using trainplan::executor::Targets;
using trainplan::executor::testing::run_ranks;
using trainplan::executor::testing::ThreadCommunicator;
using trainplan::executor::testing::ThreadGroup;

namespace {

using Names = std::vector<std::string>;

/// Four 64x64 images and their boxes (index, class, cx, cy, w, h); image 3 has none.
torch::Tensor batch_targets() {
  return torch::tensor({{0.0f, 0.0f, 20.0f, 24.0f, 16.0f, 20.0f},
                        {0.0f, 1.0f, 40.0f, 40.0f, 30.0f, 30.0f},
                        {1.0f, 1.0f, 32.0f, 32.0f, 50.0f, 40.0f},
                        {2.0f, 0.0f, 10.0f, 50.0f, 6.0f, 6.0f}});
}

/// Rows of `targets` for images [first, first + count), re-indexed from 0.
torch::Tensor rows_for(const torch::Tensor& targets, int first, int count) {
  const torch::Tensor index = targets.select(1, 0);
  const torch::Tensor keep = ((index >= first) & (index < first + count)).nonzero().squeeze(1);
  torch::Tensor rows = targets.index_select(0, keep).clone();
  rows.select(1, 0) -= first;
  return rows;
}

}  // namespace

TEST_CASE("generalized IoU on hand-computed pairs") {
  const torch::Tensor a =
      torch::tensor({{0.0f, 0.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 2.0f, 1.0f}});
  const torch::Tensor b =
      torch::tensor({{0.0f, 0.0f, 1.0f, 1.0f}, {2.0f, 0.0f, 3.0f, 1.0f}, {1.0f, 0.0f, 3.0f, 1.0f}});
  // Identical: 1. Disjoint, union 2 in an enclosing box of 3: 0 - 1/3. Half overlap: 1/3.
  const torch::Tensor g = generalized_box_iou(a, b);
  CHECK(g[0].item<float>() == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(g[1].item<float>() == doctest::Approx(-1.0 / 3).epsilon(1e-5));
  CHECK(g[2].item<float>() == doctest::Approx(1.0 / 3).epsilon(1e-5));
}

TEST_CASE("targets from the flat tensor") {
  const Targets t = Targets::from_flat(batch_targets(), 4, 2);
  REQUIRE(t.images.size() == 4);
  CHECK(t.images[0].boxes.size(0) == 2);
  CHECK(t.images[3].boxes.size(0) == 0);
  CHECK(torch::equal(t.images[0].boxes[0], torch::tensor({12.0f, 14.0f, 28.0f, 34.0f})));
  CHECK(t.images[1].classes[0].item<int64_t>() == 1);
  // Zero-size boxes are dropped.
  CHECK(Targets::from_flat(torch::tensor({{0.0f, 0.0f, 5.0f, 5.0f, 0.0f, 3.0f}}), 1, 1)
            .images[0]
            .boxes.size(0) == 0);

  CHECK_THROWS_WITH_AS(Targets::from_flat(torch::zeros({2, 5}), 4, 2),
                       "targets must be [M, 6] (index, class, cx, cy, w, h), got [2, 5]",
                       InputError);
  CHECK_THROWS_WITH_AS(Targets::from_flat(batch_targets(), 2, 2),
                       "targets row 3: image index 2 is not an integer in [0, 2)", InputError);
  CHECK_THROWS_WITH_AS(Targets::from_flat(batch_targets(), 4, 1),
                       "targets row 1: class 1 is not an integer in [0, 1)", InputError);
}

TEST_CASE("assignment: centre sampling, smallest box wins, boxes without points get one") {
  const torch::Tensor points =
      torch::tensor({{4.0f, 4.0f}, {12.0f, 4.0f}, {20.0f, 4.0f}, {36.0f, 36.0f}, {52.0f, 4.0f}});
  const torch::Tensor strides = torch::full({5}, 8.0f);
  const torch::Tensor boxes = torch::tensor({
      {0.0f, 0.0f, 24.0f, 8.0f},     // 0: holds the first three points (within 20 px of x 12)
      {10.0f, 0.0f, 16.0f, 8.0f},    // 1: smaller, takes (12, 4) from box 0
      {30.0f, 30.0f, 31.0f, 31.0f},  // 2: holds no point; gets the nearest, (36, 36)
      {0.0f, 0.0f, 100.0f, 8.0f},    // 3: (52, 4) is inside and central; (4, 4) is 46 px off
  });
  const torch::Tensor owner = assign_anchors(points, strides, boxes);
  CHECK(torch::equal(owner, torch::tensor({0, 1, 0, 2, 3}, torch::kLong)));
  CHECK(torch::equal(assign_anchors(points, strides, torch::zeros({0, 4})),
                     torch::full({5}, -1, torch::kLong)));
}

TEST_CASE("the loss is finite, counts positives, and survives an image-free batch") {
  torch::manual_seed(5);
  Detector model(DetectorConfig{}, Names{"a", "b"});
  auto comm = make_local_communicator();
  const auto head = model->forward(torch::rand({4, 3, 64, 64}));
  const auto loss = detection_loss(head, batch_targets(), 4, *comm);
  CHECK(std::isfinite(loss.total.item<double>()));
  CHECK(loss.num_positives >= 4);
  CHECK(loss.box + loss.cls == doctest::Approx(loss.total.item<double>()));
  loss.total.backward();
  CHECK(model->class_embeddings.grad().defined());

  const auto empty =
      detection_loss(model->forward(torch::rand({2, 3, 64, 64})), torch::zeros({0, 6}), 2, *comm);
  CHECK(empty.num_positives == 0);
  CHECK(empty.box == 0.0);
  CHECK(std::isfinite(empty.total.item<double>()));
}

TEST_CASE("two ranks with half a batch each reproduce the single-process loss and gradient") {
  torch::manual_seed(9);
  DetectorConfig config;
  const std::vector<std::string> names{"a", "b"};
  const torch::Tensor images = torch::rand({4, 3, 64, 64});
  torch::Tensor targets = batch_targets();
  SUBCASE("both ranks have boxes") {}
  SUBCASE("rank 1 has no box") {
    // A rank without positives must still join every collective of the backward pass (its
    // box term is an explicit zero on the graph) and count in the global normalisation.
    targets = rows_for(batch_targets(), 0, 2);
  }

  // One process, whole batch.
  Detector single(config, names);
  auto local = make_local_communicator();
  const auto whole = detection_loss(single->forward(images), targets, 4, *local);
  whole.total.backward();

  // Two ranks, same weights, two images each.
  ThreadGroup group(2);
  std::vector<Detector> ranks{Detector(config, names), Detector(config, names)};
  std::vector<ThreadCommunicator> comms{ThreadCommunicator(group, 0), ThreadCommunicator(group, 1)};
  std::vector<double> totals(2);
  std::vector<int64_t> positives(2);
  for (int r = 0; r < 2; ++r) {
    torch::NoGradGuard no_grad;
    for (auto& p : ranks[r]->named_parameters())
      p.value().copy_(single->named_parameters()[p.key()]);
    ranks[r]->set_communicator(&comms[r]);
  }
  run_ranks(2, [&](int r) {
    const auto head = ranks[r]->forward(images.slice(0, 2 * r, 2 * r + 2));
    const auto part = detection_loss(head, rows_for(targets, 2 * r, 2), 2, comms[r]);
    part.total.backward();
    totals[r] = part.total.item<double>();
    positives[r] = part.num_positives;
  });

  CHECK(positives[0] == whole.num_positives);
  CHECK(positives[1] == whole.num_positives);
  // The trainer averages over ranks: the mean of the rank losses is the whole-batch loss ...
  CHECK((totals[0] + totals[1]) / 2 == doctest::Approx(whole.total.item<double>()).epsilon(1e-5));
  // ... and the mean of the rank gradients is the whole-batch gradient, for every parameter.
  auto params0 = ranks[0]->named_parameters();
  auto params1 = ranks[1]->named_parameters();
  for (const auto& p : single->named_parameters()) {
    CAPTURE(p.key());
    const torch::Tensor mean = (params0[p.key()].grad() + params1[p.key()].grad()) / 2;
    const double scale = p.value().grad().abs().max().item<double>() + 1e-3;
    CHECK((mean - p.value().grad()).abs().max().item<double>() / scale < 1e-4);
  }
  // Running statistics follow the global batch too.
  auto buffers0 = ranks[0]->named_buffers();
  for (const auto& b : single->named_buffers()) {
    if (b.value().is_floating_point()) {
      CAPTURE(b.key());
      CHECK(torch::allclose(buffers0[b.key()], b.value(), 1e-5, 1e-6));
    }
  }
}
