#include "trainplan/costmodel/calibration.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "trainplan/costmodel/least_squares.hpp"

namespace trainplan::costmodel {

namespace {

// Log-scales in this order: compute, communication, data, overhead.
constexpr int kScales = 4;
// Pull of the communication, data and overhead log-scales towards 0 (scale 1) when several
// records are fitted; the compute scale is the model's efficiency, which every record sees.
constexpr double kRidge = 0.2;
constexpr double kMaxLogScale = 6.0;  // scales stay within e^-6 .. e^6
constexpr int kMaxIterations = 60;
// A one-record fit that ends further off than this tries the next kind.
constexpr double kExactLogError = 1e-3;

// Maps the fitted parameters to the four log-scales.
Eigen::MatrixXd design(FitKind kind) {
  switch (kind) {
    case FitKind::kCompute: return (Eigen::MatrixXd(kScales, 1) << 1, 0, 0, 0).finished();
    case FitKind::kData: return (Eigen::MatrixXd(kScales, 1) << 0, 0, 1, 0).finished();
    case FitKind::kUniform: return Eigen::MatrixXd::Ones(kScales, 1);
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

}  // namespace

const char* to_string(FitKind kind) {
  switch (kind) {
    case FitKind::kCompute: return "compute scale (model efficiency)";
    case FitKind::kData: return "data scale (input-bound record)";
    case FitKind::kUniform: return "one scale on every term";
    case FitKind::kFull: return "compute, communication, data and overhead scales";
  }
  return "";
}

CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<MeasurementRecord>& records,
                               const Scenario& base) {
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
  for (size_t i = 0; i < scenarios.size(); ++i) {
    Residual res;
    res.measured_s = measured[i];
    res.predicted_s = estimate(catalog, scenarios[i], fit.calibration).seconds_per_iter;
    res.uncalibrated_s = estimate(catalog, scenarios[i]).seconds_per_iter;
    res.relative_error = res.predicted_s / res.measured_s - 1.0;
    fit.residuals.push_back(res);
  }
  return fit;
}

}  // namespace trainplan::costmodel
