#pragma once
// The plan simulator (docs/simulator.md): replays a multi-stage plan on an event-driven
// timeline with start-up, loader warm-up, training, evaluation and checkpoint writes; GPUs fail
// as a Poisson process and a failed stage restarts from its last checkpoint. Monte Carlo over
// many seeded timelines gives the makespan's distribution, the chance of meeting a deadline,
// expected GPU-hours and cost, and each stage's expected lost work. One timeline can be
// written as a Chrome trace (trace_json). Takes its own input types, so it needs no planner
// headers; planner/plan_simulation.hpp turns a Plan into SimStages.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trainplan/costmodel/event_queue.hpp"
#include "trainplan/costmodel/run_constants.hpp"

namespace trainplan::costmodel {

/// The most Monte Carlo runs one simulation accepts (`--runs`).
constexpr long long kMaxSimulationRuns = 10'000'000;
/// Default time to get a failed job going again (replace the node, requeue), seconds.
constexpr double kDefaultRestartS = 600;

/// One stage as the simulator sees it. Its failure-free length is
/// startup_s + warmup_s + epochs x epoch_train_s + evaluations x eval_s + checkpoints x
/// checkpoint_write_s, the cost model's total for the stage.
struct SimStage {
  std::string id;
  std::vector<std::size_t> depends_on;  ///< indices of earlier stages that must end first
  int gpus = 1;                         ///< GPUs the stage holds; each fails independently
  int gpu_offset = 0;                   ///< first GPU of its set [gpu_offset, gpu_offset+gpus)
  double startup_s = kLaunchS;          ///< process start and model build, per (re)start
  double warmup_s = kLoaderWarmupS;     ///< loader warm-up and autotuning, per (re)start
  double epochs = 0;                    ///< may be fractional; 0 = nothing to train
  double epoch_train_s = 0;             ///< optimizer steps of one epoch (s/iter x iters)
  double eval_s = 0;                    ///< one evaluation pass
  double eval_interval_epochs = 0;      ///< evaluate at k x interval epochs; 0 = never
  double checkpoint_write_s = 0;        ///< writing one checkpoint
};

/// How often a stage writes checkpoints.
enum class CheckpointMode {
  kAuto,        ///< Young's optimum sqrt(2 C M) when failures are simulated, else each epoch
  kEveryEpoch,  ///< after each whole epoch, as the cost model assumes
  kInterval,    ///< after every `interval_s` of training and evaluation (clock time)
};

/// The checkpoint policy of every stage.
struct CheckpointPolicy {
  CheckpointMode mode = CheckpointMode::kAuto;
  double interval_s = 0;  ///< kInterval only; > 0 and at most each stage's work
};

/// What to simulate and how often.
struct SimulationOptions {
  long long runs = 10'000;           ///< independent timelines, 1..kMaxSimulationRuns
  std::uint64_t seed = 1;            ///< run i draws from a generator seeded by (seed, i)
  std::optional<double> mtbf_hours;  ///< mean time between failures of ONE GPU; none = no failures
  double restart_s = kDefaultRestartS;  ///< after a failure, before start-up begins again
  CheckpointPolicy checkpoint;
  std::optional<double> deadline_s;              ///< for the probability of meeting it
  std::optional<double> price_per_gpu_hour_usd;  ///< for the expected cost; none = 0
};

/// Throws InputError naming the flag (--runs, --mtbf-hours, --restart-minutes,
/// --checkpoint-every), the bad value and what is accepted.
void validate(const SimulationOptions& options);

/// Young's first-order optimum checkpoint interval (Young 1974): sqrt(2 C M), with C the
/// checkpoint write time and M the stage's mean time between failures, both in seconds.
double young_interval_s(double checkpoint_write_s, double stage_mtbf_s);

/// Expected work lost per failure when checkpoints complete every `period_s` seconds and
/// failures arrive at `failure_rate_per_s`: the mean of an exponential truncated to the
/// period, 1/lambda - T / (exp(lambda T) - 1) (docs/simulator.md section 4); T/2 as lambda->0.
double expected_lost_work_per_failure_s(double failure_rate_per_s, double period_s);

/// How one stage will run: its failure rate and checkpoint placement, resolved from the
/// options (the same for every run).
struct StageSetup {
  std::string id;
  int gpus = 1;
  double failure_rate_per_s = 0;      ///< gpus / (MTBF seconds); 0 without failures
  bool checkpoint_each_epoch = true;  ///< false: every checkpoint_interval_s of work
  double checkpoint_interval_s = 0;   ///< the interval used (kInterval or auto with failures)
  double checkpoint_write_s = 0;
  int checkpoints = 0;        ///< written in a failure-free run
  int evaluations = 0;        ///< in a failure-free run
  double work_s = 0;          ///< training and evaluation, no checkpoints or start-up
  double failure_free_s = 0;  ///< the stage's length without failures
  /// Analytic expected lost work per failure for the checkpoint period (interval plus write);
  /// 0 without failures.
  double expected_lost_per_failure_s = 0;
};

/// Validates the stages and options and resolves each stage's setup. Throws InputError for a
/// bad option, a --checkpoint-every interval longer than a stage's work, a dependency that is
/// not an earlier stage, or failures so frequent that a stage would practically never finish.
std::vector<StageSetup> resolve_stages(const std::vector<SimStage>& stages,
                                       const SimulationOptions& options);

/// Monte Carlo figures of one stage.
struct StageStatistics {
  StageSetup setup;
  double mean_seconds = 0;             ///< from its start to its end, restarts included
  double expected_failures = 0;        ///< per run
  double expected_lost_work_s = 0;     ///< per run: work redone after failures
  double lost_work_per_failure_s = 0;  ///< Monte Carlo mean over all failures; 0 when none
};

/// Monte Carlo figures of a plan.
struct SimulationResult {
  long long runs = 0;
  std::uint64_t seed = 0;
  double failure_free_makespan_s = 0;  ///< one timeline without failures
  double mean_makespan_s = 0;
  double p50_makespan_s = 0;  ///< nearest-rank percentiles over the runs
  double p90_makespan_s = 0;
  double p99_makespan_s = 0;
  double min_makespan_s = 0;
  double max_makespan_s = 0;
  std::optional<double> deadline_s;
  std::optional<double> deadline_probability;  ///< share of runs ending by the deadline
  double mean_gpu_hours = 0;                   ///< every stage bills its GPUs from start to end
  double mean_cost_usd = 0;
  double mean_failures = 0;  ///< per run, all stages
  std::vector<StageStatistics> stages;
};

/// Runs `options.runs` independent timelines. Deterministic: equal inputs, equal result.
SimulationResult simulate(const std::vector<SimStage>& stages, const SimulationOptions& options);

/// What a span on a timeline is.
enum class SpanKind {
  kStage,
  kStartup,
  kWarmup,
  kEpoch,
  kEvaluation,
  kCheckpoint,
  kRestart,
  kFailure
};

/// One span of a timeline (kFailure is an instant: duration 0).
struct Span {
  SpanKind kind = SpanKind::kStage;
  std::size_t stage = 0;  ///< index into the stages
  int epoch = 0;          ///< 1-based epoch for epochs, evaluations and checkpoints; 0 = none
  TimeNs start_ns = 0;
  TimeNs duration_ns = 0;
  bool completed = true;   ///< false when a failure cut it short
  double lost_work_s = 0;  ///< kFailure: work since the last checkpoint, to be redone
};

/// One simulated timeline with its spans (children follow their parent within a track).
struct Timeline {
  std::vector<Span> spans;
  TimeNs makespan_ns = 0;
  std::vector<TimeNs> stage_start_ns, stage_end_ns;
  std::vector<int> stage_failures;
};

/// Run `run_index` of the Monte Carlo simulation (the same draws as in simulate()), recorded.
Timeline simulate_timeline(const std::vector<SimStage>& stages, const SimulationOptions& options,
                           long long run_index = 0);

/// A timeline with failures at given times instead of random ones: `failure_times_s[i]` lists
/// absolute times (seconds from the plan's start) at which stage i fails; a time when the stage
/// is not running (not started, ended, or restarting) does nothing. For golden tests and
/// what-if questions ("a GPU fails 10 hours in").
Timeline replay_timeline(const std::vector<SimStage>& stages, const SimulationOptions& options,
                         const std::vector<std::vector<double>>& failure_times_s);

/// The timeline in the Chrome trace event format (opens in Perfetto and chrome://tracing): a
/// track (tid) per GPU set, complete events ("ph":"X", ts and dur in microseconds) for stages,
/// start-up, warm-up, epochs, evaluations, checkpoints and restarts, instant events for
/// failures, args with the stage id and epoch.
std::string trace_json(const std::vector<SimStage>& stages, const Timeline& timeline,
                       const std::string& title);

/// Writes trace_json to `path` atomically; RunError naming the path on failure.
void write_trace(const std::string& path, const std::vector<SimStage>& stages,
                 const Timeline& timeline, const std::string& title);

}  // namespace trainplan::costmodel
