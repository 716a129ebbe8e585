// Gloo through c10d: a TCPStore rendezvous hosted by rank 0, then ProcessGroupGloo over TCP.
#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <thread>

#include "trainplan/error.hpp"
#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/communicator.hpp"
#include "job_store.hpp"

namespace trainplan::executor {

namespace {

class GlooWork : public Work {
 public:
  GlooWork(c10::intrusive_ptr<c10d::Work> work, int rank, std::string what,
           std::chrono::milliseconds timeout)
      : work_(std::move(work)), rank_(rank), what_(std::move(what)), timeout_(timeout) {}

  void wait() override {
    ScopedPhase waiting(Phase::collective);  // waits for peers: never the hung rank
    try {
      work_->wait(timeout_);
    } catch (const std::exception& e) {
      // A peer that died or hung shows up here as a closed connection or a timeout.
      throw PeerFailure(fmt::format("rank {}: {} failed (timeout {} s): {}", rank_, what_,
                                 timeout_.count() / 1000.0, first_line(e.what())));
    }
  }

 private:
  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
  c10::intrusive_ptr<c10d::Work> work_;
  int rank_;
  std::string what_;
  std::chrono::milliseconds timeout_;
};

/// This host's address on the route to `host` (a UDP "connect" sends nothing; it only picks
/// the route), or "" when `host` does not resolve or no route leads there.
std::string local_address_towards(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), "9", &hints, &found) != 0 || !found) return "";
  std::string address;
  for (addrinfo* a = found; a && address.empty(); a = a->ai_next) {
    const int fd = socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    char text[INET6_ADDRSTRLEN] = {};
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
      const void* raw = local.ss_family == AF_INET
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr);
      if (inet_ntop(local.ss_family, raw, text, sizeof(text))) address = text;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return address;
}

/// The network interface Gloo binds to. GLOO_SOCKET_IFNAME names it, as for torchrun;
/// otherwise this host's address on the route to the rendezvous address: the one the other
/// hosts reach it by (c10d's default, the address this host's name resolves to, is often a
/// loopback address on Debian and Ubuntu, which no other host can reach).
std::shared_ptr<gloo::transport::Device> make_device(const WorldInfo& world) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  const std::string local = local_address_towards(world.master_addr);
  if (!local.empty()) return c10d::ProcessGroupGloo::createDeviceForHostname(local);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

/// Runs `connect` (building the mesh of connections) with a deadline: Gloo retries a refused
/// or unanswered connection past its own timeout (25 s were measured for a 5 s one).
template <typename Connect>
auto within_deadline(std::chrono::milliseconds deadline, Connect connect) {
  using Result = decltype(connect());
  auto promise = std::make_shared<std::promise<Result>>();
  auto result = promise->get_future();
  // On a timeout the thread is left behind: it holds its own references, and the process ends.
  std::thread([promise, connect]() mutable {
    try {
      promise->set_value(connect());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  }).detach();
  if (result.wait_for(deadline) != std::future_status::ready)
    throw std::runtime_error(fmt::format("connecting to the other ranks took longer than {} s",
                                         deadline.count() / 1000.0));
  return result.get();
}

// Waits for a flat all-reduce, then copies its parts back into the tensors it was made of.
class UnflattenWork : public Work {
 public:
  UnflattenWork(std::unique_ptr<Work> work, torch::Tensor flat, std::vector<torch::Tensor> parts)
      : work_(std::move(work)), flat_(std::move(flat)), parts_(std::move(parts)) {}
  void wait() override {
    work_->wait();
    torch::NoGradGuard no_grad;
    int64_t at = 0;
    for (auto& p : parts_) {
      p.copy_(flat_.slice(0, at, at + p.numel()).view(p.sizes()));
      at += p.numel();
    }
  }

 private:
  std::unique_ptr<Work> work_;
  torch::Tensor flat_;
  std::vector<torch::Tensor> parts_;
};

class GlooCommunicator : public Communicator {
 public:
  GlooCommunicator(const WorldInfo& world, const CollectiveOptions& options)
      : world_(world), options_(options) {
    bool store_joined = false;
    try {
      store_ = join_job_store(world, options.rendezvous_timeout);
      store_joined = true;
      auto gloo_options = c10d::ProcessGroupGloo::Options::create();
      // Connecting the mesh waits for every rank: the rendezvous timeout (each collective
      // passes its own, shorter, timeout).
      gloo_options->timeout = options.rendezvous_timeout;
      const auto device = make_device(world);
      gloo_options->devices.push_back(device);
      auto store = store_;
      const int rank = world.rank, size = world.world_size;
      group_ = within_deadline(options.rendezvous_timeout + std::chrono::seconds(2), [=] {
        return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, gloo_options);
      });
      // Joined: from now on a store wait is a collective's and has its timeout.
      store_->setTimeout(options.timeout);
    } catch (const std::exception& e) {
      // The store answered but the direct connections failed: a network, not a timing,
      // problem.
      throw RunError(rendezvous_failure(
          world, options.rendezvous_timeout, e.what(), store_.get(),
          store_joined ? "; the store answered, but Gloo connects every pair of ranks directly: "
                         "each host must reach the others at the address of the interface it "
                         "binds (GLOO_SOCKET_IFNAME, else its address on the route to MASTER_ADDR)"
                       : ""));
    }
  }

  int rank() const override { return world_.rank; }

  int world_size() const override { return world_.world_size; }
  std::string backend() const override { return "gloo"; }

  std::unique_ptr<Work> allreduce_sum_async(std::vector<torch::Tensor> tensors) override {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    o.timeout = options_.timeout;
    if (tensors.size() <= 1)
      return std::make_unique<GlooWork>(group_->allreduce(tensors, o), world_.rank, "all-reduce",
                                        options_.timeout);
    // Gloo reads a list as one tensor's copies on several devices and sums them together; the
    // contract sums each tensor across ranks: one flat buffer, copied back when waited for.
    std::vector<torch::Tensor> flat;
    for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
    std::vector<torch::Tensor> buffer{torch::cat(flat)};
    auto work = std::make_unique<GlooWork>(group_->allreduce(buffer, o), world_.rank, "all-reduce",
                                           options_.timeout);
    return std::make_unique<UnflattenWork>(std::move(work), buffer[0], std::move(tensors));
  }

  torch::Tensor allgather(const torch::Tensor& tensor) override {
    const torch::Tensor input = tensor.contiguous();
    std::vector<int64_t> sizes{world_.world_size};
    sizes.insert(sizes.end(), input.sizes().begin(), input.sizes().end());
    const torch::Tensor gathered = torch::empty(sizes, input.options());
    // Views of one tensor: Gloo copies each rank's part into its row.
    std::vector<std::vector<torch::Tensor>> outputs(1);
    for (int r = 0; r < world_.world_size; ++r) outputs[0].push_back(gathered[r]);
    std::vector<torch::Tensor> inputs{input};
    c10d::AllgatherOptions o;
    o.timeout = options_.timeout;
    GlooWork(group_->allgather(outputs, inputs, o), world_.rank, "all-gather", options_.timeout)
        .wait();
    return gathered;
  }

  void broadcast(std::vector<torch::Tensor> tensors, int root) override {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    o.timeout = options_.timeout;
    GlooWork(group_->broadcast(tensors, o), world_.rank, "broadcast", options_.timeout).wait();
  }

  void barrier() override {
    c10d::BarrierOptions o;
    o.timeout = options_.timeout;
    GlooWork(group_->barrier(o), world_.rank, "barrier", options_.timeout).wait();
  }

  void barrier_within(std::chrono::milliseconds timeout) override {
    c10d::BarrierOptions o;
    o.timeout = timeout;
    GlooWork(group_->barrier(o), world_.rank, "waiting for rank 0's data checks", timeout).wait();
  }

 private:
  WorldInfo world_;
  CollectiveOptions options_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

namespace {

class TcpHostedStore : public HostedStore {
 public:
  TcpHostedStore(const std::string& address, int world_size) {
    c10d::TCPStoreOptions o;
    o.port = 0;  // the kernel picks a free port and the listening socket keeps it
    o.isServer = true;
    o.numWorkers = size_t(world_size);
    o.waitWorkers = false;
    try {
      store_ = c10::make_intrusive<c10d::TCPStore>(address, o);
    } catch (const std::exception& e) {
      std::string what = e.what();
      throw RunError(fmt::format("cannot serve the rendezvous store at {}: {}", address,
                                 what.substr(0, what.find('\n'))));
    }
  }
  int port() const override { return store_->getPort(); }

 private:
  c10::intrusive_ptr<c10d::TCPStore> store_;
};

}  // namespace

std::unique_ptr<HostedStore> host_store(const std::string& address, int world_size) {
  return std::make_unique<TcpHostedStore>(address, world_size);
}

std::unique_ptr<Communicator> make_gloo_communicator(const WorldInfo& world,
                                                     const CollectiveOptions& options) {
  return std::make_unique<GlooCommunicator>(world, options);
}

}  // namespace trainplan::executor
