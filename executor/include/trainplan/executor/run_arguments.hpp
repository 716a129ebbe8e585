#pragma once
// RunOptions as command-line arguments: what the front end hands to the executor program and
// what the launcher gives each worker, from one list so that no option is forgotten on the
// way. Header-only and free of LibTorch: the front end uses it too.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "trainplan/executor/run.hpp"

namespace trainplan::executor {

/// "run", the plan, then every option of `o` as flags `trainplan run` parses back to `o`.
inline std::vector<std::string> run_arguments(const RunOptions& o) {
  std::vector<std::string> a = {"run", o.plan_path, "--nproc", std::to_string(o.nproc),
                                "--backend", o.backend, "--device", o.device, "--data-root", o.data_root,
                                "--seed", std::to_string(o.seed), "--loader-threads",
                                std::to_string(o.loader_threads), "--checkpoint-every",
                                std::to_string(o.checkpoint_every_steps), "--timeout",
                                fmt::format("{}", o.timeout_seconds), "--check-sync",
                                std::to_string(o.check_sync_every), "--max-steps",
                                std::to_string(o.max_steps), "--global-batch",
                                std::to_string(o.global_batch), "--bucket-mb",
                                fmt::format("{}", o.bucket_mb), "--accumulate",
                                std::to_string(o.accumulate), "--term-grace",
                                fmt::format("{}", o.term_grace_seconds), "--rdzv-timeout",
                                fmt::format("{}", o.rdzv_timeout_seconds), "--hang-timeout",
                                fmt::format("{}", o.hang_timeout_seconds), "--deadline-policy",
                                o.deadline_policy};
  if (!o.deadline.empty()) a.insert(a.end(), {"--deadline", o.deadline});
  if (o.mtbf_hours > 0) a.insert(a.end(), {"--mtbf-hours", fmt::format("{}", o.mtbf_hours)});
  for (const auto& d : o.data) a.insert(a.end(), {"--data", d});
  if (!o.work_dir.empty()) a.insert(a.end(), {"--work-dir", o.work_dir});
  if (o.resume) a.push_back("--resume");
  if (o.scale_to_local) a.push_back("--scale-to-local");
  if (o.skip_bad_samples) a.push_back("--skip-bad-samples");
  if (o.worker) a.push_back("--worker");
  return a;
}

}  // namespace trainplan::executor
