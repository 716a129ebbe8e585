// Golden numbers: a small plan computed by hand (docs/simulator.md section 9), its exact event
// times without failures, with a failure at a given time, and with an interval policy.
#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "trainplan/costmodel/simulation.hpp"

using namespace trainplan::costmodel;

namespace {

// A: GPUs 0-1; 10 s start-up, 5 s warm-up, 3 epochs of 100 s, an evaluation of 20 s every 2
//    epochs, 4 s per checkpoint: 15 + 300 + 20 + 3 x 4 = 347 s.
// B: GPU 0 after A: 1 + 1 + 50 + 2 = 54 s.   C: GPU 1 after A: 1 + 1 + 2 x 30 + 2 x 1 = 64 s.
// D: GPU 0, no dependency, but after A and B on GPU 0: 10 s.
std::vector<SimStage> small_plan() {
  SimStage a;
  a.id = "A";
  a.gpus = 2;
  a.startup_s = 10;
  a.warmup_s = 5;
  a.epochs = 3;
  a.epoch_train_s = 100;
  a.eval_s = 20;
  a.eval_interval_epochs = 2;
  a.checkpoint_write_s = 4;
  SimStage b;
  b.id = "B";
  b.depends_on = {0};
  b.startup_s = 1;
  b.warmup_s = 1;
  b.epochs = 1;
  b.epoch_train_s = 50;
  b.checkpoint_write_s = 2;
  SimStage c = b;
  c.id = "C";
  c.gpu_offset = 1;
  c.epochs = 2;
  c.epoch_train_s = 30;
  c.checkpoint_write_s = 1;
  SimStage d;
  d.id = "D";
  d.startup_s = 0;
  d.warmup_s = 0;
  d.epochs = 1;
  d.epoch_train_s = 10;
  return {a, b, c, d};
}

using Row = std::tuple<SpanKind, int, double, double>;  // kind, epoch, start s, duration s

std::vector<Row> rows(const Timeline& t, std::size_t stage) {
  std::vector<Row> out;
  for (const auto& s : t.spans)
    if (s.stage == stage)
      out.emplace_back(s.kind, s.epoch, ns_to_seconds(s.start_ns), ns_to_seconds(s.duration_ns));
  std::sort(out.begin(), out.end(), [](const Row& x, const Row& y) {
    return std::make_tuple(std::get<2>(x), -std::get<3>(x)) <
           std::make_tuple(std::get<2>(y), -std::get<3>(y));
  });
  return out;
}

}  // namespace

TEST_CASE("without failures: every event at its hand-computed time") {
  const auto plan = small_plan();
  const Timeline t = replay_timeline(plan, SimulationOptions{}, {});
  CHECK(t.stage_start_ns ==
        std::vector<TimeNs>{0, 347'000'000'000, 347'000'000'000, 401'000'000'000});
  CHECK(t.stage_end_ns ==
        std::vector<TimeNs>{347'000'000'000, 401'000'000'000, 411'000'000'000, 411'000'000'000});
  CHECK(t.makespan_ns == 411'000'000'000);
  // clang-format off
  const std::vector<Row> a = {
      {SpanKind::kStage, 0, 0, 347},        {SpanKind::kStartup, 0, 0, 10},
      {SpanKind::kWarmup, 0, 10, 5},        {SpanKind::kEpoch, 1, 15, 100},
      {SpanKind::kCheckpoint, 1, 115, 4},   {SpanKind::kEpoch, 2, 119, 100},
      {SpanKind::kCheckpoint, 2, 219, 4},   {SpanKind::kEvaluation, 2, 223, 20},
      {SpanKind::kEpoch, 3, 243, 100},      {SpanKind::kCheckpoint, 3, 343, 4}};
  // clang-format on
  CHECK(rows(t, 0) == a);
  // clang-format off
  const std::vector<Row> c = {{SpanKind::kStage, 0, 347, 64},     {SpanKind::kStartup, 0, 347, 1},
                              {SpanKind::kWarmup, 0, 348, 1},     {SpanKind::kEpoch, 1, 349, 30},
                              {SpanKind::kCheckpoint, 1, 379, 1}, {SpanKind::kEpoch, 2, 380, 30},
                              {SpanKind::kCheckpoint, 2, 410, 1}};
  // clang-format on
  CHECK(rows(t, 2) == c);
  // The same stages through Monte Carlo without failures: every run is this timeline.
  SimulationOptions o;
  o.runs = 3;
  const auto r = simulate(plan, o);
  CHECK(r.failure_free_makespan_s == 411);
  CHECK(r.p99_makespan_s == 411);
  CHECK(r.mean_gpu_hours == doctest::Approx((2 * 347 + 54 + 64 + 10) / 3600.0));
}

TEST_CASE("a failure at 180 s: 61 s of epoch 2 lost, 60 s restart, start-up again, resume") {
  SimulationOptions o;
  o.restart_s = 60;
  const Timeline t = replay_timeline(small_plan(), o, {{180.0}});
  // clang-format off
  const std::vector<Row> a = {
      {SpanKind::kStage, 0, 0, 483},          {SpanKind::kStartup, 0, 0, 10},
      {SpanKind::kWarmup, 0, 10, 5},          {SpanKind::kEpoch, 1, 15, 100},
      {SpanKind::kCheckpoint, 1, 115, 4},     {SpanKind::kEpoch, 2, 119, 61},
      {SpanKind::kRestart, 0, 180, 60},       {SpanKind::kFailure, 2, 180, 0},
      {SpanKind::kStartup, 0, 240, 10},       {SpanKind::kWarmup, 0, 250, 5},
      {SpanKind::kEpoch, 2, 255, 100},        {SpanKind::kCheckpoint, 2, 355, 4},
      {SpanKind::kEvaluation, 2, 359, 20},    {SpanKind::kEpoch, 3, 379, 100},
      {SpanKind::kCheckpoint, 3, 479, 4}};
  // clang-format on
  CHECK(rows(t, 0) == a);
  CHECK(t.stage_failures == std::vector<int>{1, 0, 0, 0});
  for (const auto& s : t.spans) {
    if (s.kind == SpanKind::kFailure) CHECK(s.lost_work_s == doctest::Approx(61));
    if (s.kind == SpanKind::kEpoch && s.start_ns == 119'000'000'000) CHECK_FALSE(s.completed);
  }
  CHECK(t.makespan_ns == 483'000'000'000 + 64'000'000'000);
}

TEST_CASE("a failure during start-up loses no work, one while restarting does nothing") {
  SimulationOptions o;
  o.restart_s = 60;
  // 5 s in: during start-up. 30 s: during the restart downtime (65 s to 125 s... it is 5+60).
  const Timeline t = replay_timeline(small_plan(), o, {{5.0, 30.0}});
  CHECK(t.stage_failures.at(0) == 1);
  CHECK(t.stage_end_ns.at(0) == (347 + 5 + 60) * 1'000'000'000LL);
}

TEST_CASE("interval checkpoints: every 150 s of training and evaluation, and a final one") {
  SimulationOptions o;
  o.checkpoint = {CheckpointMode::kInterval, 150};
  auto plan = small_plan();
  plan.resize(1);
  const Timeline t = replay_timeline(plan, o, {});
  // Work: epoch 1 [15,115]; epoch 2 [115,219] with a checkpoint at 150 s of work [165,169];
  // evaluation [219,239]; epoch 3 [239,343] with a checkpoint at 150 s more work [319,323]
  // (70 s of it before the epoch); the final checkpoint [343,347].
  // clang-format off
  const std::vector<Row> a = {
      {SpanKind::kStage, 0, 0, 347},        {SpanKind::kStartup, 0, 0, 10},
      {SpanKind::kWarmup, 0, 10, 5},        {SpanKind::kEpoch, 1, 15, 100},
      {SpanKind::kEpoch, 2, 115, 104},      {SpanKind::kCheckpoint, 2, 165, 4},
      {SpanKind::kEvaluation, 2, 219, 20},  {SpanKind::kEpoch, 3, 239, 104},
      {SpanKind::kCheckpoint, 3, 319, 4},   {SpanKind::kCheckpoint, 3, 343, 4}};
  // clang-format on
  CHECK(rows(t, 0) == a);
  const auto setup = resolve_stages(plan, o).at(0);
  CHECK(setup.checkpoints == 3);
  CHECK(setup.evaluations == 1);
  CHECK(setup.work_s == 320);
}

TEST_CASE("one seed, one timeline: run i alone equals run i inside the Monte Carlo") {
  auto plan = small_plan();
  SimulationOptions o;
  o.mtbf_hours = 0.5;  // a failure every 15 min on A's 2 GPUs, 30 min on the others
  o.restart_s = 30;
  o.seed = 7;
  o.runs = 200;
  const auto r = simulate(plan, o);
  double lo = 1e300, hi = 0, sum = 0;
  for (long long i = 0; i < o.runs; ++i) {
    const double m = ns_to_seconds(simulate_timeline(plan, o, i).makespan_ns);
    lo = std::min(lo, m);
    hi = std::max(hi, m);
    sum += m;
  }
  CHECK(r.min_makespan_s == lo);
  CHECK(r.max_makespan_s == hi);
  CHECK(r.mean_makespan_s == doctest::Approx(sum / o.runs).epsilon(1e-12));
  CHECK(r.max_makespan_s > r.failure_free_makespan_s);  // some runs failed
  // The same options give the same numbers; another seed gives others.
  const auto again = simulate(plan, o);
  CHECK(again.mean_makespan_s == r.mean_makespan_s);
  CHECK(again.p90_makespan_s == r.p90_makespan_s);
  o.seed = 8;
  CHECK(simulate(plan, o).mean_makespan_s != r.mean_makespan_s);
}
