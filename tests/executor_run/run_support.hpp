#pragma once
// Helpers for the end-to-end run tests: running trainplan, making plans, reading checkpoints.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "doctest_torch.hpp"
#include "support/cli_harness.hpp"

namespace run_test {

/// Runs trainplan with extra environment variables set for that run only.
int run_with_env(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 std::string& out, std::string& err);

/// Writes the plan `trainplan plan QUESTION [--strategy S]` makes into `dir`; returns its path.
/// Starts `trainplan ARGS` without waiting, `env` added to this process's environment
/// (execve: concurrent starts share no setenv), its output in `log`. Returns the pid.
pid_t spawn_trainplan(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, const std::string& log);

std::string make_plan(const std::string& dir, const std::string& question,
                      const std::string& strategy = "");

/// A plan with one scratch stage (or `init`) of the `n` detector on dataset "shapes" (no
/// eval_dataset: its val split is evaluated) at 128 px,
/// 1 epoch, global batch 8 on 1 GPU, written to `dir`; returns its path.
std::string unscaled_plan(const std::string& dir, const std::string& init = "scratch");

/// Writes 40 synthetic 128 px images as dataset "shapes" under `root`.
void synth_shapes(const std::string& root);

/// Runs `trainplan run PLAN --scale-to-local --nproc N --global-batch 8 --work-dir WORK` plus
/// `extra` (it must succeed) and returns the parameters of the pretrain stage's last
/// checkpoint; `out` receives the standard output when given.
std::map<std::string, torch::Tensor> train_scaled(const std::string& plan, const std::string& work,
                                                  int nproc, const std::vector<std::string>& extra,
                                                  std::string* out = nullptr);

/// The model parameters stored in a checkpoint, by name.
std::map<std::string, torch::Tensor> checkpoint_parameters(const std::string& path);

/// ||a - b|| / ||a|| over all parameters together (both must have the same names).
double relative_difference(const std::map<std::string, torch::Tensor>& a,
                           const std::map<std::string, torch::Tensor>& b);

/// The largest element-wise |a - b|.
double max_abs_difference(const std::map<std::string, torch::Tensor>& a,
                          const std::map<std::string, torch::Tensor>& b);

/// `common` followed by `extra` (a run's shared arguments and this run's own).
std::vector<std::string> joined(std::vector<std::string> common, const std::vector<std::string>& extra);

/// The exit code of `pid` after waiting for it (128 + N when killed by signal N).
int exit_code_of(pid_t pid);

/// The wait status of `pid`, or -1 when it did not end within `seconds` (`took` gets the wait).
int wait_exit(pid_t pid, double seconds, double* took = nullptr);

/// Waits for `path` to exist, at most `seconds`.
bool wait_for_file(const std::string& path, double seconds);

/// Processes (other than this one) whose command line holds `marker`.
int processes_with(const std::string& marker);

/// Waits until no process holds `marker`, at most `seconds`; returns how many are left.
int left_after(const std::string& marker, double seconds);

/// A file's whole text ("" when missing).
std::string file_text(const std::string& path);

/// The last value of a column of results.csv for a stage.
double last_result(const std::string& run_dir, const std::string& stage, const std::string& column);

}  // namespace run_test
