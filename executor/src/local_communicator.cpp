// The world-of-one backend: rank 0 of 1, and every collective leaves its tensors as they are
// (a sum, a broadcast or a barrier over one rank changes nothing). It lets the trainer, the
// loss and SyncBatchNorm run the same code with or without a process group.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {
namespace {

/// A finished operation: there is nothing to wait for and nothing that can fail.
class DoneWork final : public Work {
 public:
  void wait() override {}
};

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  std::string backend() const override { return "local"; }

  std::unique_ptr<Work> allreduce_sum_async(std::vector<torch::Tensor> /*tensors*/) override {
    return std::make_unique<DoneWork>();
  }
  torch::Tensor allgather(const torch::Tensor& tensor) override {
    return tensor.unsqueeze(0).clone();
  }
  void broadcast(std::vector<torch::Tensor> /*tensors*/, int root) override {
    TORCH_CHECK(root == 0, "local communicator: broadcast root ", root, " outside a world of 1");
  }
  void barrier() override {}
  void barrier_within(std::chrono::milliseconds) override {}
};

}  // namespace

std::unique_ptr<Communicator> make_local_communicator() {
  return std::make_unique<LocalCommunicator>();
}

}  // namespace trainplan::executor
