#pragma once
// Entry point of the executor: run a plan file, as the launcher of N local workers or as one
// worker (under torchrun or Slurm variables, or started by the launcher). No LibTorch types
// here: the front end only needs the options.
#include <string>
#include <vector>

namespace trainplan::executor {

/// `trainplan run` options (DESIGN 3.7, 3.8).
struct RunOptions {
  std::string plan_path;
  int nproc = 1;                   ///< local workers to start (1 = run in this process)
  std::string backend = "auto";    ///< auto (nccl on CUDA, gloo on CPU), nccl or gloo
  std::string device = "auto";     ///< auto (cuda when LibTorch sees GPUs), cuda or cpu
  std::string work_dir;            ///< the run directory; empty = runs/<plan-name>[-N]
  bool resume = false;             ///< continue from work_dir's last_checkpoint
  bool scale_to_local = false;     ///< map the plan onto this machine (synthetic data, tiny model)
  int check_sync_every = 0;        ///< compare parameter checksums across ranks every N steps
  bool skip_bad_samples = false;
  std::string data_root = "data";  ///< where an unscaled plan's dataset ids are found
  /// `--data ID=PATH` flags as typed: the folder of data set ID (before --data-root).
  std::vector<std::string> data;
  unsigned long long seed = 0;
  int loader_threads = 1;
  int checkpoint_every_steps = 25; ///< mid-epoch checkpoints for exact resume
  double timeout_seconds = 60;     ///< every collective
  double rdzv_timeout_seconds = 300;  ///< joining the job (store and connections)
  /// A rank without progress outside a collective for this long is reported and the run ends;
  /// below 0 = three quarters of timeout_seconds, at least 10 s (the stuck rank is named
  /// before its peers' collectives give up), 0 = off.
  double hang_timeout_seconds = -1;
  bool worker = false;             ///< internal: this process is a launched worker
  std::string self_path;           ///< internal: the executor program, for launching workers
  int max_steps = 0;               ///< stop a stage at this many optimizer steps (tests)
  double bucket_mb = 25;           ///< gradient all-reduce bucket size (DDP's default)
  int global_batch = 0;            ///< scaled runs: images per step over all ranks (0 = 8 per rank)
  int accumulate = 0;              ///< micro-batches per optimizer step (0 = the plan's; 1 scaled)
  /// After SIGINT/SIGTERM, seconds the workers get to finish their step and checkpoint before
  /// they are killed.
  double term_grace_seconds = 30;
  /// The run's deadline from its first launch, as typed ("36h", "90m", "45s"; a plain number is
  /// hours); empty = none. Forecasts give the odds of meeting it.
  std::string deadline;
  /// What to do when the forecast misses the deadline: warn, shorten (cut the running stage's
  /// epochs) or stop (stop in time to evaluate and checkpoint by the deadline).
  std::string deadline_policy = "warn";
  /// One GPU's mean time between failures, hours (0 = none): forecasts then include the
  /// failures' delays, from the plan simulator.
  double mtbf_hours = 0;
};

/// Runs the plan; returns the process exit code (0 done, 1 a run failed). Bad input throws
/// InputError before any worker starts.
int run_plan(const RunOptions& options);

}  // namespace trainplan::executor
