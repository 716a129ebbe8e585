#pragma once
// Order statistics for error reports.
#include <algorithm>
#include <cmath>
#include <vector>

namespace trainplan::bench {

/// The q-quantile (0..1) of `values`, interpolated linearly between order statistics; NaN
/// for none.
inline double quantile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double position = q * double(values.size() - 1);
  const size_t below = size_t(std::floor(position));
  const size_t above = std::min(values.size() - 1, below + 1);
  return values[below] + (position - double(below)) * (values[above] - values[below]);
}

}  // namespace trainplan::bench
