#pragma once
// Data term: CPU time of the input pipeline for one step (docs/costmodel.md, data loading).
#include "resolved.hpp"

namespace trainplan::costmodel::detail {

/// The codebase's loader cost is quoted for a mosaic of four 640x480 COCO images written at
/// 640x640. About 60% of it is decoding (scales with decoded pixels), the rest augmentation
/// and collation (scales with output pixels): libjpeg-turbo decodes ~80 Mpx/s per core, i.e.
/// ~15 ms of a ~25 ms Ultralytics mosaic sample.
constexpr double kDecodeShare = 0.6;
constexpr double kReferenceSourcePixels = 640.0 * 480.0;
constexpr double kReferenceOutputPixels = 640.0 * 640.0;
constexpr double kMosaicImages = 4.0;
/// Servers are priced and described per GPU, but one GPU used alone in an 8-GPU server (or a
/// workstation) gets more cores: the codebase's worker count is then the limit.
constexpr double kGpusPerServer = 8.0;

/// Loader worker cores feeding one GPU.
double loader_cores_per_gpu(const Resolved& r, const Scenario& s);

/// Core-seconds to produce one augmented training sample, before calibration.
double loader_seconds_per_sample(const Resolved& r, const Scenario& s);

}  // namespace trainplan::costmodel::detail
