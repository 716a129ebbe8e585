// SyncBatchNorm: with one rank it is BatchNorm2d (YOLO's eps and momentum); with two ranks
// holding half a batch each it computes exactly what BatchNorm2d computes on the whole batch,
// forward and backward (the property that makes data-parallel training exact).
#include "trainplan/executor/model/sync_batch_norm.hpp"

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "thread_communicator.hpp"

using trainplan::executor::make_local_communicator;
using trainplan::executor::SyncBatchNorm;
using trainplan::executor::testing::run_ranks;
using trainplan::executor::testing::ThreadCommunicator;
using trainplan::executor::testing::ThreadGroup;

namespace {

constexpr int64_t kChannels = 5;

torch::nn::BatchNorm2d reference_norm() {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(kChannels).eps(1e-3).momentum(0.03));
}

/// Non-trivial affine parameters, equal in both modules.
void set_affine(torch::Tensor weight, torch::Tensor bias) {
  torch::NoGradGuard no_grad;
  weight.copy_(torch::linspace(0.5, 1.5, kChannels));
  bias.copy_(torch::linspace(-0.3, 0.4, kChannels));
}

bool close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-5) {
  return torch::allclose(a, b, /*rtol=*/tol, /*atol=*/tol);
}

/// Forward and backward of one SyncBatchNorm per rank, 2 ranks as threads, rank r holding
/// images [split[r], split[r + 1]) of `input` and of the upstream gradient.
struct TwoRanks {
  ThreadGroup group{2};
  std::vector<ThreadCommunicator> comms{ThreadCommunicator(group, 0), ThreadCommunicator(group, 1)};
  std::vector<SyncBatchNorm> norms{SyncBatchNorm(kChannels), SyncBatchNorm(kChannels)};
  torch::Tensor y, x_grad, weight_grad, bias_grad;  // outputs and gradients over both ranks

  TwoRanks(const torch::Tensor& input, const torch::Tensor& upstream,
           const std::vector<int64_t>& split) {
    std::vector<torch::Tensor> x(2), ys(2);
    for (int r = 0; r < 2; ++r) {
      set_affine(norms[r]->weight, norms[r]->bias);
      norms[r]->set_communicator(&comms[r]);
      x[r] = input.slice(0, split[r], split[r + 1]).clone().requires_grad_(true);
    }
    run_ranks(2, [&](int r) {
      ys[r] = norms[r]->forward(x[r]);
      (ys[r] * upstream.slice(0, split[r], split[r + 1])).sum().backward();
    });
    y = torch::cat({ys[0], ys[1]});
    x_grad = torch::cat({x[0].grad(), x[1].grad()});
    // Parameter gradients are per-rank shares: their sum is the whole batch's gradient.
    weight_grad = norms[0]->weight.grad() + norms[1]->weight.grad();
    bias_grad = norms[0]->bias.grad() + norms[1]->bias.grad();
  }
};

/// BatchNorm2d (eps and momentum as SyncBatchNorm's) on the whole batch, forward and backward.
struct WholeBatch {
  torch::nn::BatchNorm2d norm = reference_norm();
  torch::Tensor y, x_grad;

  WholeBatch(const torch::Tensor& input, const torch::Tensor& upstream) {
    set_affine(norm->weight, norm->bias);
    const torch::Tensor x = input.clone().requires_grad_(true);
    y = norm->forward(x);
    (y * upstream).sum().backward();
    x_grad = x.grad();
  }
};

}  // namespace

TEST_CASE("SyncBatchNorm with a world of one equals BatchNorm2d, forward and backward") {
  torch::manual_seed(7);
  const torch::Tensor input = torch::randn({8, kChannels, 6, 7}) * 3 + 2;
  const torch::Tensor upstream = torch::randn({8, kChannels, 6, 7});
  auto local = make_local_communicator();

  auto reference = reference_norm();
  set_affine(reference->weight, reference->bias);
  SyncBatchNorm sync(kChannels);
  set_affine(sync->weight, sync->bias);
  sync->set_communicator(local.get());

  const torch::Tensor x_ref = input.clone().requires_grad_(true);
  const torch::Tensor x_sync = input.clone().requires_grad_(true);
  const torch::Tensor y_ref = reference->forward(x_ref);
  const torch::Tensor y_sync = sync->forward(x_sync);
  CHECK(close(y_sync, y_ref));
  (y_ref * upstream).sum().backward();
  (y_sync * upstream).sum().backward();
  CHECK(close(x_sync.grad(), x_ref.grad()));
  CHECK(close(sync->weight.grad(), reference->weight.grad()));
  CHECK(close(sync->bias.grad(), reference->bias.grad()));
  CHECK(close(sync->running_mean, reference->running_mean));
  CHECK(close(sync->running_var, reference->running_var));

  SUBCASE("eval mode uses the running statistics, like BatchNorm2d") {
    reference->eval();
    sync->eval();
    const torch::Tensor probe = torch::randn({2, kChannels, 3, 3});
    CHECK(close(sync->forward(probe), reference->forward(probe)));
  }
}

TEST_CASE("SyncBatchNorm with no communicator is local") {
  torch::manual_seed(3);
  const torch::Tensor input = torch::randn({4, kChannels, 5, 5});
  auto reference = reference_norm();
  SyncBatchNorm sync(kChannels);
  CHECK(sync->communicator() == nullptr);
  CHECK(close(sync->forward(input), reference->forward(input)));
}

TEST_CASE("SyncBatchNorm refuses a single value per channel in training") {
  SyncBatchNorm sync(kChannels);
  CHECK_THROWS(sync->forward(torch::randn({1, kChannels, 1, 1})));
}

TEST_CASE("two ranks with half a batch each equal BatchNorm2d on the whole batch") {
  torch::manual_seed(11);
  const torch::Tensor input = torch::randn({8, kChannels, 4, 6}) * 2 - 1;
  const torch::Tensor upstream = torch::randn({8, kChannels, 4, 6});
  const WholeBatch reference(input, upstream);
  const TwoRanks ranks(input, upstream, {0, 4, 8});

  CHECK(ranks.group.calls(0) == 2);  // one collective forward, one backward
  CHECK(ranks.group.calls(1) == 2);
  CHECK(close(ranks.y, reference.y));
  CHECK(close(ranks.x_grad, reference.x_grad));
  CHECK(close(ranks.weight_grad, reference.norm->weight.grad()));
  CHECK(close(ranks.bias_grad, reference.norm->bias.grad()));
  for (int r = 0; r < 2; ++r) {
    CHECK(close(ranks.norms[r]->running_mean, reference.norm->running_mean));
    CHECK(close(ranks.norms[r]->running_var, reference.norm->running_var));
  }
}

TEST_CASE("ranks with unequal batches and a large mean still equal BatchNorm2d on the union") {
  // 3 + 5 images: the global statistics weight each rank by its count. A mean 40 times the
  // spread checks that the float64 sums lose no digits that matter.
  torch::manual_seed(5);
  const torch::Tensor input = torch::randn({8, kChannels, 4, 5}) * 0.5 + 20;
  const torch::Tensor upstream = torch::randn({8, kChannels, 4, 5});
  const WholeBatch reference(input, upstream);
  const TwoRanks ranks(input, upstream, {0, 3, 8});
  CHECK(close(ranks.y, reference.y, 1e-4));
  CHECK(close(ranks.x_grad, reference.x_grad, 1e-4));
  CHECK(close(ranks.weight_grad, reference.norm->weight.grad(), 1e-4));
  for (int r = 0; r < 2; ++r) {
    CHECK(close(ranks.norms[r]->running_mean, reference.norm->running_mean));
    CHECK(close(ranks.norms[r]->running_var, reference.norm->running_var));
  }
}

TEST_CASE("SyncBatchNorm on 2 ranks x 4 images matches itself on 1 rank x 8 to float32 rounding") {
  // What exact data parallelism needs: the split of the batch changes only the order of
  // float64 sums, so outputs and gradients agree to a few float32 ulps.
  torch::manual_seed(13);
  const torch::Tensor input = torch::randn({8, kChannels, 6, 6}) * 1.5 + 0.7;
  const torch::Tensor upstream = torch::randn({8, kChannels, 6, 6}) * 1e-3;
  auto local = make_local_communicator();
  SyncBatchNorm whole(kChannels);
  set_affine(whole->weight, whole->bias);
  whole->set_communicator(local.get());
  const torch::Tensor x_whole = input.clone().requires_grad_(true);
  const torch::Tensor y_whole = whole->forward(x_whole);
  (y_whole * upstream).sum().backward();

  const TwoRanks ranks(input, upstream, {0, 4, 8});
  const auto max_rel = [](const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max()).item<double>();
  };
  const double y_diff = max_rel(ranks.y, y_whole);
  const double grad_diff = max_rel(ranks.x_grad, x_whole.grad());
  const double weight_diff = max_rel(ranks.weight_grad, whole->weight.grad());
  MESSAGE("2 ranks vs 1: output " << y_diff << ", input gradient " << grad_diff
                                  << ", weight gradient " << weight_diff);
  CHECK(y_diff < 1e-6);
  CHECK(grad_diff < 1e-6);
  CHECK(weight_diff < 1e-6);
}
