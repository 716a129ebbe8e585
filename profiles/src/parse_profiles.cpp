#include "parse_profiles.hpp"

#include <cmath>

namespace trainplan::profiles::detail {

GpuProfile parse_gpu(JsonObjectReader in) {
  GpuProfile g;
  g.id = in.string("id");
  g.name = in.string("name");
  g.architecture = in.string("architecture");
  g.tensor_tflops = in.number("tensor_tflops");
  g.fp32_tflops = in.number("fp32_tflops");
  g.memory_gb = in.number("memory_gb");
  g.memory_bandwidth_gbps = in.number("memory_bandwidth_gbps");
  g.intra_link = in.string("intra_link");
  g.intra_link_bandwidth_gbps = in.number("intra_link_bandwidth_gbps");
  g.price_per_gpu_hour_usd = in.number("price_per_gpu_hour_usd", /*positive=*/false);
  g.host_cpu_cores_per_gpu = in.number("host_cpu_cores_per_gpu");
  g.default_network = in.string("default_network");
  g.source = in.string("source");
  g.price_source = in.string("price_source");
  in.reject_unknown_keys();
  return g;
}

InterconnectProfile parse_interconnect(JsonObjectReader in) {
  InterconnectProfile c;
  c.id = in.string("id");
  c.name = in.string("name");
  c.kind = in.one_of("kind", {"nvlink", "pcie", "infiniband", "ethernet", "loopback"});
  c.bandwidth_gbps = in.number("bandwidth_gbps");
  c.latency_us = in.number("latency_us");
  c.source = in.string("source");
  in.reject_unknown_keys();
  return c;
}

ArchitectureProfile parse_architecture(JsonObjectReader in) {
  ArchitectureProfile a;
  a.id = in.string("id");
  a.achievable_tensor_fraction = in.number("achievable_tensor_fraction");
  a.achievable_fp32_fraction = in.number("achievable_fp32_fraction");
  a.step_overhead_scale = in.number_or("step_overhead_scale", 1.0);
  a.source = in.string("source");
  a.fit = in.string_or("fit", "");
  if (a.achievable_tensor_fraction > 1) in.fail("achievable_tensor_fraction", "must be <= 1");
  if (a.achievable_fp32_fraction > 1) in.fail("achievable_fp32_fraction", "must be <= 1");
  in.reject_unknown_keys();
  return a;
}

ModelProfile parse_model(JsonObjectReader in) {
  ModelProfile m;
  m.id = in.string("id");
  m.name = in.string_or("name", m.id);
  m.family = in.string_or("family", "custom");
  m.params_m = in.number("params_m");
  m.gflops = in.number("gflops");
  if (!in.has("gflops_resolution")) in.fail("gflops_resolution", "missing required field");
  m.gflops_resolution = resolution_from_json(in.raw("gflops_resolution"),
                                             in.origin() + ": " + in.path_of("gflops_resolution"));
  if (auto text = in.optional_object("text_encoder")) {
    TextEncoderProfile t;
    t.name = text->string_or("name", "text encoder");
    t.params_m = text->number("params_m");
    t.gflops_per_text = text->number("gflops_per_text");
    t.frozen = text->boolean_or("frozen", true);
    text->reject_unknown_keys();
    m.text_encoder = t;
  }
  // 0 = not given: the cost model takes the default scaled by the detector kind's fit.
  m.activation_mb = in.number_or("activation_mb", 0.0, /*positive=*/false);
  m.efficiency = in.number_or("efficiency", 1.0);
  m.framework = in.string_or("framework", "mmyolo");
  m.detector_kind = in.string_or("detector_kind", "one-stage");
  m.backbone = in.string_or("backbone", "dense-conv");
  m.source = in.string_or("source", "user profile");
  // DESIGN 3.2: a model object may carry more fields than these; they are kept by the user's
  // tools and ignored here, so no unknown-key check for models.
  return m;
}

FrameworkProfile parse_framework(JsonObjectReader in) {
  FrameworkProfile f;
  f.id = in.string("id");
  f.name = in.string_or("name", f.id);
  f.loader_ms_per_sample = in.number("loader_ms_per_sample");
  f.loader_workers_per_gpu = in.number("loader_workers_per_gpu");
  f.step_overhead_ms = in.number("step_overhead_ms", /*positive=*/false);
  f.compute_efficiency = in.number_or("compute_efficiency", 1.0);
  f.startup_s = in.number_or("startup_s", 120.0, /*positive=*/false);
  f.eval_fixed_s = in.number_or("eval_fixed_s", 30.0, /*positive=*/false);
  f.checkpoint_fixed_s = in.number_or("checkpoint_fixed_s", -1.0, /*positive=*/false);
  f.source = in.string("source");
  f.fit = in.string_or("fit", "");
  in.reject_unknown_keys();
  return f;
}

DetectorKindProfile parse_detector_kind(JsonObjectReader in) {
  DetectorKindProfile k;
  k.id = in.string("id");
  k.compute_efficiency = in.number("compute_efficiency");
  k.step_overhead_ms = in.number("step_overhead_ms", /*positive=*/false);
  k.activation_scale = in.number_or("activation_scale", 1.0);
  k.source = in.string("source");
  k.fit = in.string_or("fit", "");
  in.reject_unknown_keys();
  return k;
}

BackboneProfile parse_backbone(JsonObjectReader in) {
  BackboneProfile b;
  b.id = in.string("id");
  b.compute_efficiency = in.number("compute_efficiency");
  b.source = in.string("source");
  b.fit = in.string_or("fit", "");
  in.reject_unknown_keys();
  return b;
}

UncertaintyProfile parse_uncertainty(JsonObjectReader in) {
  UncertaintyProfile u;
  u.id = in.string("id");
  u.log_error_p10 = in.signed_number("log_error_p10");
  u.log_error_p90 = in.signed_number("log_error_p90");
  u.calibrated_log_error_p10 = in.signed_number("calibrated_log_error_p10");
  u.calibrated_log_error_p90 = in.signed_number("calibrated_log_error_p90");
  u.rows = in.number("rows");
  u.fit = in.string("fit");
  if (u.log_error_p10 > u.log_error_p90) in.fail("log_error_p10", "must be <= log_error_p90");
  if (u.calibrated_log_error_p10 > u.calibrated_log_error_p90)
    in.fail("calibrated_log_error_p10", "must be <= calibrated_log_error_p90");
  in.reject_unknown_keys();
  return u;
}

DatasetProfile parse_dataset(JsonObjectReader in) {
  DatasetProfile d;
  d.id = in.string("id");
  d.name = in.string_or("name", d.id);
  d.images = in.number("images");
  d.classes = in.number_or("classes", 0, /*positive=*/false);
  d.objects_per_image = in.number_or("objects_per_image", 7.0, /*positive=*/false);
  d.mean_width_px = in.number_or("mean_width_px", 640);
  d.mean_height_px = in.number_or("mean_height_px", 480);
  d.texts_per_image = in.number_or("texts_per_image", 0, /*positive=*/false);
  d.split = in.string_or("split", "train");
  d.source = in.string_or("source", "user profile");
  in.reject_unknown_keys();
  return d;
}

QualityRecord parse_quality(JsonObjectReader in) {
  QualityRecord q;
  q.model = in.string("model");
  q.strategy = in.one_of("strategy", {"zero-shot", "finetune", "prompt-tune", "scratch",
                                      "highres-finetune"});
  q.eval_dataset = in.string("eval_dataset");
  q.resolution = in.number("resolution");
  q.metric = in.string_or("metric", "AP");
  q.value = in.number("value");
  q.train_data = in.string_or("train_data", "");
  q.epochs = in.number_or("epochs", 0, /*positive=*/false);
  q.source = in.string("source");
  in.reject_unknown_keys();
  return q;
}

}  // namespace trainplan::profiles::detail
