#include "run_flags.hpp"

#include <fmt/format.h>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/data_location.hpp"
#include "trainplan/planner/question.hpp"

namespace trainplan::cli {

void add_run_flags(CLI::App& cmd, const std::shared_ptr<executor::RunOptions>& o) {
  cmd.add_option("plan", o->plan_path, "Plan file (trainplan plan -o plan.json)")->required();
  cmd.add_option("--nproc", o->nproc, "Local worker processes to start (default 1)");
  cmd.add_option("--backend", o->backend,
                 "Collective backend: auto (default: nccl on CUDA, gloo on CPU), nccl or gloo");
  cmd.add_option("--device", o->device,
                 "Where the model runs: auto (default: cuda:LOCAL_RANK when LibTorch sees GPUs), "
                 "cuda or cpu");
  cmd.add_option("--work-dir", o->work_dir, "Run directory (default runs/<plan-name>[-N])");
  cmd.add_flag("--resume", o->resume, "Continue the run in --work-dir from its last checkpoint");
  cmd.add_flag("--scale-to-local", o->scale_to_local,
               "Run a GPU plan on this machine: same stages, synthetic data, tiny model");
  cmd.add_option("--check-sync", o->check_sync_every,
                 "Compare parameter checksums across ranks every N steps");
  cmd.add_flag("--skip-bad-samples", o->skip_bad_samples, "Report and skip bad images and boxes");
  cmd.add_option("--data-root", o->data_root, "Where dataset ids are found (default data)");
  cmd.add_option("--data", o->data,
                 "ID=PATH: the folder of the plan's data set ID (synthetic, COCO 2017, LVIS v1 or "
                 "Objects365 layout; docs/data-layouts.md); repeatable")
      ->allow_extra_args(false);  // one ID=PATH per --data, so the plan path is never taken
  cmd.add_option("--seed", o->seed, "Random seed (default 0)");
  cmd.add_option("--loader-threads", o->loader_threads, "Data-loader threads per worker (default 1)");
  cmd.add_option("--checkpoint-every", o->checkpoint_every_steps,
                 "Write last.pt every N optimizer steps as well as each epoch (default 25)");
  cmd.add_option("--timeout", o->timeout_seconds, "Seconds before a collective fails (default 60)");
  cmd.add_option("--bucket-mb", o->bucket_mb, "Gradient all-reduce bucket size in MiB (default 25)");
  cmd.add_option("--max-steps", o->max_steps, "Stop each stage at N optimizer steps (for tests)");
  cmd.add_option("--rdzv-timeout", o->rdzv_timeout_seconds,
                 "Seconds for every rank to join the job before it fails naming the address (default 300)");
  cmd.add_option("--hang-timeout", o->hang_timeout_seconds,
                 "Seconds a rank may make no progress outside a collective before the run "
                 "ends naming it and its phase (default: 3/4 of --timeout, at least 10; 0 = off)");
  cmd.add_option("--term-grace", o->term_grace_seconds,
                 "After SIGINT/SIGTERM, seconds workers get to checkpoint before they are killed "
                 "(default 30)");
  cmd.add_option("--global-batch", o->global_batch,
                 "With --scale-to-local: images per step over all ranks (default 8 per rank)");
  cmd.add_option("--accumulate", o->accumulate,
                 "Micro-batches per optimizer step (gradient accumulation; default: what the "
                 "plan's memory prediction needs, 1 with --scale-to-local)");
  cmd.add_option("--deadline", o->deadline,
                 "The run's deadline from its first launch: 36h, 90m, 45s (a plain number is "
                 "hours); forecasts give the odds of meeting it");
  cmd.add_option("--deadline-policy", o->deadline_policy,
                 "When the forecast misses --deadline: warn (default), shorten (cut the running "
                 "stage's epochs) or stop (stop in time to evaluate and checkpoint)");
  cmd.add_option("--mtbf-hours", o->mtbf_hours,
                 "One GPU's mean time between failures: forecasts and deadline odds include "
                 "restarts and redone work, as `simulate --mtbf-hours` does");
  cmd.add_flag("--worker", o->worker, "Internal: run as a launched worker")->group("");
}

void check_run_options(const executor::RunOptions& o) {
  auto bad = [](const std::string& flag, const std::string& value, const std::string& accepted) {
    throw InputError(fmt::format("{}: {} is not accepted; expected {}", flag, value, accepted));
  };
  if (o.nproc < 1 || o.nproc > 256) bad("--nproc", std::to_string(o.nproc), "1..256");
  if (o.deadline_policy != "warn" && o.deadline_policy != "shorten" && o.deadline_policy != "stop")
    bad("--deadline-policy", o.deadline_policy, "warn, shorten or stop");
  if (!(o.mtbf_hours >= 0 && o.mtbf_hours <= 1e7))
    bad("--mtbf-hours", fmt::format("{}", o.mtbf_hours), "hours, > 0 (0 = no failures)");
  if (!o.deadline.empty()) planner::parse_duration_hours(o.deadline, "--deadline");  // throws
  if (o.backend != "auto" && o.backend != "gloo" && o.backend != "nccl")
    bad("--backend", o.backend, "auto, nccl or gloo");
  if (o.device != "auto" && o.device != "cuda" && o.device != "cpu")
    bad("--device", o.device, "auto, cuda or cpu");
  if (o.check_sync_every < 0) bad("--check-sync", std::to_string(o.check_sync_every), ">= 0");
  if (o.loader_threads < 1 || o.loader_threads > 64)
    bad("--loader-threads", std::to_string(o.loader_threads), "1..64");
  if (o.checkpoint_every_steps < 1)
    bad("--checkpoint-every", std::to_string(o.checkpoint_every_steps), ">= 1");
  if (!(o.timeout_seconds > 0)) bad("--timeout", fmt::format("{}", o.timeout_seconds), "> 0");
  if (o.max_steps < 0) bad("--max-steps", std::to_string(o.max_steps), ">= 0");
  if (!(o.rdzv_timeout_seconds > 0 && o.rdzv_timeout_seconds <= 86400))
    bad("--rdzv-timeout", fmt::format("{}", o.rdzv_timeout_seconds), "seconds, > 0 and at most 86400");
  if (!(o.hang_timeout_seconds == -1 || (o.hang_timeout_seconds >= 0 && o.hang_timeout_seconds <= 86400)))
    bad("--hang-timeout", fmt::format("{}", o.hang_timeout_seconds), "seconds, 0 (off) to 86400");
  if (!(o.term_grace_seconds > 0 && o.term_grace_seconds <= 86400))
    bad("--term-grace", fmt::format("{}", o.term_grace_seconds), "seconds, > 0 and at most 86400");
  if (!(o.bucket_mb > 0) || o.bucket_mb > 4096) bad("--bucket-mb", fmt::format("{}", o.bucket_mb), "0 < MiB <= 4096");
  if (o.global_batch < 0) bad("--global-batch", std::to_string(o.global_batch), ">= 1");
  if (o.global_batch > 0 && o.global_batch % o.nproc != 0)
    bad("--global-batch", std::to_string(o.global_batch),
        fmt::format("a multiple of --nproc {}", o.nproc));
  if (o.accumulate < 0 || o.accumulate > 1024)
    bad("--accumulate", std::to_string(o.accumulate), "1..1024 (0: the plan's)");
  executor::data::data_sources(o.data, o.data_root);  // throws for a flag that is not ID=PATH
  if (o.resume && o.work_dir.empty())
    throw InputError("--resume: needs --work-dir, the run directory to continue");
}

}  // namespace trainplan::cli
