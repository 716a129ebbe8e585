#include "data_loading.hpp"

#include <algorithm>

namespace trainplan::costmodel::detail {

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
