#include "comm_bench_flags.hpp"

namespace trainplan::cli {

void add_comm_bench_flags(CLI::App& cmd, const std::shared_ptr<executor::CommBenchOptions>& o) {
  cmd.add_option("--nproc", o->nproc, "Ranks to start on this machine (default 2)");
  cmd.add_option("--backend", o->backend, "gloo (default) or nccl");
  cmd.add_option("--min-bytes", o->min_bytes, "Smallest message, bytes (default 8)");
  cmd.add_option("--max-bytes", o->max_bytes, "Largest message, bytes (default 268435456)");
  cmd.add_option("--factor", o->factor, "Each size is the previous times this (default 2)");
  cmd.add_option("--seconds-per-size", o->seconds_per_size,
                 "Measuring time per size, at least one operation (default 0.25)");
  cmd.add_option("--max-iters", o->max_iters, "At most this many operations per size (default 20)");
  cmd.add_option("--op", o->op, "all_reduce, all_gather or all (default)");
  cmd.add_option("--profile-out", o->profile_out,
                 "Write the result as an interconnect profile (estimate --profiles FILE)");
  cmd.add_option("--profile-id", o->profile_id, "Its id (default measured-<backend>-<ranks>)");
  cmd.add_option("--timeout", o->timeout_seconds, "Seconds before a collective fails (default 300)");
  cmd.add_flag("--worker", o->worker, "Internal: run as a launched rank")->group("");
}

}  // namespace trainplan::cli
