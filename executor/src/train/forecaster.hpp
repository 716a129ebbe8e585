#pragma once
// The closed loop inside `trainplan run` (rank 0): after a stage's warm-up steps and then
// every twentieth of its steps, the cost model is refitted to the measured steps, the rest of
// the plan is re-forecast (this stage from its own steps, later ones through the fitted
// scales), the run's finish and deadline odds are drawn, and each forecast is appended to
// forecast.jsonl. The deadline policy acts on them (docs/executor.md, "Forecasts").
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "trainplan/costmodel/forecast.hpp"
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/executor/execution_plan.hpp"
#include "trainplan/executor/run_directory.hpp"
#include "run_status.hpp"

namespace trainplan::executor {

/// --deadline and --deadline-policy.
struct DeadlinePolicy {
  std::optional<double> deadline_s;  ///< from the run's start (kept in the run directory)
  std::string action = "warn";       ///< warn, shorten or stop
  /// One GPU's mean time between failures (--mtbf-hours): the finish forecast then adds the
  /// delays (restarts, redone work) of the plan simulator's timelines over the remaining work.
  std::optional<double> mtbf_hours;
};

/// Forecasts of one stage, for the closing table.
struct StageForecasts {
  std::string stage;
  double first_s = 0;     ///< the cost model's, before the stage started
  double refit_s = 0;     ///< the first forecast made after 20% of its steps; 0 if none
  double last_s = 0;      ///< the last forecast
};

/// Rank 0's forecaster for one run.
class Forecaster {
 public:
  /// `stages`: the run's stages (predicted_seconds set); `world`: ranks.
  Forecaster(const std::vector<ExecStage>& stages, int world, const RunDirectory& run_dir,
             DeadlinePolicy deadline);

  /// Stage `index` of the run's stages starts now; `total_steps` optimizer steps,
  /// `steps_done` of them done before (resume), `epochs` of `steps_per_epoch` steps.
  void begin_stage(size_t index, int64_t total_steps, int64_t steps_done, int64_t steps_per_epoch,
                   int epochs);
  /// One optimizer step took `seconds`; `steps_done` in the stage after it. Forecasts when due.
  void after_step(int64_t steps_done, double seconds);
  /// An epoch's end (evaluation and checkpoints) took `seconds`.
  void after_epoch_end(double seconds);
  /// The stage ended after `measured_s` seconds.
  void end_stage(double measured_s);

  /// Seconds since the run started (the first launch, also across --resume).
  double run_elapsed_s() const;
  /// The latest forecast of the run's finish, if any.
  const std::optional<costmodel::FinishForecast>& latest() const { return latest_; }
  /// The policy "stop": true when the time left before the deadline is less than the end of
  /// an epoch takes (evaluation and checkpoint), so stopping now ends by the deadline.
  bool should_stop_for_deadline() const;
  /// The policy "shorten", at the end of epoch `epochs_done`: the epochs the current stage can
  /// keep so that the run's median forecast meets the deadline (at least epochs_done, at most
  /// its epochs); nothing when no change is needed.
  std::optional<int> shortened_epochs(int epochs_done);
  /// The run ended: status.json says so ("finished", "stopped" or "failed").
  void end_run(const std::string& state, const std::string& message) { status_.end(state, message); }
  /// Each started stage's forecasts.
  const std::vector<StageForecasts>& stage_forecasts() const { return summaries_; }

 private:
  void forecast(int64_t steps_done);
  costmodel::RemainingPart later_stage(size_t index) const;
  double epoch_end_s() const;
  std::vector<double> failure_delays(double step_s) const;
  double predicted_eval_s(size_t index) const;
  std::vector<double> steady_steps() const;
  double typical_step() const;
  void decide(const std::string& action, const std::string& message);
  /// The fields every forecast.jsonl record starts with.
  nlohmann::ordered_json record_head(const std::string& kind, int64_t step) const;

  std::vector<ExecStage> stages_;
  int world_;
  std::string forecast_path_;
  DeadlinePolicy deadline_;
  double run_started_ = 0;       ///< unix seconds
  double stage_started_ = 0;     ///< unix seconds
  size_t index_ = 0;
  int64_t total_steps_ = 0, first_step_ = 0, steps_per_epoch_ = 1, steps_done_ = 0;
  int epochs_ = 1;
  std::vector<double> step_seconds_;
  std::vector<double> epoch_end_seconds_;
  std::optional<costmodel::Calibration> calibration_;
  std::optional<costmodel::FinishForecast> latest_;
  double predicted_epoch_end_s_ = 0;  ///< the cost model's, uncalibrated, for this stage
  /// Measured over predicted evaluation-and-checkpoint time, from the last stage that ended
  /// an epoch: the refit scales only the steps, and evaluation has its own costs.
  double epoch_end_scale_ = 1;
  /// This stage's step as the model refitted on an earlier stage predicts it (0: none), the
  /// prior that a few measured steps are blended with.
  double prior_step_s_ = 0;
  bool warned_ = false;
  std::vector<StageForecasts> summaries_;
  RunStatus status_;
};

}  // namespace trainplan::executor
