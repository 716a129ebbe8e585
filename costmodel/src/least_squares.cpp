#include "trainplan/costmodel/least_squares.hpp"

#include <Eigen/Dense>
#include <algorithm>

namespace trainplan::costmodel {

namespace {

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}

std::vector<double> to_std(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

std::vector<double> solve_least_squares(const LeastSquaresProblem& p) {
  const Eigen::Index n = Eigen::Index(p.start.size());
  const Eigen::VectorXd prior = to_eigen(p.prior), weight = to_eigen(p.prior_weight);
  const Eigen::VectorXd lower = to_eigen(p.lower), upper = to_eigen(p.upper);
  auto residuals = [&](const Eigen::VectorXd& theta) { return to_eigen(p.residuals(to_std(theta))); };
  auto cost = [&](const Eigen::VectorXd& r, const Eigen::VectorXd& theta) {
    const Eigen::VectorXd d = theta - prior;
    return r.squaredNorm() + d.cwiseProduct(weight).dot(d);
  };

  Eigen::VectorXd theta = to_eigen(p.start).cwiseMax(lower).cwiseMin(upper);
  Eigen::VectorXd r = residuals(theta);
  double damping = 1e-3;
  // Parameters whose bounds coincide are fixed: their Jacobian columns are left at zero.
  for (int it = 0; it < p.max_iterations; ++it) {
    Eigen::MatrixXd jacobian = Eigen::MatrixXd::Zero(r.size(), n);
    for (Eigen::Index j = 0; j < n; ++j) {
      if (lower[j] >= upper[j]) continue;
      Eigen::VectorXd step = theta;
      step[j] += 1e-6;
      jacobian.col(j) = (residuals(step) - r) / 1e-6;
    }
    Eigen::MatrixXd normal = jacobian.transpose() * jacobian;
    normal.diagonal() += weight;
    normal.diagonal().array() += damping;
    Eigen::VectorXd gradient = jacobian.transpose() * r + weight.cwiseProduct(theta - prior);
    Eigen::VectorXd delta = normal.ldlt().solve(-gradient);
    Eigen::VectorXd next = (theta + delta).cwiseMax(lower).cwiseMin(upper);
    Eigen::VectorXd next_r = residuals(next);
    if (cost(next_r, next) < cost(r, theta)) {
      theta = next;
      r = next_r;
      damping = std::max(1e-9, damping / 10);
      if (delta.norm() < 1e-10) break;
    } else {
      damping *= 10;
      if (damping > 1e6) break;
    }
  }
  return to_std(theta);
}

}  // namespace trainplan::costmodel
