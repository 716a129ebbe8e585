// The communicators (Gloo, and NCCL where a GPU is visible) pass the same tests: ranks as
// threads of this process over a real TCPStore and real sockets (Gloo) or GPUs (NCCL).
// NCCL allows one rank per GPU, so it runs as many ranks as GPUs (at most 2), and prints why
// it is skipped where no GPU is visible.
#include <chrono>
#include <functional>
#include <thread>

#include "doctest_torch.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/launcher.hpp"

using namespace trainplan::executor;

namespace {

using Make = std::function<std::unique_ptr<Communicator>(const WorldInfo&, const CollectiveOptions&)>;

// Runs `body` on `ranks` threads, each with its own communicator; rethrows the first failure.
void on_ranks(int ranks, const Make& make, const std::function<void(Communicator&)>& body,
              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const int port = free_tcp_port();
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> failures(static_cast<size_t>(ranks), nullptr);
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      try {
        WorldInfo w;
        w.rank = w.local_rank = r;
        w.world_size = w.local_world_size = ranks;
        w.master_addr = "127.0.0.1";
        w.master_port = port;
        CollectiveOptions o;
        o.timeout = timeout;
        o.rendezvous_timeout = std::chrono::seconds(30);
        auto comm = make(w, o);
        body(*comm);
      } catch (...) {
        failures[size_t(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);
}

// The backends that can run here, with their rank counts; the others say why not.
std::vector<std::pair<std::string, int>> backends() {
  std::vector<std::pair<std::string, int>> list = {{"gloo", 2}};
  const std::string why = nccl_unavailable_reason();
  if (why.empty())
    list.push_back({"nccl", 1});  // one rank per GPU; gpu-check.sh runs the rest on its GPUs
  else
    MESSAGE("NCCL communicator tests skipped: " << why);
  return list;
}

Make maker(const std::string& backend) {
  return backend == "nccl" ? Make(make_nccl_communicator) : Make(make_gloo_communicator);
}

}  // namespace

TEST_CASE("all-reduce sums each of several tensors, in place, on every rank") {
  for (const auto& [backend, ranks] : backends()) {
    CAPTURE(backend);
    const int n = ranks;
    on_ranks(n, maker(backend), [n](Communicator& comm) {
      auto a = torch::full({5}, double(comm.rank() + 1), torch::kFloat64).to(torch::kFloat32);
      auto b = torch::arange(7, torch::kFloat32).view({7, 1}) * float(comm.rank() + 1);
      comm.allreduce_sum_async({a, b})->wait();
      const float sum = float(n * (n + 1) / 2);
      CHECK(torch::equal(a, torch::full({5}, sum)));
      CHECK(torch::equal(b, torch::arange(7, torch::kFloat32).view({7, 1}) * sum));
      auto d = torch::full({3}, 0.5 + comm.rank(), torch::kFloat64);
      comm.allreduce_sum(d);
      CHECK(d[0].item<double>() == doctest::Approx(0.5 * n + n * (n - 1) / 2.0));
    });
  }
}

TEST_CASE("all-gather stacks every rank's tensor in rank order") {
  for (const auto& [backend, ranks] : backends()) {
    CAPTURE(backend);
    const int n = ranks;
    on_ranks(n, maker(backend), [n](Communicator& comm) {
      const auto mine = torch::full({2, 3}, float(comm.rank() * 10), torch::kFloat32);
      const auto all = comm.allgather(mine);
      REQUIRE(all.sizes() == std::vector<int64_t>{n, 2, 3});
      for (int r = 0; r < n; ++r) CHECK(torch::equal(all[r], torch::full({2, 3}, float(r * 10))));
    });
  }
}

TEST_CASE("broadcast copies the root's tensors, and bytes only rank 0 can read reach every rank") {
  for (const auto& [backend, ranks] : backends()) {
    CAPTURE(backend);
    on_ranks(ranks, maker(backend), [](Communicator& comm) {
      auto t = torch::full({4}, float(comm.rank() + 5), torch::kFloat32);
      auto i = torch::tensor({int64_t(comm.rank() + 100)}, torch::kInt64);
      comm.broadcast({t}, 0);
      comm.broadcast({i}, 0);
      CHECK(torch::equal(t, torch::full({4}, 5.0f)));
      CHECK(i.item<int64_t>() == 100);
      const std::string bytes = broadcast_from_rank0(comm, [] { return std::string("weights\0!", 9); });
      CHECK(bytes == std::string("weights\0!", 9));
      CHECK_THROWS_WITH_AS(broadcast_from_rank0(comm, []() -> std::string {
                             throw trainplan::InputError("no such checkpoint");
                           }),
                           "no such checkpoint", trainplan::InputError);
      comm.barrier();
      comm.barrier_within(std::chrono::seconds(5));
    });
  }
}

TEST_CASE("a collective a peer never joins fails within the timeout, naming the rank") {
  // Rank 1 leaves without the all-reduce (a dead peer); rank 0's wait must end.
  const auto start = std::chrono::steady_clock::now();
  std::string message;
  try {
    on_ranks(
        2, make_gloo_communicator,
        [](Communicator& comm) {
          if (comm.rank() == 1) return;
          auto t = torch::ones({4});
          comm.allreduce_sum(t);
        },
        std::chrono::seconds(2));
  } catch (const trainplan::RunError& e) {
    message = e.what();
  }
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CAPTURE(message);
  CHECK(message.find("rank 0") != std::string::npos);
  CHECK(took < 20);
}
