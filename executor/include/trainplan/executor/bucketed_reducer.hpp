#pragma once
// Data-parallel gradient reduction as PyTorch's DistributedDataParallel does it: parameters
// are grouped into buckets (25 MiB by default) in reverse registration order, which is about
// the order backward produces their gradients; a bucket is all-reduced asynchronously as soon
// as all its gradients are accumulated, while backward still runs; finish() waits for the
// buckets and averages.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {

/// Owns the buckets and the autograd hooks of one model's trainable parameters.
class BucketedReducer {
 public:
  /// `parameters` in registration order; those that do not require grad are left out.
  BucketedReducer(std::vector<torch::Tensor> parameters, Communicator& comm,
                  double bucket_mb = 25.0);
  ~BucketedReducer();
  BucketedReducer(const BucketedReducer&) = delete;
  BucketedReducer& operator=(const BucketedReducer&) = delete;

  /// Copies rank 0's parameters (and `buffers`) to every rank, so all start equal.
  static void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, Communicator& comm);

  /// Call before the backward of the micro-batch that ends an optimizer step: its gradients
  /// are then reduced as they become ready. Backwards without it only accumulate (no_sync).
  void prepare_for_backward();
  /// Waits for every bucket (launching those whose parameters got no gradient), divides by the
  /// world size and writes the averaged gradients back. Rethrows a failed collective.
  void finish();

  /// Number of buckets (for tests and logs).
  size_t bucket_count() const;

 private:
  struct Bucket;
  struct Hook;
  void mark_ready(size_t parameter);
  void launch(Bucket& bucket);

  std::vector<torch::Tensor> params_;
  std::vector<size_t> bucket_of_;  // parameter -> bucket
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, uintptr_t>> hooks_;
  Communicator& comm_;
  bool armed_ = false;
};

}  // namespace trainplan::executor
