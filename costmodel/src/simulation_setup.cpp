// Turns stages and options into what every run shares: each stage's failure rate, checkpoint
// placement (docs/simulator.md section 3), body profile, and the stages it waits for.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "simulation_engine.hpp"
#include "trainplan/error.hpp"

namespace trainplan::costmodel {

namespace {

// An automatic interval is never shorter than this: with a near-free checkpoint Young's
// formula tends to 0, and a checkpoint per second is already continuous for any real run.
constexpr double kMinAutoIntervalS = 1.0;
// More checkpoints than this in one stage cannot be meant (and would not fit in memory).
constexpr double kMaxCheckpointsPerStage = 1e7;
// Beyond this many expected failures per run a stage practically never finishes.
constexpr double kMaxExpectedFailuresPerRun = 1e5;

std::string describe(double seconds) {
  if (seconds < 120) return fmt::format("{:.3g} s", seconds);
  if (seconds < 2 * 3600) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.2f} h", seconds / 3600);
  return fmt::format("{:.2f} days", seconds / 86400);
}

void check_stage(const std::vector<SimStage>& stages, std::size_t i) {
  const SimStage& s = stages[i];
  auto bad = [&](const std::string& what) {
    throw InputError(fmt::format("simulation: stage {} (\"{}\"): {}", i, s.id, what));
  };
  if (s.gpus < 1) bad(fmt::format("gpus {} is not accepted; expected >= 1", s.gpus));
  if (s.gpu_offset < 0)
    bad(fmt::format("gpu_offset {} is not accepted; expected >= 0", s.gpu_offset));
  using Field = std::pair<const char*, double>;
  for (auto [name, v] :
       std::initializer_list<Field>{{"startup_s", s.startup_s},
                                    {"warmup_s", s.warmup_s},
                                    {"epochs", s.epochs},
                                    {"epoch_train_s", s.epoch_train_s},
                                    {"eval_s", s.eval_s},
                                    {"eval_interval_epochs", s.eval_interval_epochs},
                                    {"checkpoint_write_s", s.checkpoint_write_s}})
    if (!(std::isfinite(v) && v >= 0))
      bad(fmt::format("{} {} is not accepted; expected a finite number >= 0", name, v));
  for (std::size_t d : s.depends_on)
    if (d >= i) bad(fmt::format("depends on stage {}, which is not an earlier stage", d));
}

detail::CheckpointPlacement placement_for(const SimStage& s, const SimulationOptions& o,
                                          double rate_per_s, double work_s) {
  detail::CheckpointPlacement p;
  if (!(work_s > 0) || o.checkpoint.mode == CheckpointMode::kEveryEpoch) return p;
  if (o.checkpoint.mode == CheckpointMode::kAuto) {
    if (!(rate_per_s > 0)) return p;  // no failures: each epoch, as the cost model assumes
    p.each_epoch = false;
    p.interval_s = std::clamp(young_interval_s(s.checkpoint_write_s, 1.0 / rate_per_s),
                              kMinAutoIntervalS, work_s);
  } else {
    if (o.checkpoint.interval_s > work_s * (1 + 1e-9))
      throw InputError(
          fmt::format("--checkpoint-every: {} is longer than stage \"{}\", whose "
                      "training and evaluation take {}; expected auto, epoch, or an "
                      "interval up to {}",
                      describe(o.checkpoint.interval_s), s.id, describe(work_s), describe(work_s)));
    p.each_epoch = false;
    p.interval_s = o.checkpoint.interval_s;
  }
  if (work_s / p.interval_s > kMaxCheckpointsPerStage)
    throw InputError(
        fmt::format("--checkpoint-every: {} would write more than {:.0f} checkpoints "
                    "in stage \"{}\" ({}); expected a longer interval",
                    describe(p.interval_s), kMaxCheckpointsPerStage, s.id, describe(work_s)));
  return p;
}

// Each stretch between checkpoint completions must be survived in one go, start-up included:
// e^{lambda (S + gap)} - 1 failures are expected for it (docs/simulator.md section 5).
void check_finishes(const detail::PreparedStage& ps, const SimulationOptions& o) {
  const double rate = ps.failure_rate_per_s;
  if (!(rate > 0)) return;
  const auto& p = ps.profile;
  const double preamble_s = ns_to_seconds(p.preamble_ns());
  double expected = 0;
  TimeNs previous = 0;
  auto add = [&](TimeNs gap) { expected += std::expm1(rate * (preamble_s + ns_to_seconds(gap))); };
  for (TimeNs done : p.checkpoint_done_ns) {
    add(done - previous);
    previous = done;
  }
  if (p.body_ns > previous || p.checkpoint_done_ns.empty()) add(p.body_ns - previous);
  if (!(expected <= kMaxExpectedFailuresPerRun))
    throw InputError(fmt::format(
        "--mtbf-hours: {:g} h per GPU is too short for stage \"{}\" on {} GPUs: it fails every {} "
        "on average but needs {} of start-up and work between checkpoints, so it would fail "
        "{} times per run and practically never finish; expected a longer MTBF",
        *o.mtbf_hours, ps.setup.id, ps.setup.gpus, describe(1 / rate),
        describe(preamble_s + ns_to_seconds(p.longest_gap_ns())),
        std::isfinite(expected) ? fmt::format("about {:.2g}", expected) : "countless"));
}

}  // namespace

namespace detail {

Prepared prepare(const std::vector<SimStage>& stages, const SimulationOptions& options) {
  validate(options);
  Prepared out;
  out.restart_ns = seconds_to_ns(options.restart_s);
  out.stages.resize(stages.size());
  const double mtbf_s = options.mtbf_hours ? *options.mtbf_hours * 3600.0 : 0.0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    check_stage(stages, i);
    const SimStage& s = stages[i];
    PreparedStage& ps = out.stages[i];
    // Each GPU fails as an independent Poisson process; a stage holding N of them fails at
    // the sum of their rates, N / MTBF.
    ps.failure_rate_per_s = mtbf_s > 0 ? s.gpus / mtbf_s : 0.0;
    const double work_s = detail::work_seconds(s);
    const CheckpointPlacement placement = placement_for(s, options, ps.failure_rate_per_s, work_s);
    ps.profile = build_profile(s, placement);
    StageSetup& u = ps.setup;
    u.id = s.id;
    u.gpus = s.gpus;
    u.failure_rate_per_s = ps.failure_rate_per_s;
    u.checkpoint_each_epoch = placement.each_epoch;
    u.checkpoint_interval_s = placement.each_epoch ? 0 : placement.interval_s;
    u.checkpoint_write_s = s.checkpoint_write_s;
    u.checkpoints = ps.profile.checkpoints;
    u.evaluations = ps.profile.evaluations;
    u.work_s = work_s;
    u.failure_free_s = ns_to_seconds(ps.profile.preamble_ns() + ps.profile.body_ns);
    // The period between checkpoint completions: interval plus write, or an epoch's average.
    const double period_s = placement.each_epoch
                                ? ns_to_seconds(ps.profile.body_ns) / std::max(1, u.checkpoints)
                                : placement.interval_s + s.checkpoint_write_s;
    if (u.failure_rate_per_s > 0)
      u.expected_lost_per_failure_s =
          expected_lost_work_per_failure_s(u.failure_rate_per_s, period_s);
    check_finishes(ps, options);
    // A stage waits for its dependencies and for earlier stages on any of its GPUs (the
    // planner's schedule gives each GPU to stages in graph order).
    for (std::size_t j = 0; j < i; ++j) {
      const SimStage& e = stages[j];
      const bool depends =
          std::find(s.depends_on.begin(), s.depends_on.end(), j) != s.depends_on.end();
      const bool shares_gpus =
          e.gpu_offset < s.gpu_offset + s.gpus && s.gpu_offset < e.gpu_offset + e.gpus;
      if (depends || shares_gpus) {
        out.stages[j].successors.push_back(i);
        ++ps.blockers;
      }
    }
  }
  return out;
}

}  // namespace detail

std::vector<StageSetup> resolve_stages(const std::vector<SimStage>& stages,
                                       const SimulationOptions& options) {
  const auto prepared = detail::prepare(stages, options);
  std::vector<StageSetup> setups;
  for (const auto& ps : prepared.stages) setups.push_back(ps.setup);
  return setups;
}

}  // namespace trainplan::costmodel
