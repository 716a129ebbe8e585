#pragma once
// Regularised non-linear least squares (Levenberg-Marquardt), shared by calibration and by
// bench/fit (docs/costmodel.md, calibration and fitting).
#include <functional>
#include <vector>

namespace trainplan::costmodel {

/// Minimise |r(theta)|^2 + sum_j prior_weight_j (theta_j - prior_j)^2 over
/// lower <= theta <= upper, starting from `start`.
struct LeastSquaresProblem {
  std::function<std::vector<double>(const std::vector<double>&)> residuals;
  std::vector<double> start;
  std::vector<double> prior;         ///< where each parameter is pulled (its prior mean)
  std::vector<double> prior_weight;  ///< 0 = free; 1 / sd^2 for a Gaussian prior
  std::vector<double> lower;
  std::vector<double> upper;
  int max_iterations = 60;
};

/// The minimiser's parameters. Forward-difference Jacobian (step 1e-6); a step is kept only
/// when the cost falls, the damping shrinking tenfold on success and growing tenfold on
/// failure (stop above 1e6 or when a kept step is shorter than 1e-10).
std::vector<double> solve_least_squares(const LeastSquaresProblem& problem);

}  // namespace trainplan::costmodel
