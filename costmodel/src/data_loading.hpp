#pragma once
// Data term: CPU time of the input pipeline for one step (docs/costmodel.md, data loading).
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// Loader worker cores feeding one GPU.
double loader_cores_per_gpu(const Resolved& r, const Scenario& s);

/// Core-seconds to produce one augmented training sample, before calibration.
double loader_seconds_per_sample(const Resolved& r, const Scenario& s);

}  // namespace trainplan::costmodel::detail
