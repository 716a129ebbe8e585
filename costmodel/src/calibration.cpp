#include "trainplan/costmodel/calibration.hpp"

#include <Eigen/Dense>
#include <cmath>

namespace trainplan::costmodel {

namespace {

// Pull of each log-scale towards 0 (scale 1) when several are fitted.
constexpr double kRidge = 0.2;
constexpr double kMaxLogScale = 6.0;  // scales stay within e^-6 .. e^6
constexpr int kMaxIterations = 60;

Calibration from_log(const Eigen::VectorXd& theta, int n) {
  Calibration c;
  c.compute_scale = std::exp(theta[0]);
  if (n > 1) c.comm_scale = std::exp(theta[1]);
  if (n > 2) c.data_scale = std::exp(theta[2]);
  c.calibrated = true;
  return c;
}

// Log-space residuals of every record for the given log-scales.
Eigen::VectorXd residuals(const profiles::Catalog& catalog, const std::vector<Scenario>& scenarios,
                          const std::vector<double>& measured, const Eigen::VectorXd& theta) {
  Eigen::VectorXd r(scenarios.size());
  Calibration c = from_log(theta, int(theta.size()));
  for (size_t i = 0; i < scenarios.size(); ++i)
    r[i] = std::log(estimate(catalog, scenarios[i], c).seconds_per_iter) - std::log(measured[i]);
  return r;
}

// The ridge pulls the communication and data scales only: the compute scale is the model's
// efficiency, which every record measures.
Eigen::VectorXd ridge_weights(int n, double ridge) {
  Eigen::VectorXd w = Eigen::VectorXd::Constant(n, ridge);
  w[0] = 0;
  return w;
}

double cost(const Eigen::VectorXd& r, const Eigen::VectorXd& theta, const Eigen::VectorXd& w) {
  return r.squaredNorm() + theta.cwiseProduct(w).dot(theta);
}

}  // namespace

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
  const int n = scenarios.size() > 1 ? 3 : 1;
  fit.fitted_comm = fit.fitted_data = n > 1;
  const Eigen::VectorXd ridge = ridge_weights(n, kRidge);

  // Levenberg-Marquardt with a forward-difference Jacobian: the model is smooth in each
  // scale except where a max() switches term, and a handful of iterations converge.
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd r = residuals(catalog, scenarios, measured, theta);
  double damping = 1e-3;
  for (int it = 0; it < kMaxIterations; ++it) {
    Eigen::MatrixXd jacobian(r.size(), n);
    for (int j = 0; j < n; ++j) {
      Eigen::VectorXd step = theta;
      step[j] += 1e-6;
      jacobian.col(j) = (residuals(catalog, scenarios, measured, step) - r) / 1e-6;
    }
    Eigen::MatrixXd normal = jacobian.transpose() * jacobian;
    normal.diagonal() += ridge;
    normal.diagonal().array() += damping;
    Eigen::VectorXd gradient = jacobian.transpose() * r + ridge.cwiseProduct(theta);
    Eigen::VectorXd delta = normal.ldlt().solve(-gradient);
    Eigen::VectorXd next = (theta + delta).cwiseMax(-kMaxLogScale).cwiseMin(kMaxLogScale);
    Eigen::VectorXd next_r = residuals(catalog, scenarios, measured, next);
    if (cost(next_r, next, ridge) < cost(r, theta, ridge)) {
      theta = next;
      r = next_r;
      damping = std::max(1e-9, damping / 10);
      if (delta.norm() < 1e-10) break;
    } else {
      damping *= 10;
      if (damping > 1e6) break;
    }
  }

  fit.calibration = from_log(theta, n);
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
