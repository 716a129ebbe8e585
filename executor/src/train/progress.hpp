#pragma once
// Rank 0's progress line: epoch, step, loss, rate, and an ETA that blends the cost model's
// prediction with the measured rate (the prediction dominates until enough steps are measured).
#include <chrono>
#include <cstdint>
#include <string>

namespace trainplan::executor {

/// Tracks one stage's progress and prints it in place on a terminal.
class Progress {
 public:
  Progress(std::string stage, int64_t total_steps, double predicted_seconds_per_step, bool print);
  /// Records one finished step and redraws the line.
  void step(int64_t epoch, int64_t epochs, int64_t done_steps, double loss, double step_seconds);
  /// The stage now has `total_steps` steps (a deadline cut its epochs).
  void set_total(int64_t total_steps) { total_ = total_steps; }
  /// The closed loop's forecast of the run's end, in seconds from now (median and P90),
  /// shown on the line.
  void set_run_forecast(double p50_left_s, double p90_left_s) {
    run_p50_left_ = p50_left_s;
    run_p90_left_ = p90_left_s;
  }
  /// Ends the line.
  void finish();
  /// Seconds left, blending prediction and measurement.
  double eta_seconds(int64_t done_steps) const;

 private:
  std::string stage_;
  int64_t total_;
  double predicted_;
  bool print_;
  double measured_sum_ = 0;
  int64_t measured_count_ = 0;
  double run_p50_left_ = -1, run_p90_left_ = -1;  ///< < 0: no forecast yet
};

}  // namespace trainplan::executor
