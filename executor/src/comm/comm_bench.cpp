#include "trainplan/executor/comm_bench.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "trainplan/atomic_file.hpp"
#include "trainplan/costmodel/communication.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/backend_choice.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/launch_env.hpp"
#include "trainplan/executor/launcher.hpp"

namespace trainplan::executor {

namespace {

using Clock = std::chrono::steady_clock;

// One measured size of one collective.
struct Row {
  std::string op;
  int64_t bytes = 0, count = 0;
  double us = 0, algbw = 0, busbw = 0;
  int64_t wrong = 0;
};

// The slowest rank's seconds: a collective is as fast as its last participant.
double slowest(Communicator& comm, double seconds) {
  const torch::Tensor all = comm.allgather(torch::tensor({seconds}, torch::kFloat64));
  return all.max().item<double>();
}

// Times `op` on `comm`: one warm-up, then as many repetitions as fit seconds_per_size (the
// same count on every rank: rank 0's choice, broadcast).
template <typename Op>
double time_op(Communicator& comm, const CommBenchOptions& o, Op op) {
  comm.barrier();
  auto start = Clock::now();
  op();
  const double first = slowest(comm, std::chrono::duration<double>(Clock::now() - start).count());
  torch::Tensor iters = torch::tensor(
      {double(std::clamp(int(std::ceil(o.seconds_per_size / std::max(first, 1e-6))), 1, o.max_iters))},
      torch::kFloat64);
  comm.broadcast({iters}, 0);
  const int n = int(iters.item<double>());
  comm.barrier();
  start = Clock::now();
  for (int i = 0; i < n; ++i) op();
  return slowest(comm, std::chrono::duration<double>(Clock::now() - start).count()) / n;
}

Row measure_all_reduce(Communicator& comm, const CommBenchOptions& o, int64_t bytes) {
  const int64_t count = std::max<int64_t>(1, bytes / 4);
  torch::Tensor t = torch::empty({count}, torch::kFloat32);
  const int n = comm.world_size();
  Row row{"all_reduce", count * 4, count};
  row.us = 1e6 * time_op(comm, o, [&] {
    t.fill_(float(comm.rank() + 1));
    comm.allreduce_sum(t);
  });
  row.wrong = (t != float(n * (n + 1) / 2)).sum().item<int64_t>();
  row.algbw = double(row.bytes) / (row.us * 1e-6) / 1e9;
  row.busbw = row.algbw * 2.0 * (n - 1) / n;  // nccl-tests: the ring's traffic per rank
  return row;
}

Row measure_all_gather(Communicator& comm, const CommBenchOptions& o, int64_t bytes) {
  const int n = comm.world_size();
  // nccl-tests' size is the gathered output: each rank sends size / n.
  const int64_t count = std::max<int64_t>(1, bytes / 4 / n);
  torch::Tensor mine = torch::full({count}, float(comm.rank() + 1), torch::kFloat32);
  torch::Tensor gathered;
  Row row{"all_gather", count * 4 * n, count * n};
  row.us = 1e6 * time_op(comm, o, [&] { gathered = comm.allgather(mine); });
  const torch::Tensor expected =
      (torch::arange(1, n + 1, torch::kFloat32).unsqueeze(1)).expand({n, count});
  row.wrong = (gathered != expected).sum().item<int64_t>();
  row.algbw = double(row.bytes) / (row.us * 1e-6) / 1e9;
  row.busbw = row.algbw * double(n - 1) / n;
  return row;
}

void print_table(const std::vector<Row>& rows, const std::string& backend, int ranks) {
  std::printf("# trainplan bench-comm: %s, %d ranks, float32 (times of the slowest rank)\n",
              backend.c_str(), ranks);
  std::string op;
  for (const auto& r : rows) {
    if (r.op != op) {
      op = r.op;
      std::printf("#\n# %s\n", op.c_str());
      std::printf("# %12s %12s %8s %6s %12s %9s %9s %7s\n", "size", "count", "type", "redop",
                  "time", "algbw", "busbw", "#wrong");
      std::printf("# %12s %12s %8s %6s %12s %9s %9s %7s\n", "(B)", "(elements)", "", "", "(us)",
                  "(GB/s)", "(GB/s)", "");
    }
    std::printf("  %12lld %12lld %8s %6s %12.2f %9.3f %9.3f %7lld\n", (long long)r.bytes,
                (long long)r.count, "float", r.op == "all_reduce" ? "sum" : "none", r.us, r.algbw,
                r.busbw, (long long)r.wrong);
  }
  std::fflush(stdout);
}

// An interconnect profile entry from the all-reduce rows: the largest size's bus bandwidth
// (divided by the cost model's link efficiency, which it multiplies back) and the smallest
// size's time per ring step as the latency (docs/costmodel.md, communication).
void write_profile(const std::vector<Row>& rows, const CommBenchOptions& o, int ranks) {
  std::vector<Row> reduce;
  for (const auto& r : rows)
    if (r.op == "all_reduce") reduce.push_back(r);
  if (reduce.empty()) throw InputError("--profile-out needs the all_reduce measurements (--op all or all_reduce)");
  const Row& big = reduce.back();
  const Row& small = reduce.front();
  const double steps = std::max(1, 2 * (ranks - 1));
  nlohmann::ordered_json entry = {
      {"id", o.profile_id.empty() ? fmt::format("measured-{}-{}", o.backend, ranks) : o.profile_id},
      {"name", fmt::format("measured by trainplan bench-comm: {} over {} ranks", o.backend, ranks)},
      {"kind", o.backend == "nccl" ? "nvlink" : "loopback"},
      {"bandwidth_gbps", big.busbw / costmodel::kLinkEfficiency},
      {"latency_us", small.us / steps},
      {"source", fmt::format("trainplan bench-comm: all_reduce busbw {:.3f} GB/s at {} B, {:.2f} us "
                             "at {} B, {} ranks, {}",
                             big.busbw, big.bytes, small.us, small.bytes, ranks, o.backend)}};
  nlohmann::ordered_json profile = {{"interconnects", nlohmann::ordered_json::array({entry})}};
  write_file_atomically(o.profile_out, profile.dump(2) + "\n");
  std::printf("# interconnect profile %s written to %s (estimate --profiles %s)\n",
              entry["id"].get<std::string>().c_str(), o.profile_out.c_str(), o.profile_out.c_str());
}

int bench_as_rank(const CommBenchOptions& o, const WorldInfo& world) {
  CollectiveOptions co;
  co.timeout = std::chrono::milliseconds(int64_t(o.timeout_seconds * 1000));
  co.rendezvous_timeout = co.timeout;
  std::unique_ptr<Communicator> comm = o.backend == "nccl" ? make_nccl_communicator(world, co)
                                                           : make_gloo_communicator(world, co);
  torch::set_num_threads(1);
  std::vector<Row> rows;
  for (const char* op : {"all_reduce", "all_gather"}) {
    if (o.op != "all" && o.op != op) continue;
    for (int64_t bytes = o.min_bytes; bytes <= o.max_bytes; bytes *= o.factor)
      rows.push_back(std::string(op) == "all_reduce" ? measure_all_reduce(*comm, o, bytes)
                                                     : measure_all_gather(*comm, o, bytes));
  }
  if (comm->rank() == 0) {
    print_table(rows, o.backend, comm->world_size());
    if (!o.profile_out.empty()) write_profile(rows, o, comm->world_size());
  }
  comm->barrier();
  int64_t wrong = 0;
  for (const auto& r : rows) wrong += r.wrong;
  return wrong == 0 ? 0 : 1;
}

void check(const CommBenchOptions& o) {
  auto bad = [](const std::string& flag, const std::string& value, const std::string& accepted) {
    throw InputError(fmt::format("{}: {} is not accepted; expected {}", flag, value, accepted));
  };
  if (o.nproc < 1 || o.nproc > 256) bad("--nproc", std::to_string(o.nproc), "1..256");
  if (o.min_bytes < 4 || o.min_bytes > o.max_bytes)
    bad("--min-bytes", std::to_string(o.min_bytes), "4 to --max-bytes");
  if (o.max_bytes > (int64_t(8) << 30)) bad("--max-bytes", std::to_string(o.max_bytes), "at most 8 GiB");
  if (o.factor < 2 || o.factor > 1024) bad("--factor", std::to_string(o.factor), "2..1024");
  if (o.op != "all" && o.op != "all_reduce" && o.op != "all_gather")
    bad("--op", o.op, "all, all_reduce or all_gather");
  if (!(o.seconds_per_size > 0 && o.seconds_per_size <= 60))
    bad("--seconds-per-size", fmt::format("{}", o.seconds_per_size), "0 < seconds <= 60");
  if (o.max_iters < 1) bad("--max-iters", std::to_string(o.max_iters), ">= 1");
}

}  // namespace

int run_comm_bench(const CommBenchOptions& given) {
  CommBenchOptions o = given;
  check(o);
  o.backend = choose_backend("cpu", o.backend).backend;  // nccl without a GPU: exit 2 here
  if (const auto world = world_from_environment(current_environment())) return bench_as_rank(o, *world);
  // The launcher: ranks on this machine, around a store it serves (launcher.hpp).
  const auto store = host_store("127.0.0.1", o.nproc);
  LaunchOptions lo;
  lo.nproc = o.nproc;
  CommBenchOptions worker = o;
  worker.worker = true;
  lo.worker_argv = comm_bench_arguments(worker);
  lo.worker_argv.insert(lo.worker_argv.begin(), o.self_path);
  std::string logs = (std::filesystem::temp_directory_path() / "trainplan-bench-comm-XXXXXX").string();
  if (!mkdtemp(logs.data())) throw RunError("bench-comm: cannot make a folder for the ranks' logs");
  lo.log_dir = logs;
  lo.master_port = store->port();
  lo.agent_store = true;
  const LaunchResult result = launch_local_workers(lo);
  if (!result.ok) {
    std::fprintf(stderr, "trainplan: %s", result.message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace trainplan::executor
