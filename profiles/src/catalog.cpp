#include "trainplan/profiles/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "embedded_profiles.hpp"
#include "parse_profiles.hpp"
#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::profiles {

namespace {

constexpr const char* kAcceptedKeys =
    "gpus, interconnects, architectures, frameworks, detector_kinds, backbones, uncertainty, models, "
    "datasets, recipes, quality";

// Adds `profile`, or replaces the entry with its id.
template <typename Profile>
void put_by_id(std::vector<Profile>& into, const Profile& profile) {
  auto old = std::find_if(into.begin(), into.end(),
                          [&](const Profile& q) { return q.id == profile.id; });
  if (old != into.end())
    *old = profile;
  else
    into.push_back(profile);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      size_t cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Adds or replaces the entries of one list, keyed by id.
template <typename Profile, typename Parse>
void merge_list(std::vector<Profile>& into, const nlohmann::json& document, const char* key,
                const std::string& origin, Parse parse) {
  if (!document.contains(key)) return;
  const auto& list = document.at(key);
  std::string path = fmt::format("$.{}", key);
  if (!list.is_array())
    throw InputError(fmt::format("{}: {}: expected a JSON array of profiles", origin, path));
  std::vector<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    Profile p = parse(JsonObjectReader(list[i], origin, fmt::format("{}[{}]", path, i)));
    if (std::find(seen.begin(), seen.end(), p.id) != seen.end())
      throw InputError(fmt::format("{}: {}[{}].id: duplicate id \"{}\"", origin, path, i, p.id));
    seen.push_back(p.id);
    put_by_id(into, p);
  }
}

template <typename Profile>
const Profile& find_by_id(const std::vector<Profile>& list, const std::string& id,
                          const char* kind, const char* list_name) {
  for (const auto& p : list)
    if (p.id == id) return p;
  std::vector<std::string> known;
  for (const auto& p : list) known.push_back(p.id);
  auto near = closest_ids(id, known);
  std::string hint;
  for (const auto& n : near) hint += hint.empty() ? n : ", " + n;
  throw InputError(fmt::format(
      "unknown {} id \"{}\"; closest known ids: {} (all: trainplan profiles list {})", kind, id,
      hint, list_name));
}

}  // namespace

double default_activation_mb(double gflops) {
  // Saved activations grow with a detector's FLOPs, less than in proportion (bigger models
  // are deeper more than wider); the scale is each detector kind's fitted activation_scale.
  return 40.0 * std::pow(gflops, 0.55);
}

std::vector<std::string> closest_ids(const std::string& wanted,
                                     const std::vector<std::string>& known, size_t count) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& k : known) {
    size_t d = edit_distance(wanted, k);
    // A known id that contains the text (e.g. "v100" in "v100-sxm2-32gb") is a strong hint.
    if (!wanted.empty() && k.find(wanted) != std::string::npos) d = std::min<size_t>(d, 1);
    scored.emplace_back(d, k);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
  return out;
}

Catalog Catalog::embedded() {
  Catalog catalog;
  for (const auto& file : detail::embedded_profile_files()) {
    std::string origin = fmt::format("embedded profiles/data/{}", file.name);
    catalog.merge(parse_json_text(std::string(file.json), origin), origin);
  }
  return catalog;
}

void Catalog::merge(const nlohmann::json& document, const std::string& origin) {
  if (!document.is_object())
    throw InputError(fmt::format("{}: $: expected a JSON object with any of the keys {}",
                                 origin, kAcceptedKeys));
  static const char* kKeys[] = {"gpus",     "interconnects", "architectures", "frameworks",
                                "detector_kinds", "backbones", "uncertainty", "models", "datasets",
                                "recipes",  "quality"};
  for (const auto& item : document.items()) {
    if (std::find_if(std::begin(kKeys), std::end(kKeys),
                     [&](const char* k) { return item.key() == k; }) == std::end(kKeys))
      throw InputError(
          fmt::format("{}: $.{}: unknown key; accepted: {}", origin, item.key(), kAcceptedKeys));
  }
  merge_list(gpus_, document, "gpus", origin, detail::parse_gpu);
  merge_list(interconnects_, document, "interconnects", origin, detail::parse_interconnect);
  merge_list(architectures_, document, "architectures", origin, detail::parse_architecture);
  merge_list(frameworks_, document, "frameworks", origin, detail::parse_framework);
  merge_list(detector_kinds_, document, "detector_kinds", origin, detail::parse_detector_kind);
  merge_list(uncertainties_, document, "uncertainty", origin, detail::parse_uncertainty);
  merge_list(backbones_, document, "backbones", origin, detail::parse_backbone);
  merge_list(models_, document, "models", origin, detail::parse_model);
  merge_list(datasets_, document, "datasets", origin, detail::parse_dataset);
  merge_list(recipes_, document, "recipes", origin, detail::parse_recipe);
  // Quality records have no id: a user's records are added before the embedded ones, so that
  // theirs are preferred.
  if (document.contains("quality")) {
    const auto& list = document.at("quality");
    if (!list.is_array())
      throw InputError(fmt::format("{}: $.quality: expected a JSON array of records", origin));
    std::vector<QualityRecord> added;
    for (size_t i = 0; i < list.size(); ++i)
      added.push_back(detail::parse_quality(
          JsonObjectReader(list[i], origin, fmt::format("$.quality[{}]", i))));
    quality_.insert(quality_.begin(), added.begin(), added.end());
  }
  check_references(origin);
}

void Catalog::merge_file(const std::string& path) { merge(parse_json_file(path), path); }

void Catalog::check_references(const std::string& origin) const {
  // Embedded files load one at a time; references are complete only once all are in.
  if (interconnects_.empty() || architectures_.empty() || frameworks_.empty() ||
      datasets_.empty() || detector_kinds_.empty() || backbones_.empty())
    return;
  auto check = [&](auto lookup, const std::string& where) {
    try {
      lookup();
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}: {}", origin, where, e.what()));
    }
  };
  for (const auto& g : gpus_) {
    check([&] { interconnect(g.intra_link); }, fmt::format("gpu \"{}\" intra_link", g.id));
    check([&] { interconnect(g.default_network); }, fmt::format("gpu \"{}\" default_network", g.id));
    check([&] { architecture(g.architecture); }, fmt::format("gpu \"{}\" architecture", g.id));
  }
  for (const auto& m : models_) {
    check([&] { framework(m.framework); }, fmt::format("model \"{}\" framework", m.id));
    check([&] { detector_kind(m.detector_kind); },
          fmt::format("model \"{}\" detector_kind", m.id));
    check([&] { backbone(m.backbone); }, fmt::format("model \"{}\" backbone", m.id));
  }
  for (const auto& q : quality_) {
    check([&] { model(q.model); }, fmt::format("quality record for \"{}\" model", q.model));
    check([&] { dataset(q.eval_dataset); },
          fmt::format("quality record for \"{}\" eval_dataset", q.model));
  }
  for (const auto& r : recipes_) {
    check([&] { dataset(r.dataset); }, fmt::format("recipe \"{}\" dataset", r.id));
    if (!r.eval_dataset.empty())
      check([&] { dataset(r.eval_dataset); }, fmt::format("recipe \"{}\" eval_dataset", r.id));
    // A misspelt name would silently leave the recipe unused.
    for (const auto& name : r.models) {
      if (models_.empty()) break;  // models.json not loaded yet
      std::vector<std::string> families;
      bool known = false;
      for (const auto& m : models_) {
        known = known || m.id == name || m.family == name;
        if (std::find(families.begin(), families.end(), m.family) == families.end())
          families.push_back(m.family);
      }
      if (known) continue;
      std::string hint;
      for (const auto& f : closest_ids(name, families)) hint += hint.empty() ? f : ", " + f;
      throw InputError(fmt::format(
          "{}: recipe \"{}\" models: \"{}\" is neither a model id nor a model family; closest "
          "families: {} (all: trainplan profiles list models)",
          origin, r.id, name, hint));
    }
  }
}

const GpuProfile& Catalog::gpu(const std::string& id) const {
  return find_by_id(gpus_, id, "GPU", "gpus");
}
const InterconnectProfile& Catalog::interconnect(const std::string& id) const {
  return find_by_id(interconnects_, id, "interconnect", "interconnects");
}
const ArchitectureProfile& Catalog::architecture(const std::string& id) const {
  return find_by_id(architectures_, id, "architecture", "architectures");
}
const ModelProfile& Catalog::model(const std::string& id) const {
  return find_by_id(models_, id, "model", "models");
}
const FrameworkProfile& Catalog::framework(const std::string& id) const {
  return find_by_id(frameworks_, id, "framework", "frameworks");
}
const DatasetProfile& Catalog::dataset(const std::string& id) const {
  return find_by_id(datasets_, id, "dataset", "datasets");
}
const RecipeProfile& Catalog::recipe(const std::string& id) const {
  return find_by_id(recipes_, id, "recipe", "recipes");
}

const DetectorKindProfile& Catalog::detector_kind(const std::string& id) const {
  return find_by_id(detector_kinds_, id, "detector kind", "detector_kinds");
}

const UncertaintyProfile* Catalog::uncertainty(const std::string& detector_kind) const {
  const UncertaintyProfile* all = nullptr;
  for (const auto& u : uncertainties_) {
    if (u.id == detector_kind) return &u;
    if (u.id == "all") all = &u;
  }
  return all;
}

void Catalog::put(const ArchitectureProfile& profile) { put_by_id(architectures_, profile); }
void Catalog::put(const FrameworkProfile& profile) { put_by_id(frameworks_, profile); }
void Catalog::put(const DetectorKindProfile& profile) { put_by_id(detector_kinds_, profile); }
void Catalog::put(const BackboneProfile& profile) { put_by_id(backbones_, profile); }

const BackboneProfile& Catalog::backbone(const std::string& id) const {
  return find_by_id(backbones_, id, "backbone", "backbones");
}

}  // namespace trainplan::profiles
