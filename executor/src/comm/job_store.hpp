#pragma once
// The job's rendezvous store (c10d TCPStore), shared by the Gloo and NCCL communicators: joined
// first, with a key per rank so that a rendezvous that times out names the ranks missing.
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <string>

#include "trainplan/executor/world_info.hpp"

namespace trainplan::executor {

/// Connects to the store at world.master_addr:master_port (rank 0 hosts it unless
/// world.agent_store says the launcher does) and marks this rank joined. Waits on the store
/// time out after `timeout`. Throws what c10d throws.
c10::intrusive_ptr<c10d::TCPStore> join_job_store(const WorldInfo& world,
                                                  std::chrono::milliseconds timeout);

/// "; ranks 1, 3 never joined" (at most 16 named) from a reachable store, else "".
std::string missing_ranks(c10d::Store* store, int world_size);

/// The message of a failed rendezvous: rank, world, address, timeout, the first line of
/// `what`, the missing ranks and `hint`.
std::string rendezvous_failure(const WorldInfo& world, std::chrono::milliseconds timeout,
                               const std::string& what, c10d::Store* store,
                               const std::string& hint);

}  // namespace trainplan::executor
