#include "job_store.hpp"

#include <fmt/format.h>

namespace trainplan::executor {

namespace {

std::string joined_key(int rank) { return "trainplan/joined/" + std::to_string(rank); }

}  // namespace

c10::intrusive_ptr<c10d::TCPStore> join_job_store(const WorldInfo& world,
                                                  std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = uint16_t(world.master_port);
  options.isServer = world.rank == 0 && !world.agent_store;
  options.numWorkers = size_t(world.world_size);
  options.waitWorkers = false;
  options.timeout = timeout;
  auto store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
  // Each rank says it joined, so that a rendezvous that times out can name who did not.
  store->set(joined_key(world.rank), std::vector<uint8_t>{1});
  return store;
}

std::string missing_ranks(c10d::Store* store, int world_size) {
  if (!store) return "";
  std::string missing;
  int count = 0;
  try {
    for (int r = 0; r < world_size && count < 16; ++r)
      if (!store->check({joined_key(r)})) {
        missing += (missing.empty() ? "" : ", ") + std::to_string(r);
        ++count;
      }
  } catch (const std::exception&) {
    return "";
  }
  if (missing.empty()) return "";
  return fmt::format("; rank{} {} never joined", count == 1 ? "" : "s", missing);
}

std::string rendezvous_failure(const WorldInfo& world, std::chrono::milliseconds timeout,
                               const std::string& what, c10d::Store* store,
                               const std::string& hint) {
  return fmt::format("rank {}: rendezvous with {} ranks at {}:{} failed within {} s: {}{}{}",
                     world.rank, world.world_size, world.master_addr, world.master_port,
                     timeout.count() / 1000.0, what.substr(0, what.find('\n')),
                     missing_ranks(store, world.world_size), hint);
}

}  // namespace trainplan::executor
