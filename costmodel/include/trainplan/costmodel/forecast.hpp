#pragma once
// The closed loop's arithmetic (docs/costmodel.md, section 13): a stage in progress is
// forecast from its own measured steps, the stages after it from the cost model refitted to
// those steps, and the run's finish time and deadline odds from both, with their spreads.
#include <cstdint>
#include <optional>
#include <vector>

namespace trainplan::costmodel {

/// The spread of a running stage's remaining time: at least kMinRemainingSpread (ln), since
/// a machine's speed drifts (other jobs, thermal limits) by more than the step times' noise.
constexpr double kMinRemainingSpread = 0.05;

/// What is known of a stage in progress.
struct StageProgress {
  double elapsed_s = 0;            ///< since the stage started (set-up included)
  int64_t steps_done = 0;
  int64_t total_steps = 0;
  std::vector<double> step_seconds;  ///< measured steps (the most recent last)
  /// The step time to forecast with; 0 = typical_step_seconds(step_seconds).
  double typical_step_s = 0;
  int evaluations_left = 0;        ///< validation passes still to come
  double evaluation_s = 0;         ///< one pass: measured mean, else predicted
  int checkpoints_left = 0;
  double checkpoint_s = 0;         ///< one write: measured mean, else predicted
};

/// The typical step time: the median of the last kRecentSteps steps (robust to the slow first
/// step of an epoch and to a stray slow step). 0 with none measured.
double typical_step_seconds(const std::vector<double>& step_seconds);

/// How many recent steps typical_step_seconds() looks at.
constexpr int kRecentSteps = 100;

/// One remaining part of a run, as a log-normal time: its median and the standard deviation
/// of its logarithm.
struct RemainingPart {
  double median_s = 0;
  double log_sigma = 0;
};

/// The running stage's remaining part: remaining steps x the typical step, plus the
/// evaluations and checkpoints left; its spread is kMinRemainingSpread combined with the
/// step times' own relative spread over the square root of their number.
RemainingPart remaining_of(const StageProgress& progress);

/// The log-normal sigma that puts P10 and P90 at `p10_s` and `p90_s` around a median.
double log_sigma_of_range(double p10_s, double p90_s);

/// The forecast finish of a run: seconds from its start.
struct FinishForecast {
  double p10_s = 0;
  double p50_s = 0;
  double p90_s = 0;
  std::optional<double> deadline_probability;  ///< the share of draws ending by the deadline
};

/// elapsed_s plus the sum of the remaining parts, by Monte Carlo over kFinishDraws seeded
/// draws (the parts are independent: one stage's machine load does not set another's).
/// Deterministic. With `deadline_s`, also the chance of finishing by it.
/// `failure_delays_s`, when given, holds failure-caused delays (restarts and redone work, from
/// the plan simulator's timelines); draw i adds delay i modulo their number.
FinishForecast forecast_finish(double elapsed_s, const std::vector<RemainingPart>& remaining,
                               std::optional<double> deadline_s,
                               const std::vector<double>& failure_delays_s = {});

/// Draws forecast_finish() makes.
constexpr int kFinishDraws = 4000;

}  // namespace trainplan::costmodel
