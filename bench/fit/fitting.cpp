#include "fitting.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "trainplan/costmodel/calibration.hpp"
#include "trainplan/costmodel/least_squares.hpp"

namespace trainplan::bench {

namespace {

// Each source weighs as the square root of its row count: a model zoo of 30 rows says more
// than one log excerpt, but not 30 times more (its rows share one setup and one clock).
std::vector<double> base_weights(const std::vector<ReferenceRun>& runs,
                                 const std::vector<size_t>& rows) {
  std::map<std::string, int> per_source;
  for (size_t i : rows) ++per_source[runs[i].source_id];
  std::vector<double> w;
  for (size_t i : rows)
    w.push_back((runs[i].measured_total_hours ? kTotalRowWeight : 1.0) /
                std::sqrt(double(per_source[runs[i].source_id])) / kRowNoiseLog);
  return w;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

RowPrediction predict_row(const profiles::Catalog& catalog, const ReferenceRun& run) {
  const auto e = costmodel::estimate(catalog, run.scenario);
  RowPrediction p;
  p.log_error = std::log(predicted_figure(run, e) / measured_figure(run));
  if (run.measured_memory_gb)
    p.memory_log_error = std::log(predicted_memory_gb(e) / *run.measured_memory_gb);
  p.input_bound = costmodel::near_input_bound(e);
  return p;
}

profiles::Catalog with_knobs(const profiles::Catalog& base, const std::vector<Knob>& knobs,
                             const std::vector<double>& values) {
  profiles::Catalog c = base;
  for (size_t j = 0; j < knobs.size(); ++j) set_knob(c, knobs[j], values[j]);
  return c;
}

std::vector<double> fit_knobs(const profiles::Catalog& base, const std::vector<ReferenceRun>& runs,
                              const std::vector<size_t>& rows, const std::vector<Knob>& knobs) {
  const size_t n = knobs.size();
  costmodel::LeastSquaresProblem p;
  for (const auto& k : knobs) {
    p.prior.push_back(std::log(k.prior));
    p.prior_weight.push_back(1.0 / (k.prior_sd_log * k.prior_sd_log));
    p.lower.push_back(std::log(k.lower));
    p.upper.push_back(std::log(k.upper));
    // A knob none of these rows sees is fixed at its prior.
    const bool seen = std::any_of(k.rows.begin(), k.rows.end(), [&](size_t r) {
      return std::find(rows.begin(), rows.end(), r) != rows.end();
    });
    if (!seen) p.lower.back() = p.upper.back() = p.prior.back();
  }
  // The loader only shows in a prediction where it is the bottleneck (the stall is a max()):
  // started at its prior, a loader that is not binding has no gradient and the fit would
  // explain a loader-bound row by anything else. Started high, it binds, and the fit lowers
  // it until the rows stop asking for it.
  p.start = p.prior;
  for (size_t j = 0; j < n; ++j)
    if (knobs[j].field == "loader_ms_per_sample" && p.lower[j] < p.upper[j])
      p.start[j] = std::min(p.upper[j], p.prior[j] + kLoaderStartLog);
  p.max_iterations = 40;
  // Time residuals, then a memory residual for each row that states its peak memory (weighed
  // as the row is).
  std::vector<double> weights = base_weights(runs, rows);
  for (size_t k = 0; k < rows.size(); ++k)
    if (runs[rows[k]].measured_memory_gb) weights.push_back(weights[k]);
  const std::vector<double> base_w = weights;
  profiles::Catalog catalog = base;
  auto raw_residuals = [&](const std::vector<double>& theta) {
    for (size_t j = 0; j < n; ++j) set_knob(catalog, knobs[j], std::exp(theta[j]));
    std::vector<double> r, memory;
    for (size_t i : rows) {
      const RowPrediction p = predict_row(catalog, runs[i]);
      r.push_back(p.log_error);
      if (p.memory_log_error) memory.push_back(*p.memory_log_error);
    }
    r.insert(r.end(), memory.begin(), memory.end());
    return r;
  };
  std::vector<double> theta = p.start;
  for (int pass = 0; pass < kReweightingPasses; ++pass) {
    p.residuals = [&](const std::vector<double>& t) {
      auto r = raw_residuals(t);
      for (size_t i = 0; i < r.size(); ++i) r[i] *= weights[i];
      return r;
    };
    p.start = theta;
    theta = costmodel::solve_least_squares(p);
    // Iteratively reweighted least squares for the Huber loss.
    const auto r = raw_residuals(theta);
    for (size_t i = 0; i < r.size(); ++i)
      weights[i] =
          base_w[i] * std::sqrt(std::min(1.0, kHuberLog / std::max(1e-12, std::fabs(r[i]))));
  }
  std::vector<double> values;
  for (double t : theta) values.push_back(std::exp(t));
  return values;
}

CrossValidation cross_validate(const profiles::Catalog& base, const std::vector<ReferenceRun>& runs,
                               const std::vector<Knob>& knobs) {
  CrossValidation cv;
  cv.rows.resize(runs.size());
  std::vector<size_t> all(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) all[i] = i;
  cv.values = fit_knobs(base, runs, all, knobs);
  const auto fitted = with_knobs(base, knobs, cv.values);
  for (size_t i = 0; i < runs.size(); ++i) cv.rows[i].in_sample = predict_row(fitted, runs[i]).log_error;

  std::map<std::string, std::vector<size_t>> by_source;
  for (size_t i = 0; i < runs.size(); ++i) by_source[runs[i].source_id].push_back(i);
  for (const auto& [source, held_out] : by_source) {
    std::vector<size_t> train;
    for (size_t i = 0; i < runs.size(); ++i)
      if (runs[i].source_id != source) train.push_back(i);
    const auto fold = with_knobs(base, knobs, fit_knobs(base, runs, train, knobs));
    for (size_t i : held_out) {
      const RowPrediction held_out = predict_row(fold, runs[i]);
      cv.rows[i].held_out = held_out.log_error;
      cv.rows[i].memory_held_out = held_out.memory_log_error;
      cv.rows[i].input_bound = held_out.input_bound;
      // The user's case: this cost model, and one run of their own of the same model.
      std::vector<double> calibrated;
      for (size_t j = 0; j < runs.size(); ++j) {
        const auto record = as_record(runs[j]);
        if (j == i || !record || runs[j].scenario.model_id != runs[i].scenario.model_id ||
            runs[j].codebase != runs[i].codebase)
          continue;
        const auto fit = costmodel::fit_calibration(fold, {*record}, runs[j].scenario);
        const auto e = costmodel::estimate(fold, runs[i].scenario, fit.calibration);
        calibrated.push_back(std::log(predicted_figure(runs[i], e) / measured_figure(runs[i])));
      }
      if (!calibrated.empty()) {
        cv.rows[i].calibrated = median(calibrated);
        cv.rows[i].calibration_runs = int(calibrated.size());
      }
    }
  }
  return cv;
}

}  // namespace trainplan::bench
