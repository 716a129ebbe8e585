#pragma once
// `trainplan probe comm` / `trainplan-executor bench-comm`: all-reduce and all-gather from a few
// bytes to hundreds of MB over the run's communicator (Gloo here, NCCL where GPUs are),
// printed as nccl-tests prints them, and optionally saved as an interconnect profile that
// `estimate --profiles` reads. No LibTorch types here.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

namespace trainplan::executor {

/// What to measure.
struct CommBenchOptions {
  int nproc = 2;                      ///< local ranks to start (ignored under a launcher)
  std::string backend = "gloo";       ///< gloo or nccl
  int64_t min_bytes = 8;
  int64_t max_bytes = 256ll << 20;
  int factor = 2;                     ///< each size is the previous times this
  double seconds_per_size = 0.25;     ///< time spent measuring each size (at least one op)
  int max_iters = 20;
  std::string op = "all";             ///< all_reduce, all_gather or all
  std::string profile_out;            ///< write an interconnect profile here
  std::string profile_id;             ///< its id (default "measured-<backend>-<ranks>")
  double timeout_seconds = 300;
  bool worker = false;                ///< internal: a launched rank
  std::string self_path;              ///< internal: this program, to start the ranks
};

/// The executor's command line for `options` (after the program): `bench-comm` and its flags.
inline std::vector<std::string> comm_bench_arguments(const CommBenchOptions& o) {
  std::vector<std::string> a = {"bench-comm", "--nproc", std::to_string(o.nproc), "--backend",
                                o.backend, "--min-bytes", std::to_string(o.min_bytes),
                                "--max-bytes", std::to_string(o.max_bytes), "--factor",
                                std::to_string(o.factor), "--seconds-per-size",
                                fmt::format("{}", o.seconds_per_size), "--max-iters",
                                std::to_string(o.max_iters), "--op", o.op, "--timeout",
                                fmt::format("{}", o.timeout_seconds)};
  if (!o.profile_out.empty()) a.insert(a.end(), {"--profile-out", o.profile_out});
  if (!o.profile_id.empty()) a.insert(a.end(), {"--profile-id", o.profile_id});
  if (o.worker) a.push_back("--worker");
  return a;
}

/// Runs the benchmark (as the launcher of nproc local ranks, or as one rank under torchrun,
/// srun or mpirun variables); rank 0 prints the table. Returns the exit code.
int run_comm_bench(const CommBenchOptions& options);

}  // namespace trainplan::executor
