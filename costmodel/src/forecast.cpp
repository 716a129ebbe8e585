#include "trainplan/costmodel/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace trainplan::costmodel {

namespace {

// The normal quantile at 0.9: P90 = median x exp(1.2816 sigma) for a log-normal.
constexpr double kZ90 = 1.2815515655446004;

double percentile(std::vector<double>& sorted, double q) {
  const size_t i = std::min(sorted.size() - 1, size_t(q * double(sorted.size())));
  return sorted[i];
}

}  // namespace

double typical_step_seconds(const std::vector<double>& steps) {
  if (steps.empty()) return 0;
  const size_t n = std::min(steps.size(), size_t(kRecentSteps));
  std::vector<double> recent(steps.end() - long(n), steps.end());
  std::nth_element(recent.begin(), recent.begin() + long(n / 2), recent.end());
  return recent[n / 2];
}

RemainingPart remaining_of(const StageProgress& p) {
  const double step = p.typical_step_s > 0 ? p.typical_step_s : typical_step_seconds(p.step_seconds);
  RemainingPart part;
  part.median_s = double(std::max<int64_t>(0, p.total_steps - p.steps_done)) * step +
                  p.evaluations_left * p.evaluation_s + p.checkpoints_left * p.checkpoint_s;
  // The typical step's own uncertainty: relative spread over sqrt(n) of the steps it saw.
  const size_t n = std::min(p.step_seconds.size(), size_t(kRecentSteps));
  double relative = 0;
  if (n >= 2 && step > 0) {
    double mean = 0, squares = 0;
    for (size_t i = p.step_seconds.size() - n; i < p.step_seconds.size(); ++i) mean += p.step_seconds[i];
    mean /= double(n);
    for (size_t i = p.step_seconds.size() - n; i < p.step_seconds.size(); ++i)
      squares += (p.step_seconds[i] - mean) * (p.step_seconds[i] - mean);
    relative = std::sqrt(squares / double(n - 1)) / step / std::sqrt(double(n));
  }
  part.log_sigma = std::hypot(kMinRemainingSpread, relative);
  return part;
}

double log_sigma_of_range(double p10_s, double p90_s) {
  if (!(p10_s > 0) || !(p90_s > p10_s)) return 0;
  return std::log(p90_s / p10_s) / (2 * kZ90);
}

FinishForecast forecast_finish(double elapsed_s, const std::vector<RemainingPart>& remaining,
                               std::optional<double> deadline_s,
                               const std::vector<double>& failure_delays_s) {
  std::mt19937_64 rng(20261203);  // fixed: the same inputs give the same forecast
  std::normal_distribution<double> normal;
  std::vector<double> finishes(kFinishDraws);
  for (size_t i = 0; i < finishes.size(); ++i) {
    double& finish = finishes[i];
    finish = elapsed_s;
    if (!failure_delays_s.empty()) finish += failure_delays_s[i % failure_delays_s.size()];
    for (const RemainingPart& part : remaining)
      if (part.median_s > 0) finish += part.median_s * std::exp(part.log_sigma * normal(rng));
  }
  FinishForecast f;
  if (deadline_s) {
    const auto met = std::count_if(finishes.begin(), finishes.end(),
                                   [&](double t) { return t <= *deadline_s; });
    f.deadline_probability = double(met) / double(finishes.size());
  }
  std::sort(finishes.begin(), finishes.end());
  f.p10_s = percentile(finishes, 0.1);
  f.p50_s = percentile(finishes, 0.5);
  f.p90_s = percentile(finishes, 0.9);
  return f;
}

}  // namespace trainplan::costmodel
