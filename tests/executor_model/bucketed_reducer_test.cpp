// BucketedReducer with gradient accumulation: backwards before prepare_for_backward() only
// accumulate locally (DDP's no_sync); the last one reduces, and the result is the average over
// ranks of each rank's accumulated gradient.
#include "trainplan/executor/bucketed_reducer.hpp"

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "thread_communicator.hpp"

using trainplan::executor::BucketedReducer;
using trainplan::executor::testing::run_ranks;
using trainplan::executor::testing::ThreadCommunicator;
using trainplan::executor::testing::ThreadGroup;

TEST_CASE("accumulated micro-batches reduce once, to the rank average of the accumulated sums") {
  ThreadGroup group(2);
  std::vector<torch::Tensor> grads(2);
  std::vector<long> calls_after_first(2), calls_after_last(2);
  run_ranks(2, [&](int r) {
    ThreadCommunicator comm(group, r);
    torch::Tensor weight = torch::ones({4, 3}, torch::requires_grad());
    torch::Tensor bias = torch::zeros({3}, torch::requires_grad());
    BucketedReducer reducer({weight, bias}, comm);
    const double scale = r + 1.0;  // rank 0 and rank 1 see different data
    // Micro-batch 1: no collective.
    ((weight.sum(0) + bias) * scale).sum().backward();
    calls_after_first[r] = group.calls(r);
    // Micro-batch 2 ends the step: it reduces.
    reducer.prepare_for_backward();
    ((weight.sum(0) + bias) * (10 * scale)).sum().backward();
    reducer.finish();
    calls_after_last[r] = group.calls(r);
    grads[r] = torch::cat({weight.grad().flatten(), bias.grad()});
  });
  // Each rank accumulated 11 * scale per element; the average over ranks is (11 + 22) / 2.
  for (int r = 0; r < 2; ++r) {
    CHECK(calls_after_first[r] == 0);
    CHECK(calls_after_last[r] == 1);  // one bucket
    CHECK(torch::allclose(grads[r], torch::full({15}, 16.5)));
  }
}
