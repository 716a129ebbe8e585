#include "simulation_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "trainplan/error.hpp"

namespace trainplan::costmodel::detail {

namespace {

// A run that needs more failures than this is a bug (prepare() rejects such inputs long
// before); stop it rather than loop for hours.
constexpr int kMaxFailuresPerStageRun = 10'000'000;

}  // namespace

void RandomFailures::start_run(long long run_index) {
  random_.start(seed_, std::uint64_t(run_index));
}

TimeNs RandomFailures::next_failure(std::size_t stage, TimeNs start_ns, TimeNs length_ns) {
  const double rate = prepared_.stages[stage].failure_rate_per_s;
  if (!(rate > 0) || length_ns <= 0) return -1;
  // Poisson process: the time to the next failure is Exp(rate), memoryless, so a fresh draw
  // per attempt is exact.
  const double delay_ns = random_.exponential(rate) * 1e9;
  if (!(delay_ns < double(length_ns))) return -1;
  return start_ns + TimeNs(delay_ns);
}

ScriptedFailures::ScriptedFailures(std::vector<std::vector<TimeNs>> times_ns)
    : times_ns_(std::move(times_ns)), next_(times_ns_.size(), 0) {
  for (auto& times : times_ns_) std::sort(times.begin(), times.end());
}

TimeNs ScriptedFailures::next_failure(std::size_t stage, TimeNs start_ns, TimeNs length_ns) {
  if (stage >= times_ns_.size()) return -1;
  const auto& times = times_ns_[stage];
  std::size_t& i = next_[stage];
  while (i < times.size() && times[i] < start_ns) ++i;  // while not running: no effect
  if (i < times.size() && times[i] < start_ns + length_ns) return times[i++];
  return -1;
}

Engine::Engine(const Prepared& prepared)
    : prepared_(prepared),
      runs_(prepared.stages.size()),
      waiting_for_(prepared.stages.size()),
      attempt_start_(prepared.stages.size()),
      resume_at_(prepared.stages.size()) {}

TimeNs Engine::run(FailureSource& failures, std::vector<Span>* spans) {
  queue_.reset();
  makespan_ = 0;
  const std::size_t n = prepared_.stages.size();
  for (std::size_t s = 0; s < n; ++s) {
    runs_[s] = StageRun{};
    waiting_for_[s] = prepared_.stages[s].blockers;
    resume_at_[s] = 0;
  }
  for (std::size_t s = 0; s < n; ++s)
    if (waiting_for_[s] == 0) queue_.schedule(0, {Kind::kStart, std::uint32_t(s)});
  while (!queue_.empty()) {
    const auto event = queue_.pop();
    const std::size_t s = event.payload.stage;
    switch (event.payload.kind) {
      case Kind::kStart:
        runs_[s].start_ns = event.time;
        begin_attempt(s, event.time, failures);
        break;
      case Kind::kRestart:
        begin_attempt(s, event.time, failures);
        break;
      case Kind::kFailure:
        fail(s, event.time, spans);
        break;
      case Kind::kEnd:
        end(s, event.time, spans);
        break;
    }
  }
  return makespan_;
}

void Engine::begin_attempt(std::size_t s, TimeNs now, FailureSource& failures) {
  const StageProfile& p = prepared_.stages[s].profile;
  attempt_start_[s] = now;
  // Start-up and warm-up again, then the body from the checkpoint it resumes from.
  const TimeNs length = p.preamble_ns() + p.body_ns - resume_at_[s];
  const TimeNs failure = failures.next_failure(s, now, length);
  if (failure >= 0)
    queue_.schedule(failure, {Kind::kFailure, std::uint32_t(s)});
  else
    queue_.schedule(now + length, {Kind::kEnd, std::uint32_t(s)});
}

void Engine::fail(std::size_t s, TimeNs now, std::vector<Span>* spans) {
  const StageProfile& p = prepared_.stages[s].profile;
  const TimeNs into_body = std::max<TimeNs>(0, now - attempt_start_[s] - p.preamble_ns());
  const TimeNs reached = resume_at_[s] + into_body;
  // A failure during start-up loses nothing more: the stage was still at its checkpoint.
  const TimeNs restart_from = std::max(resume_at_[s], p.last_checkpoint_ns(reached));
  const TimeNs lost = reached - restart_from;
  StageRun& run = runs_[s];
  if (++run.failures > kMaxFailuresPerStageRun)
    throw RunError(fmt::format("simulation: stage \"{}\" failed more than {} times in one run",
                               prepared_.stages[s].setup.id, kMaxFailuresPerStageRun));
  run.lost_ns += lost;
  if (spans) {
    record_attempt(s, now, /*failed=*/true, *spans);
    int epoch = 0;  // the epoch the failure interrupted
    if (!p.segments.empty())
      epoch = p.segments[std::min(p.segment_after(reached), p.segments.size() - 1)].epoch;
    spans->push_back({SpanKind::kFailure, s, epoch, now, 0, true, ns_to_seconds(lost)});
    spans->push_back({SpanKind::kRestart, s, 0, now, prepared_.restart_ns, true, 0});
  }
  resume_at_[s] = restart_from;
  queue_.schedule(now + prepared_.restart_ns, {Kind::kRestart, std::uint32_t(s)});
}

void Engine::end(std::size_t s, TimeNs now, std::vector<Span>* spans) {
  StageRun& run = runs_[s];
  run.end_ns = now;
  makespan_ = std::max(makespan_, now);
  if (spans) {
    record_attempt(s, now, /*failed=*/false, *spans);
    if (now > run.start_ns)
      spans->push_back({SpanKind::kStage, s, 0, run.start_ns, now - run.start_ns, true, 0});
  }
  for (std::size_t next : prepared_.stages[s].successors)
    if (--waiting_for_[next] == 0) queue_.schedule(now, {Kind::kStart, std::uint32_t(next)});
}

void Engine::record_attempt(std::size_t s, TimeNs until, bool failed,
                            std::vector<Span>& spans) const {
  const StageProfile& p = prepared_.stages[s].profile;
  TimeNs t = attempt_start_[s];
  // Start-up, then warm-up, each cut short by a failure during it.
  for (auto [kind, length] :
       {std::pair{SpanKind::kStartup, p.startup_ns}, std::pair{SpanKind::kWarmup, p.warmup_ns}}) {
    const TimeNs d = std::min(length, until - t);
    if (d > 0) spans.push_back({kind, s, 0, t, d, d == length, 0});
    t += length;
    if (t >= until) return;
  }
  // The body from the resume offset; pieces of one epoch's training (and checkpoints written
  // inside it) merge into one epoch span, which the checkpoints nest in.
  const TimeNs from = resume_at_[s];
  const TimeNs reached = from + (until - t);
  Span epoch{SpanKind::kEpoch, s, 0, 0, 0, true, 0};
  auto close_epoch = [&] {
    if (epoch.epoch > 0 && epoch.duration_ns > 0) spans.push_back(epoch);
    epoch.epoch = 0;
  };
  for (std::size_t i = p.segment_after(from); i < p.segments.size(); ++i) {
    const Segment& seg = p.segments[i];
    if (seg.start_ns >= reached) break;
    const TimeNs a = std::max(seg.start_ns, from), b = std::min(seg.end_ns(), reached);
    const TimeNs start = t + (a - from);
    const bool cut = failed && b < seg.end_ns();
    if (seg.inside_epoch) {
      if (epoch.epoch != seg.epoch) {
        close_epoch();
        epoch = Span{SpanKind::kEpoch, s, seg.epoch, start, 0, true, 0};
      }
      epoch.duration_ns = start + (b - a) - epoch.start_ns;
      epoch.completed = !cut;
    } else {
      close_epoch();
    }
    if (seg.kind != SegmentKind::kTrain)
      spans.push_back(
          {seg.kind == SegmentKind::kCheckpoint ? SpanKind::kCheckpoint : SpanKind::kEvaluation, s,
           seg.epoch, start, b - a, !cut, 0});
  }
  close_epoch();
}

}  // namespace trainplan::costmodel::detail
