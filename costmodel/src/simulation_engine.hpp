#pragma once
// The simulator's core: stages prepared once (profiles, failure rates, who waits for whom),
// and an engine that plays one timeline on the event queue. Four events drive it: a stage
// starts (its dependencies and GPUs are free), a GPU fails, the stage restarts from its last
// checkpoint, the stage ends. Work between events is known from the stage's profile, so a run
// costs a handful of events per stage, not one per step or segment.
#include <cstdint>
#include <vector>

#include "run_random.hpp"
#include "stage_profile.hpp"
#include "trainplan/costmodel/event_queue.hpp"
#include "trainplan/costmodel/simulation.hpp"

namespace trainplan::costmodel::detail {

/// One stage, ready to simulate.
struct PreparedStage {
  StageSetup setup;
  StageProfile profile;
  double failure_rate_per_s = 0;
  std::vector<std::size_t> successors;  ///< stages that wait for this one (dependency or GPUs)
  int blockers = 0;                     ///< how many stages this one waits for
};

/// Everything a run needs, shared by all runs.
struct Prepared {
  std::vector<PreparedStage> stages;
  TimeNs restart_ns = 0;
};

/// Validates and resolves stages and options (resolve_stages documents the errors).
Prepared prepare(const std::vector<SimStage>& stages, const SimulationOptions& options);

/// Where failures come from.
class FailureSource {
 public:
  virtual ~FailureSource() = default;
  /// The absolute time of the next failure of `stage` during an attempt that starts at
  /// `start_ns` and needs `length_ns` without failure; -1 when it gets through.
  virtual TimeNs next_failure(std::size_t stage, TimeNs start_ns, TimeNs length_ns) = 0;
};

/// Exponential inter-failure times (a Poisson process per stage) from a generator seeded per
/// run, so run i draws the same numbers whether it runs alone or among others.
class RandomFailures : public FailureSource {
 public:
  RandomFailures(const Prepared& prepared, std::uint64_t seed) : prepared_(prepared), seed_(seed) {}
  /// Starts run `run_index`'s stream.
  void start_run(long long run_index);
  TimeNs next_failure(std::size_t stage, TimeNs start_ns, TimeNs length_ns) override;

 private:
  const Prepared& prepared_;
  std::uint64_t seed_;
  RunRandom random_;
};

/// Failures at given absolute times per stage (replay_timeline).
class ScriptedFailures : public FailureSource {
 public:
  explicit ScriptedFailures(std::vector<std::vector<TimeNs>> times_ns);
  TimeNs next_failure(std::size_t stage, TimeNs start_ns, TimeNs length_ns) override;

 private:
  std::vector<std::vector<TimeNs>> times_ns_;  // each ascending
  std::vector<std::size_t> next_;
};

/// What one run did to one stage.
struct StageRun {
  TimeNs start_ns = 0;
  TimeNs end_ns = 0;
  int failures = 0;
  TimeNs lost_ns = 0;
};

/// Plays timelines; reuse one engine for many runs (it keeps its buffers).
class Engine {
 public:
  explicit Engine(const Prepared& prepared);
  /// Plays one timeline and returns its makespan; records spans when `spans` is not null.
  TimeNs run(FailureSource& failures, std::vector<Span>* spans);
  /// Per stage, what the last run did.
  const std::vector<StageRun>& stage_runs() const { return runs_; }

 private:
  enum class Kind : std::uint8_t { kStart, kRestart, kFailure, kEnd };
  struct Action {
    Kind kind = Kind::kStart;
    std::uint32_t stage = 0;
  };

  void begin_attempt(std::size_t s, TimeNs now, FailureSource& failures);
  void fail(std::size_t s, TimeNs now, std::vector<Span>* spans);
  void end(std::size_t s, TimeNs now, std::vector<Span>* spans);
  // Spans of the current attempt up to `until`; `failed`: a failure ends it there.
  void record_attempt(std::size_t s, TimeNs until, bool failed, std::vector<Span>& spans) const;

  const Prepared& prepared_;
  EventQueue<Action> queue_;
  std::vector<StageRun> runs_;
  std::vector<int> waiting_for_;
  std::vector<TimeNs> attempt_start_;
  std::vector<TimeNs> resume_at_;  // body offset the current attempt resumes from
  TimeNs makespan_ = 0;
};

}  // namespace trainplan::costmodel::detail
