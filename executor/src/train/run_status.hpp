#pragma once
// Rank 0's status.json in the run directory: which stage and step the run is at, its process
// and host, and how it ended, rewritten (atomically, at most once a second) as it goes, for
// `trainplan status` in another terminal.
#include <chrono>
#include <string>
#include <vector>

namespace trainplan::executor {

/// Writes status.json.
class RunStatus {
 public:
  RunStatus(std::string run_dir, int world_size, std::vector<std::string> stages);
  /// The run is at `step` of `steps` in stage `stage`, epoch `epoch` (1-based) of `epochs`.
  /// Written at most once a second unless `now`.
  void at(const std::string& stage, int64_t step, int64_t steps, int64_t epoch, int epochs,
          bool now = false);
  /// The run ended: state "finished", "stopped" (a signal or the deadline) or "failed".
  void end(const std::string& state, const std::string& message);

 private:
  void write(const std::string& state, const std::string& message);
  std::string path_;
  int world_size_;
  std::vector<std::string> stages_;
  std::string stage_;
  int64_t step_ = 0, steps_ = 0, epoch_ = 0;
  int epochs_ = 0;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace trainplan::executor
