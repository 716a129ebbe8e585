// The failure model against its closed forms (docs/simulator.md sections 3-5): Young's
// interval, the expected lost work per failure, and the Poisson failure count, each checked
// against 10,000 Monte Carlo runs.
#include <doctest/doctest.h>

#include <cmath>

#include "trainplan/costmodel/simulation.hpp"
#include "trainplan/error.hpp"

using namespace trainplan::costmodel;

namespace {

// One stage with no start-up, so that every failure strikes inside a checkpoint period.
SimStage long_stage(double train_s, double checkpoint_s) {
  SimStage s;
  s.id = "long";
  s.gpus = 8;
  s.startup_s = 0;
  s.warmup_s = 0;
  s.epochs = 1;
  s.epoch_train_s = train_s;
  s.checkpoint_write_s = checkpoint_s;
  return s;
}

// An MTBF per GPU that gives an 8-GPU stage one failure every `stage_mtbf_s` on average.
double mtbf_hours_for(double stage_mtbf_s) { return 8 * stage_mtbf_s / 3600.0; }

}  // namespace

TEST_CASE("Young's interval is sqrt(2 C M)") {
  CHECK(young_interval_s(10, 450'000) == doctest::Approx(3000));
  CHECK(young_interval_s(2, 8) == doctest::Approx(std::sqrt(32.0)));
}

TEST_CASE("auto interval: Young's closed form for the stage's own MTBF (MTBF per GPU / GPUs)") {
  SimStage s = long_stage(100'000, 10);
  SimulationOptions o;
  o.mtbf_hours = 1000;  // per GPU: 8 GPUs fail every 125 h = 450,000 s
  const auto setup = resolve_stages({s}, o).at(0);
  CHECK(setup.failure_rate_per_s == doctest::Approx(8 / (1000 * 3600.0)));
  CHECK_FALSE(setup.checkpoint_each_epoch);
  CHECK(setup.checkpoint_interval_s == doctest::Approx(std::sqrt(2 * 10 * 450'000.0)));
  CHECK(setup.checkpoint_interval_s == doctest::Approx(3000));
  // 100,000 s of work in intervals of 3000 s: 33 full ones and a final checkpoint.
  CHECK(setup.checkpoints == 34);
  CHECK(setup.failure_free_s == doctest::Approx(100'000 + 34 * 10));
}

TEST_CASE("auto interval without failures: a checkpoint each epoch, as the cost model assumes") {
  SimStage s = long_stage(1000, 5);
  s.epochs = 7;
  const auto setup = resolve_stages({s}, SimulationOptions{}).at(0);
  CHECK(setup.checkpoint_each_epoch);
  CHECK(setup.checkpoints == 7);
  CHECK(setup.failure_rate_per_s == 0);
}

TEST_CASE("an auto interval longer than the stage leaves one final checkpoint") {
  SimStage s = long_stage(1000, 5);
  SimulationOptions o;
  o.mtbf_hours = 1e6;
  const auto setup = resolve_stages({s}, o).at(0);
  CHECK(setup.checkpoint_interval_s == doctest::Approx(1000));
  CHECK(setup.checkpoints == 1);
}

TEST_CASE("a given interval longer than a stage is bad input naming the flag and the stage") {
  SimStage s = long_stage(3600, 5);
  SimulationOptions o;
  o.checkpoint = {CheckpointMode::kInterval, 2 * 3600.0};
  CHECK_THROWS_WITH_AS(resolve_stages({s}, o),
                       "--checkpoint-every: 2.00 h is longer than stage \"long\", whose training "
                       "and evaluation take 60.0 min; expected auto, epoch, or an interval up to "
                       "60.0 min",
                       trainplan::InputError);
  o.checkpoint.interval_s = 3600;
  CHECK_NOTHROW(resolve_stages({s}, o));
}

TEST_CASE("expected lost work per failure: the truncated exponential mean, T/2 for rare failures") {
  // lambda T = 0.5: 1/lambda - T / (e^0.5 - 1).
  const double lambda = 1.0 / 1200, period = 600;
  CHECK(expected_lost_work_per_failure_s(lambda, period) ==
        doctest::Approx(1200 - 600 / (std::exp(0.5) - 1)));
  CHECK(expected_lost_work_per_failure_s(1e-12, 600) == doctest::Approx(300));
  CHECK(expected_lost_work_per_failure_s(1e-6, 600) == doctest::Approx(300).epsilon(1e-3));
  // Frequent failures strike early in the period.
  CHECK(expected_lost_work_per_failure_s(1.0 / 60, 600) < 61);
  CHECK(expected_lost_work_per_failure_s(0, 0) == 0);
}

TEST_CASE("10,000 runs: mean lost work per failure within 5% of the closed form") {
  // 40 periods of 600 s of work plus a 10 s write; a failure every 3000 s (lambda T = 0.2).
  SimStage s = long_stage(40 * 600.0, 10);
  SimulationOptions o;
  o.mtbf_hours = mtbf_hours_for(3000);
  o.restart_s = 60;
  o.checkpoint = {CheckpointMode::kInterval, 600};
  o.runs = 10'000;
  o.seed = 42;
  const auto r = simulate({s}, o);
  const auto& st = r.stages.at(0);
  CHECK(st.setup.checkpoints == 40);
  const double analytic = 3000 - 610 / std::expm1(610.0 / 3000);
  CHECK(st.setup.expected_lost_per_failure_s == doctest::Approx(analytic));
  CHECK(st.expected_failures > 5);  // about 9: tens of thousands of failures in all
  CHECK(std::fabs(st.lost_work_per_failure_s / analytic - 1) < 0.05);
  // Poisson failures: each of the 40 periods needs e^{lambda T} - 1 failures on average.
  const double expected_failures = 40 * std::expm1(610.0 / 3000);
  CHECK(std::fabs(st.expected_failures / expected_failures - 1) < 0.03);
  // The stage runs for its work, its writes, the lost work and the restarts.
  CHECK(st.mean_seconds ==
        doctest::Approx(40 * 610 + st.expected_lost_work_s + st.expected_failures * 60)
            .epsilon(1e-9));
}

TEST_CASE("10,000 runs with the auto interval: lost work per failure near the closed form") {
  SimStage s = long_stage(200'000, 20);
  SimulationOptions o;
  o.mtbf_hours = mtbf_hours_for(20'000);  // Young: sqrt(2 x 20 x 20,000) ~ 894 s
  o.runs = 10'000;
  const auto r = simulate({s}, o);
  const auto& st = r.stages.at(0);
  CHECK(st.setup.checkpoint_interval_s == doctest::Approx(std::sqrt(2 * 20 * 20'000.0)));
  CHECK(std::fabs(st.lost_work_per_failure_s / st.setup.expected_lost_per_failure_s - 1) < 0.05);
}

TEST_CASE("failures so frequent that a stage would never finish are bad input") {
  SimStage s = long_stage(10 * 3600.0, 10);
  s.startup_s = 120;
  SimulationOptions o;
  o.mtbf_hours = 0.001;
  CHECK_THROWS_AS(resolve_stages({s}, o), trainplan::InputError);
  try {
    resolve_stages({s}, o);
  } catch (const trainplan::InputError& e) {
    CHECK(std::string(e.what()).rfind(
              "--mtbf-hours: 0.001 h per GPU is too short for stage \"long\"", 0) == 0);
  }
}

TEST_CASE("option checks name the flag, the value and what is accepted") {
  SimulationOptions o;
  o.runs = 0;
  CHECK_THROWS_WITH_AS(validate(o),
                       "--runs: 0 is not accepted; expected a whole number from 1 to 10,000,000",
                       trainplan::InputError);
  o.runs = kMaxSimulationRuns + 1;
  CHECK_THROWS_AS(validate(o), trainplan::InputError);
  o.runs = kMaxSimulationRuns;
  CHECK_NOTHROW(validate(o));
  o.mtbf_hours = -1;
  CHECK_THROWS_AS(validate(o), trainplan::InputError);
  o.mtbf_hours = 100;
  o.restart_s = 0;
  CHECK_THROWS_WITH_AS(
      validate(o),
      "--restart-minutes: 0 is not accepted; expected a positive number of minutes, such as 10",
      trainplan::InputError);
  o.restart_s = 60;
  o.checkpoint = {CheckpointMode::kInterval, 0};
  CHECK_THROWS_AS(validate(o), trainplan::InputError);
}
