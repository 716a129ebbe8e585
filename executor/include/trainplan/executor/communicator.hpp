#pragma once
// The communicator in front of Gloo (and, later, NCCL): one virtual per collective, an options
// struct with a timeout, and an async handle whose wait() rethrows. A trivial backend serves a
// world of one (as c10d's Backend/Work, and flashlight's world-of-one backend).
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainplan/executor/world_info.hpp"

namespace trainplan::executor {

/// Options of every collective.
struct CollectiveOptions {
  /// A collective that does not finish within this time fails with a message naming the
  /// rank and the operation (no hangs).
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Joining the job (the store and the mesh of connections) fails after this long, naming the
  /// address and port: ranks may start minutes apart under a scheduler.
  std::chrono::milliseconds rendezvous_timeout{std::chrono::seconds(300)};
};

/// An operation in flight. wait() blocks until it completes and rethrows its failure as a
/// RunError naming the rank and the operation.
class Work {
 public:
  virtual ~Work() = default;
  virtual void wait() = 0;
};

/// Collectives over all ranks. Tensors are CPU float32/float64 tensors, changed in place.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  /// The backend's name: "gloo", "nccl" or "local".
  virtual std::string backend() const = 0;

  /// Sums each of `tensors` (of one type) element-wise across ranks, asynchronously.
  virtual std::unique_ptr<Work> allreduce_sum_async(std::vector<torch::Tensor> tensors) = 0;
  /// Every rank's `tensor`, stacked in rank order: a new tensor of shape [world_size, ...].
  virtual torch::Tensor allgather(const torch::Tensor& tensor) = 0;
  /// Copies `tensors` from `root` to every rank.
  virtual void broadcast(std::vector<torch::Tensor> tensors, int root) = 0;
  /// Waits until every rank has arrived.
  virtual void barrier() = 0;
  /// A barrier with its own timeout: the ranks that wait while rank 0 checks the data sets
  /// (which may take minutes) wait up to the rendezvous timeout, not a collective's.
  virtual void barrier_within(std::chrono::milliseconds timeout) = 0;

  /// Blocking sum across ranks.
  void allreduce_sum(torch::Tensor tensor) { allreduce_sum_async({std::move(tensor)})->wait(); }

  /// Blocking sum across ranks of a small tensor (up to a few thousand values): one all-gather
  /// and a local sum in rank order. Gloo's all-reduce runs a reduce-scatter and then an
  /// all-gather, two rounds of messages, where one all-gather is a single round: for the
  /// per-channel statistics of SyncBatchNorm this halves the latency
  /// (bench/ddp_reference/gloo_latency.py), and every rank gets bitwise the same sum.
  void allreduce_sum_small(const torch::Tensor& tensor);
};

/// Bytes that only rank 0 can read (a checkpoint on a machine without a shared file system)
/// on every rank: rank 0 calls `read` and broadcasts what it returns. When `read` throws on
/// rank 0, every rank throws an InputError with its message (no rank is left waiting).
std::string broadcast_from_rank0(Communicator& comm, const std::function<std::string()>& read);

/// The world-of-one backend: every collective is a no-op.
std::unique_ptr<Communicator> make_local_communicator();

/// NCCL over the job's store (the unique id is exchanged through it), on GPU local_rank;
/// CPU tensors are staged through pinned buffers. Throws InputError when NCCL cannot be used
/// here (nccl_unavailable_reason), RunError naming the rank when the rendezvous fails.
std::unique_ptr<Communicator> make_nccl_communicator(const WorldInfo& world,
                                                     const CollectiveOptions& options);

/// Why NCCL cannot be used here ("" when it can): a build without NCCL, or no visible GPU.
std::string nccl_unavailable_reason();

/// A rendezvous store served by this process (the launcher's, as torchrun's agent store) on a
/// port the operating system assigns and that stays bound while it lives: no port race.
class HostedStore {
 public:
  virtual ~HostedStore() = default;
  /// The port it listens on.
  virtual int port() const = 0;
};

/// Serves a store for `world_size` ranks at `address` (an address of this host).
std::unique_ptr<HostedStore> host_store(const std::string& address, int world_size);

/// Gloo over a TCPStore at master_addr:master_port (rank 0 hosts the store unless
/// world.agent_store says the launcher does). Throws RunError
/// naming the address and rank when the rendezvous does not complete within the timeout.
std::unique_ptr<Communicator> make_gloo_communicator(const WorldInfo& world,
                                                     const CollectiveOptions& options);

}  // namespace trainplan::executor
