// The closed loop's arithmetic: the typical step, a running stage's remaining part, and the
// run's finish distribution with its deadline odds.
#include <doctest/doctest.h>

#include <cmath>

#include "trainplan/costmodel/forecast.hpp"

using namespace trainplan::costmodel;

TEST_CASE("the typical step is the median of the recent steps, robust to a slow one") {
  CHECK(typical_step_seconds({}) == 0);
  CHECK(typical_step_seconds({0.3, 0.3, 5.0, 0.3, 0.31}) == doctest::Approx(0.3));
  // Only the last kRecentSteps count: an early slow phase is forgotten.
  std::vector<double> steps(kRecentSteps, 2.0);
  steps.insert(steps.end(), kRecentSteps, 1.0);
  CHECK(typical_step_seconds(steps) == doctest::Approx(1.0));
}

TEST_CASE("a running stage's remaining part counts steps, evaluations and checkpoints") {
  StageProgress p;
  p.steps_done = 20;
  p.total_steps = 100;
  p.step_seconds = std::vector<double>(20, 0.5);
  p.evaluations_left = 4;
  p.evaluation_s = 2;
  p.checkpoints_left = 4;
  p.checkpoint_s = 0.25;
  const RemainingPart part = remaining_of(p);
  CHECK(part.median_s == doctest::Approx(80 * 0.5 + 4 * 2 + 4 * 0.25));
  // Identical steps: only the floor on the spread remains.
  CHECK(part.log_sigma == doctest::Approx(kMinRemainingSpread));
  p.step_seconds = {0.4, 0.6, 0.4, 0.6};
  CHECK(remaining_of(p).log_sigma > kMinRemainingSpread);
}

TEST_CASE("the finish forecast: elapsed plus the parts, its percentiles and deadline odds") {
  const std::vector<RemainingPart> parts = {{100, 0.1}, {200, 0.2}};
  const FinishForecast f = forecast_finish(50, parts, std::nullopt);
  CHECK_FALSE(f.deadline_probability);
  CHECK(f.p10_s < f.p50_s);
  CHECK(f.p50_s < f.p90_s);
  // Log-normal parts have their medians at 100 and 200; the sum's median is a little above.
  CHECK(f.p50_s == doctest::Approx(352).epsilon(0.03));
  CHECK(f.p10_s > 250);
  CHECK(f.p90_s < 480);
  // The odds fall as the deadline comes closer, and are the same for the same inputs.
  const auto late = forecast_finish(50, parts, 500.0), middle = forecast_finish(50, parts, f.p50_s),
             early = forecast_finish(50, parts, 300.0);
  CHECK(*late.deadline_probability > 0.95);
  CHECK(*middle.deadline_probability == doctest::Approx(0.5).epsilon(0.05));
  CHECK(*early.deadline_probability < 0.2);
  CHECK(*forecast_finish(50, parts, 300.0).deadline_probability == *early.deadline_probability);
  // No spread: exact.
  const auto exact = forecast_finish(10, {{5, 0}}, 15.0);
  CHECK(exact.p10_s == 15);
  CHECK(exact.p90_s == 15);
  CHECK(*exact.deadline_probability == 1.0);
}

TEST_CASE("a P10-P90 range gives the log-normal sigma that reproduces it") {
  const double sigma = log_sigma_of_range(80, 125);
  CHECK(std::exp(2 * 1.2815515655446004 * sigma) == doctest::Approx(125.0 / 80));
  CHECK(log_sigma_of_range(0, 10) == 0);
  CHECK(log_sigma_of_range(10, 10) == 0);
}
