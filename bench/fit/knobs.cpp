#include "knobs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fitting.hpp"
#include "trainplan/error.hpp"

namespace trainplan::bench {

namespace {

constexpr size_t kNoRow = size_t(-1);

// Pointers to the fitted fields of each profile type.
double* field_of(profiles::ArchitectureProfile& a, const std::string& field) {
  if (field == "achievable_tensor_fraction") return &a.achievable_tensor_fraction;
  if (field == "achievable_fp32_fraction") return &a.achievable_fp32_fraction;
  return nullptr;
}
double* field_of(profiles::FrameworkProfile& f, const std::string& field) {
  if (field == "compute_efficiency") return &f.compute_efficiency;
  if (field == "loader_ms_per_sample") return &f.loader_ms_per_sample;
  if (field == "step_overhead_ms") return &f.step_overhead_ms;
  if (field == "startup_s") return &f.startup_s;
  if (field == "eval_fixed_s") return &f.eval_fixed_s;
  return nullptr;
}
double* field_of(profiles::BackboneProfile& b, const std::string& field) {
  return field == "compute_efficiency" ? &b.compute_efficiency : nullptr;
}
double* field_of(profiles::DetectorKindProfile& k, const std::string& field) {
  if (field == "compute_efficiency") return &k.compute_efficiency;
  if (field == "step_overhead_ms") return &k.step_overhead_ms;
  if (field == "activation_scale") return &k.activation_scale;
  return nullptr;
}

// Reads and changes one field of a copy of the entry, then puts the copy back.
// `into` is null for a read.
template <typename Profile>
double access(profiles::Catalog* into, const Profile& entry, const Knob& knob,
              const double* value) {
  Profile copy = entry;
  double* field = field_of(copy, knob.field);
  if (!field) throw InputError(fmt::format("bench/fit: {}: not a fitted field", knob.name()));
  if (into) {
    *field = *value;
    into->put(copy);
  }
  return *field;
}

double access(const profiles::Catalog& catalog, profiles::Catalog* into, const Knob& knob,
              const double* value) {
  if (knob.list == "architectures")
    return access(into, catalog.architecture(knob.id), knob, value);
  if (knob.list == "frameworks") return access(into, catalog.framework(knob.id), knob, value);
  if (knob.list == "detector_kinds")
    return access(into, catalog.detector_kind(knob.id), knob, value);
  if (knob.list == "backbones") return access(into, catalog.backbone(knob.id), knob, value);
  throw InputError(fmt::format("bench/fit: {}: unknown profile list", knob.name()));
}

// [mean, sd] of priors.json at `where`; the default codebase's when the codebase has none.
std::pair<double, double> prior_of(const nlohmann::json& priors, const std::string& list,
                                   const std::string& id, const std::string& field,
                                   const std::string& path) {
  const auto& group = priors.at(list);
  for (const std::string& key : {id, std::string("default")}) {
    if (group.contains(key) && group.at(key).contains(field)) {
      const auto& pair = group.at(key).at(field);
      return {pair.at(0).get<double>(), pair.at(1).get<double>()};
    }
  }
  throw InputError(fmt::format("{}: $.{}.{}.{}: no prior (and no default)", path, list, id, field));
}

std::string why_of(const nlohmann::json& priors, const std::string& list, const std::string& id) {
  const auto& group = priors.at(list);
  const std::string key = group.contains(id) ? id : "default";
  return group.contains(key) ? group.at(key).value("why", "") : "";
}

}  // namespace

std::vector<Knob> knobs_for(const profiles::Catalog& catalog,
                            const std::vector<ReferenceRun>& runs,
                            const std::string& priors_path) {
  std::ifstream in(priors_path);
  if (!in) throw InputError(fmt::format("{}: cannot open file", priors_path));
  const nlohmann::json priors = nlohmann::json::parse(in);

  std::vector<Knob> knobs;
  auto add = [&](const std::string& list, const std::string& id, const std::string& field,
                 size_t row) {
    auto found = std::find_if(knobs.begin(), knobs.end(), [&](const Knob& k) {
      return k.list == list && k.id == id && k.field == field;
    });
    if (found == knobs.end()) {
      Knob k;
      k.list = list;
      k.id = id;
      k.field = field;
      std::tie(k.prior, k.prior_sd_log) = prior_of(priors, list, id, field, priors_path);
      k.why = why_of(priors, list, id);
      // Fractions of a peak stay below it; everything else within e^+-4 of its prior.
      k.lower = k.prior * std::exp(-kKnobRangeLog);
      k.upper = field.find("fraction") != std::string::npos ? 0.95
                                                            : k.prior * std::exp(kKnobRangeLog);
      knobs.push_back(k);
      found = knobs.end() - 1;
    }
    if (row != kNoRow) found->rows.push_back(row);
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& s = runs[i].scenario;
    const auto& model = catalog.model(s.model_id);
    const auto& arch = catalog.gpu(s.gpu_id).architecture;
    add("architectures", arch,
        s.amp ? "achievable_tensor_fraction" : "achievable_fp32_fraction", i);
    for (const char* field : {"compute_efficiency", "loader_ms_per_sample", "step_overhead_ms"})
      add("frameworks", s.framework_id, field, i);
    if (runs[i].measured_total_hours && s.include_startup)
      add("frameworks", s.framework_id, "startup_s", i);
    if (runs[i].measured_total_hours && s.eval_images > 0)
      add("frameworks", s.framework_id, "eval_fixed_s", i);
    // One-stage detectors are the reference kind: their efficiency is 1 by definition.
    if (model.detector_kind != "one-stage")
      for (const char* field : {"compute_efficiency", "step_overhead_ms"})
        add("detector_kinds", model.detector_kind, field, i);
    // Saved activations, for models that leave them to the default (all reference models).
    if (runs[i].measured_memory_gb && model.activation_mb == 0)
      add("detector_kinds", model.detector_kind, "activation_scale", i);
    // Dense convolutions are the reference backbone, as one-stage detectors are the kind.
    if (model.backbone != "dense-conv") add("backbones", model.backbone, "compute_efficiency", i);
  }
  // Entries no row depends on are written too, at their prior: nothing in the profiles is
  // left at a value set by hand. (The cpu architecture is the executor's, fitted to its own
  // measurements: docs/executor-model.md.)
  for (const auto& a : catalog.architectures())
    if (a.id != "cpu")
      for (const char* field : {"achievable_tensor_fraction", "achievable_fp32_fraction"})
        add("architectures", a.id, field, kNoRow);
  for (const auto& f : catalog.frameworks())
    for (const char* field : {"compute_efficiency", "loader_ms_per_sample", "step_overhead_ms",
                              "startup_s", "eval_fixed_s"})
      add("frameworks", f.id, field, kNoRow);
  for (const auto& k : catalog.detector_kinds()) {
    if (k.id != "one-stage")
      for (const char* field : {"compute_efficiency", "step_overhead_ms"})
        add("detector_kinds", k.id, field, kNoRow);
    add("detector_kinds", k.id, "activation_scale", kNoRow);
  }
  for (const auto& b : catalog.backbones())
    if (b.id != "dense-conv") add("backbones", b.id, "compute_efficiency", kNoRow);
  return knobs;
}

double knob_value(const profiles::Catalog& catalog, const Knob& knob) {
  return access(catalog, nullptr, knob, nullptr);
}

void set_knob(profiles::Catalog& catalog, const Knob& knob, double value) {
  access(catalog, &catalog, knob, &value);
}

}  // namespace trainplan::bench
