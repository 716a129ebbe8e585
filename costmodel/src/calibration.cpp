#include "trainplan/costmodel/calibration.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "calibration_constants.hpp"
#include "trainplan/costmodel/least_squares.hpp"

namespace trainplan::costmodel {

namespace {

using detail::kExactLogError;
using detail::kMaxIterations;
using detail::kMaxLogScale;
using detail::kRidge;
using detail::kSignificantWaitShare;

// Log-scales in this order: compute, communication, data, overhead.
constexpr int kScales = 4;

// Maps the fitted parameters to the four log-scales.
Eigen::MatrixXd design(FitKind kind) {
  switch (kind) {
    case FitKind::kCompute: return (Eigen::MatrixXd(kScales, 1) << 1, 0, 0, 0).finished();
    case FitKind::kData: return (Eigen::MatrixXd(kScales, 1) << 0, 0, 1, 0).finished();
    case FitKind::kUniform: return Eigen::MatrixXd::Ones(kScales, 1);
    case FitKind::kComputeAndData:  // fitted in two steps by fit_with_data_time
    case FitKind::kFull: return Eigen::MatrixXd::Identity(kScales, kScales);
  }
  return Eigen::MatrixXd::Identity(kScales, kScales);
}

Calibration from_log(const Eigen::VectorXd& log_scales) {
  Calibration c;
  c.compute_scale = std::exp(log_scales[0]);
  c.comm_scale = std::exp(log_scales[1]);
  c.data_scale = std::exp(log_scales[2]);
  c.overhead_scale = std::exp(log_scales[3]);
  c.calibrated = true;
  return c;
}

struct Problem {
  const profiles::Catalog& catalog;
  const std::vector<Scenario>& scenarios;
  const std::vector<double>& measured;
  Eigen::MatrixXd design;
  Eigen::VectorXd ridge;  // per parameter

  Eigen::VectorXd residuals(const Eigen::VectorXd& theta) const {
    Eigen::VectorXd r(scenarios.size());
    Calibration c = from_log(design * theta);
    for (size_t i = 0; i < scenarios.size(); ++i)
      r[i] = std::log(estimate(catalog, scenarios[i], c).seconds_per_iter) - std::log(measured[i]);
    return r;
  }
};

// The scales' log-values by Levenberg-Marquardt from 0 (scale 1), the ridge pulling towards 0:
// the model is smooth in each scale except where a max() switches term.
Eigen::VectorXd solve(const Problem& p) {
  const size_t n = size_t(p.design.cols());
  LeastSquaresProblem ls;
  ls.residuals = [&](const std::vector<double>& theta) {
    Eigen::VectorXd r = p.residuals(Eigen::Map<const Eigen::VectorXd>(theta.data(), Eigen::Index(n)));
    return std::vector<double>(r.data(), r.data() + r.size());
  };
  ls.start = ls.prior = std::vector<double>(n, 0.0);
  ls.prior_weight = std::vector<double>(p.ridge.data(), p.ridge.data() + n);
  ls.lower = std::vector<double>(n, -kMaxLogScale);
  ls.upper = std::vector<double>(n, kMaxLogScale);
  ls.max_iterations = kMaxIterations;
  const auto theta = solve_least_squares(ls);
  return Eigen::Map<const Eigen::VectorXd>(theta.data(), Eigen::Index(n));
}

// The residuals of a finished fit.
void add_residuals(const profiles::Catalog& catalog, const std::vector<Scenario>& scenarios,
                   const std::vector<double>& measured, CalibrationFit& fit) {
  for (size_t i = 0; i < scenarios.size(); ++i) {
    Residual res;
    res.measured_s = measured[i];
    res.predicted_s = estimate(catalog, scenarios[i], fit.calibration).seconds_per_iter;
    res.uncalibrated_s = estimate(catalog, scenarios[i]).seconds_per_iter;
    res.relative_error = res.predicted_s / res.measured_s - 1.0;
    fit.residuals.push_back(res);
  }
}

// A log that reports its data wait splits the step: the GPU's part (step minus wait) pins the
// compute scale, and the wait says whether the loader is the bottleneck.
CalibrationFit fit_with_data_time(const profiles::Catalog& catalog, const Scenario& s,
                                  double measured_s, double data_wait_s) {
  CalibrationFit fit;
  fit.kind = FitKind::kComputeAndData;
  Calibration c;
  c.calibrated = true;
  const double gpu_target_s = measured_s - data_wait_s;
  LeastSquaresProblem ls;
  ls.residuals = [&](const std::vector<double>& theta) {
    Calibration trial = c;
    trial.compute_scale = std::exp(theta[0]);
    const Estimate e = estimate(catalog, s, trial);
    return std::vector<double>{std::log(e.seconds_per_iter - e.step.data_stall_s) -
                               std::log(gpu_target_s)};
  };
  ls.start = ls.prior = ls.prior_weight = {0.0};
  ls.lower = {-kMaxLogScale};
  ls.upper = {kMaxLogScale};
  ls.max_iterations = kMaxIterations;
  c.compute_scale = std::exp(solve_least_squares(ls)[0]);
  // The loader's time is linear in the data scale: a significant wait means the loader took
  // the whole step; none means it took at most the GPU's time.
  const Estimate e = estimate(catalog, s, c);
  const double gpu_s = e.seconds_per_iter - e.step.data_stall_s;
  if (data_wait_s > kSignificantWaitShare * measured_s)
    c.data_scale = measured_s / e.step.loader_s;
  else if (e.step.loader_s > gpu_s)
    c.data_scale = gpu_s / e.step.loader_s;
  fit.calibration = c;
  add_residuals(catalog, {s}, {measured_s}, fit);
  return fit;
}

}  // namespace

const char* to_string(FitKind kind) {
  switch (kind) {
    case FitKind::kCompute: return "compute scale (model efficiency)";
    case FitKind::kData: return "data scale (input-bound record)";
    case FitKind::kUniform: return "one scale on every term";
    case FitKind::kComputeAndData: return "compute and data scales (record with its data wait)";
    case FitKind::kFull: return "compute, communication, data and overhead scales";
  }
  return "";
}

CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<MeasurementRecord>& records,
                               const Scenario& base) {
  if (records.size() == 1 && records[0].data_seconds_per_iter &&
      *records[0].data_seconds_per_iter < records[0].seconds_per_iter)
    return fit_with_data_time(catalog, scenario_for(records[0], base), records[0].seconds_per_iter,
                              *records[0].data_seconds_per_iter);
  std::vector<Scenario> scenarios;
  std::vector<double> measured;
  for (const auto& record : records) {
    scenarios.push_back(scenario_for(record, base));
    measured.push_back(record.seconds_per_iter);
  }
  return fit_calibration(catalog, scenarios, measured);
}

CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<Scenario>& scenarios,
                               const std::vector<double>& measured) {
  CalibrationFit fit;
  if (scenarios.size() > 1) {
    Eigen::VectorXd ridge = Eigen::VectorXd::Constant(kScales, kRidge);
    ridge[0] = 0;
    Problem p{catalog, scenarios, measured, design(FitKind::kFull), ridge};
    fit.kind = FitKind::kFull;
    fit.calibration = from_log(p.design * solve(p));
  } else {
    // One record: the first kind that reproduces it, in the order of how much each changes.
    for (FitKind kind : {FitKind::kCompute, FitKind::kData, FitKind::kUniform}) {
      Problem p{catalog, scenarios, measured, design(kind), Eigen::VectorXd::Zero(1)};
      Eigen::VectorXd theta = solve(p);
      fit.kind = kind;
      fit.calibration = from_log(p.design * theta);
      if (std::fabs(p.residuals(theta)[0]) < kExactLogError) break;
    }
  }
  add_residuals(catalog, scenarios, measured, fit);
  return fit;
}

}  // namespace trainplan::costmodel
