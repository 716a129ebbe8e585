#pragma once
// Memory term: what one GPU holds, and the largest micro-batch that fits
// (docs/costmodel.md, memory).
#include "trainplan/costmodel/estimate.hpp"
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// CUDA context, cuDNN/cuBLAS workspaces and the caching allocator's floor, GB.
constexpr double kReservedGb = 1.0;
/// Allocator fragmentation on top of the activations (PyTorch's caching allocator typically
/// reserves 5-15% more than it hands out).
constexpr double kFragmentation = 1.1;
/// Only this share of the card is planned for: headroom for spikes in loss assignment.
constexpr double kUsableShare = 0.95;

/// Memory for a micro-batch of `micro_batch` images on one GPU.
MemoryUse memory_use(const Resolved& r, const Scenario& s, int micro_batch);

/// The largest divisor of `per_gpu_batch` whose memory fits; 0 when one image does not fit.
int largest_fitting_micro_batch(const Resolved& r, const Scenario& s, int per_gpu_batch);

}  // namespace trainplan::costmodel::detail
