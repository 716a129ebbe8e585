// Mixed precision: the loss scaler's rule (skip and halve on inf/NaN, double after a run of
// finite steps, gradients unscaled before the step), autocast's scope, and the detector
// training under autocast with scaling (bfloat16 on the CPU standing in for CUDA's float16,
// which these machines cannot run).
#include <cmath>
#include <limits>

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "trainplan/executor/checkpoint.hpp"
#include "trainplan/executor/mixed_precision.hpp"
#include "trainplan/executor/model/detector.hpp"
#include "trainplan/executor/model/loss.hpp"

using namespace trainplan::executor;

namespace {

// One parameter with gradient `grad` and a plain SGD (lr 1) over it.
struct OneParameter {
  torch::Tensor p = torch::ones({2}).requires_grad_(true);
  torch::optim::SGD sgd{std::vector<torch::Tensor>{p}, torch::optim::SGDOptions(1.0)};
  void set_grad(std::vector<float> g) { p.mutable_grad() = torch::tensor(g); }
};

}  // namespace

TEST_CASE("the loss scaler skips a step with inf or NaN gradients and halves its scale") {
  OneParameter one;
  LossScaler scaler(true, 1024.0, 3);
  CHECK(scaler.scale(torch::tensor(2.0)).item<double>() == 2048.0);
  // The gradient of a scaled loss is scaled: the optimizer must see it divided by 1024.
  one.set_grad({1024.0f, -2048.0f});
  CHECK(scaler.step(one.sgd, {one.p}));
  CHECK(one.p[0].item<double>() == doctest::Approx(0.0));
  CHECK(one.p[1].item<double>() == doctest::Approx(3.0));
  one.set_grad({std::numeric_limits<float>::infinity(), 1.0f});
  CHECK_FALSE(scaler.step(one.sgd, {one.p}));
  CHECK(one.p[1].item<double>() == doctest::Approx(3.0));  // unchanged
  CHECK(scaler.state().scale == 512.0);
  CHECK(scaler.state().growth_tracker == 0);
  one.set_grad({std::nanf(""), 1.0f});
  CHECK_FALSE(scaler.step(one.sgd, {one.p}));
  CHECK(scaler.state().scale == 256.0);
}

TEST_CASE("the loss scaler doubles after growth_interval finite steps and restores its state") {
  OneParameter one;
  LossScaler scaler(true, 8.0, 3);
  for (int i = 0; i < 2; ++i) {
    one.set_grad({0.0f, 0.0f});
    scaler.step(one.sgd, {one.p});
  }
  CHECK(scaler.state().scale == 8.0);
  CHECK(scaler.state().growth_tracker == 2);
  one.set_grad({0.0f, 0.0f});
  scaler.step(one.sgd, {one.p});
  CHECK(scaler.state().scale == 16.0);
  CHECK(scaler.state().growth_tracker == 0);

  LossScaler resumed(true);
  resumed.restore(LossScaleState{16.0, 2});
  CHECK(resumed.state().scale == 16.0);
  CHECK(resumed.state().growth_tracker == 2);

  // Disabled: the loss as it is, every step taken, and no state to checkpoint.
  LossScaler off(false);
  CHECK(off.scale(torch::tensor(2.0)).item<double>() == 2.0);
  one.set_grad({std::numeric_limits<float>::infinity(), 0.0f});
  CHECK(off.step(one.sgd, {one.p}));
  CHECK(off.state().scale == 0.0);
}

TEST_CASE("autocast casts matrix products inside its scope only, and nests") {
  const auto a = torch::rand({4, 4}), b = torch::rand({4, 4});
  {
    AutocastScope outer(torch::kCPU, true);
    CHECK((torch::matmul(a, b).scalar_type() == torch::kBFloat16));
    {
      AutocastScope inner(torch::kCPU, true);
      CHECK((torch::matmul(a, b).scalar_type() == torch::kBFloat16));
    }
    CHECK((torch::matmul(a, b).scalar_type() == torch::kBFloat16));  // still inside the outer
  }
  CHECK((torch::matmul(a, b).scalar_type() == torch::kFloat32));
  AutocastScope off(torch::kCPU, false);
  CHECK((torch::matmul(a, b).scalar_type() == torch::kFloat32));
}

TEST_CASE("the detector trains under autocast with loss scaling") {
  torch::manual_seed(7);
  DetectorConfig config;
  Detector model(config, std::vector<std::string>{"square"});
  auto comm = make_local_communicator();
  model->set_communicator(comm.get());
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.02).momentum(0.9));
  auto images = torch::rand({2, 3, 64, 64}) * 0.2;
  images.slice(2, 16, 48).slice(3, 16, 48).fill_(0.9);
  images[1].slice(1, 8, 24).slice(2, 30, 60).fill_(0.9);
  const auto targets = torch::tensor({0.0f, 0.0f, 32.0f, 32.0f, 32.0f, 32.0f,
                                      1.0f, 0.0f, 45.0f, 16.0f, 30.0f, 16.0f}).view({2, 6});
  LossScaler scaler(true, 1024.0);
  std::vector<double> losses;
  for (int step = 0; step < 12; ++step) {
    sgd.zero_grad();
    HeadOutput out;
    {
      AutocastScope autocast(torch::kCPU, true);
      out = model->forward(images);
    }
    CHECK((out.cls_logits.scalar_type() == torch::kBFloat16));
    const HeadOutput fp32{out.cls_logits.to(torch::kFloat32), out.box_distances.to(torch::kFloat32),
                          out.anchor_points.to(torch::kFloat32), out.strides.to(torch::kFloat32)};
    const LossOutput loss = detection_loss(fp32, targets, 2, *comm);
    REQUIRE(std::isfinite(loss.total.item<double>()));
    scaler.scale(loss.total).backward();
    // Parameters and their gradients stay float32: only the activations were cast.
    CHECK((model->parameters()[0].grad().scalar_type() == torch::kFloat32));
    CHECK(scaler.step(sgd, model->parameters()));
    losses.push_back(loss.total.item<double>());
  }
  INFO("first loss " << losses.front() << ", last " << losses.back());
  CHECK(losses.back() < 0.8 * losses.front());
}

TEST_CASE("a checkpoint keeps the loss scale") {
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/trainplan-loss-scale-" + std::to_string(getpid()) + ".pt";
  Detector model(DetectorConfig{}, std::vector<std::string>{"square"});
  TrainingPosition position{"finetune", 1, 2, 3, false, RunSetup{}, LossScaleState{4096.0, 17}, 0};
  save_checkpoint(path, *model, nullptr, position, ModelIdentity{"tiny", 32, {"square"}}, 0.5);
  const CheckpointInfo info = read_checkpoint_info(path);
  CHECK(info.position.loss_scale.scale == 4096.0);
  CHECK(info.position.loss_scale.growth_tracker == 17);
  position.loss_scale = LossScaleState{};
  save_checkpoint(path, *model, nullptr, position, ModelIdentity{"tiny", 32, {"square"}}, 0.5);
  CHECK(read_checkpoint_info(path).position.loss_scale.scale == 0.0);
  std::remove(path.c_str());
}
