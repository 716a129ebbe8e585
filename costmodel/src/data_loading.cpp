#include "data_loading.hpp"

#include <algorithm>

namespace trainplan::costmodel::detail {

namespace {

// The framework's loader cost is quoted for a mosaic of four 640x480 COCO images written at
// 640x640. About 60% of it is decoding (scales with decoded pixels), the rest augmentation
// and collation (scales with output pixels): libjpeg-turbo decodes ~80 Mpx/s per core, i.e.
// ~15 ms of a ~25 ms Ultralytics mosaic sample.
constexpr double kDecodeShare = 0.6;
constexpr double kReferenceSourcePixels = 640.0 * 480.0;
constexpr double kReferenceOutputPixels = 640.0 * 640.0;
constexpr double kMosaicImages = 4.0;
// Servers are priced and described per GPU, but one GPU used alone in an 8-GPU server (or a
// workstation) gets more cores: the framework's worker count is then the limit.
constexpr double kGpusPerServer = 8.0;

}  // namespace

double loader_cores_per_gpu(const Resolved& r, const Scenario& s) {
  if (s.cpu_cores_per_gpu > 0) return s.cpu_cores_per_gpu;
  const double gpus_per_node = double(s.gpus) / s.nodes;
  const double host_cores = r.gpu.host_cpu_cores_per_gpu * kGpusPerServer;
  return std::max(1.0, std::min(r.framework.loader_workers_per_gpu, host_cores / gpus_per_node));
}

double loader_seconds_per_sample(const Resolved& r, const Scenario& s) {
  const double images_per_sample = s.mosaic ? kMosaicImages : 1.0;
  const double decode = kDecodeShare * (images_per_sample * s.source_image_pixels) /
                        (kMosaicImages * kReferenceSourcePixels);
  const double augment = (1.0 - kDecodeShare) * s.resolution.pixels() / kReferenceOutputPixels;
  return r.framework.loader_ms_per_sample * 1e-3 * (decode + augment);
}

}  // namespace trainplan::costmodel::detail
