#pragma once
// A test double for a multi-rank job inside one process: each rank is a thread holding a
// ThreadCommunicator over a shared ThreadGroup; collectives meet at an in-memory barrier.
// Sums are taken in rank order, so every rank gets bitwise the same result (as Gloo's ring
// does), and a collective that is not joined by every rank within 30 s throws instead of
// hanging the test.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor::testing {

/// The shared state of `world` ranks.
class ThreadGroup {
 public:
  explicit ThreadGroup(int world)
      : world_(world), slots_(static_cast<size_t>(world)), calls_(static_cast<size_t>(world)) {}
  int world() const { return world_; }

  /// Waits until all ranks arrive.
  void barrier() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long generation = generation_;
    if (++arrived_ == world_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return generation_ != generation; })) {
      throw std::runtime_error("ThreadGroup: a rank did not join the collective");
    }
  }

  /// Element-wise sum of every rank's `tensors`, written into each rank's tensors.
  void allreduce_sum(int rank, std::vector<torch::Tensor>& tensors) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& slot = slots_[static_cast<size_t>(rank)];
      slot.clear();
      for (const auto& t : tensors) slot.push_back(t.detach().clone());  // snapshots
    }
    barrier();
    for (size_t i = 0; i < tensors.size(); ++i) {
      torch::Tensor sum = slots_[0][i].clone();
      for (int r = 1; r < world_; ++r) sum += slots_[static_cast<size_t>(r)][i];
      torch::NoGradGuard no_grad;
      tensors[i].copy_(sum);
    }
    barrier();                            // nobody refills a slot before every rank has read it
    ++calls_[static_cast<size_t>(rank)];  // each rank writes only its own counter
  }

  /// Every rank's `tensor`, stacked in rank order.
  torch::Tensor allgather(int rank, const torch::Tensor& tensor) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& slot = slots_[static_cast<size_t>(rank)];
      slot.assign(1, tensor.detach().clone());
    }
    barrier();
    std::vector<torch::Tensor> all;
    for (int r = 0; r < world_; ++r) all.push_back(slots_[static_cast<size_t>(r)][0]);
    torch::Tensor gathered = torch::stack(all);
    barrier();
    ++calls_[static_cast<size_t>(rank)];
    return gathered;
  }

  /// Copies root's tensors to every rank.
  void broadcast(int rank, std::vector<torch::Tensor>& tensors, int root) {
    if (rank == root) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& slot = slots_[static_cast<size_t>(root)];
      slot.clear();
      for (const auto& t : tensors) slot.push_back(t.detach().clone());
    }
    barrier();
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < tensors.size(); ++i) {
      tensors[i].copy_(slots_[static_cast<size_t>(root)][i]);
    }
    barrier();
  }

  /// All-reduces and all-gathers performed by `rank` so far.
  long calls(int rank) const { return calls_[static_cast<size_t>(rank)]; }

 private:
  int world_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
  long generation_ = 0;
  std::vector<std::vector<torch::Tensor>> slots_;
  std::vector<long> calls_;
};

/// One rank's view of a ThreadGroup.
class ThreadCommunicator final : public Communicator {
 public:
  ThreadCommunicator(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int world_size() const override { return group_.world(); }
  std::string backend() const override { return "threads"; }
  std::unique_ptr<Work> allreduce_sum_async(std::vector<torch::Tensor> tensors) override {
    group_.allreduce_sum(rank_, tensors);  // completes here; the handle has nothing to wait on
    return std::make_unique<Done>();
  }
  torch::Tensor allgather(const torch::Tensor& tensor) override {
    return group_.allgather(rank_, tensor);
  }
  void broadcast(std::vector<torch::Tensor> tensors, int root) override {
    group_.broadcast(rank_, tensors, root);
  }
  void barrier() override { group_.barrier(); }
  void barrier_within(std::chrono::milliseconds) override { group_.barrier(); }

 private:
  struct Done final : Work {
    void wait() override {}
  };
  ThreadGroup& group_;
  int rank_;
};

/// Runs body(rank) on `world` threads and rethrows the first exception.
inline void run_ranks(int world, const std::function<void(int)>& body) {
  std::vector<std::exception_ptr> errors(static_cast<size_t>(world));
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      try {
        body(r);
      } catch (...) {
        errors[static_cast<size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace trainplan::executor::testing
