#pragma once
// Memory term: what one GPU holds, and the largest micro-batch that fits
// (docs/costmodel.md, memory).
#include "trainplan/costmodel/estimate.hpp"
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// Memory for a micro-batch of `micro_batch` images on one GPU.
MemoryUse memory_use(const Resolved& r, const Scenario& s, int micro_batch);

/// The largest divisor of `per_gpu_batch` whose memory fits; 0 when one image does not fit.
int largest_fitting_micro_batch(const Resolved& r, const Scenario& s, int per_gpu_batch);

}  // namespace trainplan::costmodel::detail
