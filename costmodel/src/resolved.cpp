#include "resolved.hpp"

namespace trainplan::costmodel::detail {

Resolved Resolved::lookup(const profiles::Catalog& catalog, const Scenario& s) {
  const auto& model = catalog.model(s.model_id);
  const auto& gpu = catalog.gpu(s.gpu_id);
  return Resolved{
      model,
      gpu,
      catalog.architecture(gpu.architecture),
      catalog.framework(s.framework_id.empty() ? model.framework : s.framework_id),
      catalog.detector_kind(model.detector_kind),
      catalog.backbone(model.backbone),
      catalog.interconnect(gpu.intra_link),
      catalog.interconnect(s.network_id.empty() ? gpu.default_network : s.network_id),
  };
}

double activation_mb(const Resolved& r) {
  if (r.model.activation_mb > 0) return r.model.activation_mb;
  return r.kind.activation_scale * profiles::default_activation_mb(r.model.gflops);
}

double pixel_ratio(const Resolved& r, const Scenario& s) {
  return s.resolution.pixels() / r.model.gflops_resolution.pixels();
}

}  // namespace trainplan::costmodel::detail
