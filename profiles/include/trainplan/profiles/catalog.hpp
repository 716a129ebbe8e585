#pragma once
// The set of known profiles: the embedded ones, plus any the user adds with --profiles.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "trainplan/profiles/types.hpp"

namespace trainplan::profiles {

/// All profiles known to one run. Entries whose id is already known replace the old one.
class Catalog {
 public:
  /// The profiles compiled into the binary from profiles/data/*.json.
  static Catalog embedded();

  /// Adds or replaces entries from a JSON object with any of the keys `gpus`,
  /// `interconnects`, `architectures`, `frameworks`, `detector_kinds`, `backbones`, `uncertainty`, `models`,
  /// `quality`, `datasets`, `recipes`; `origin` names the
  /// source in messages. Checks references between entries afterwards.
  void merge(const nlohmann::json& document, const std::string& origin);
  /// Reads a `--profiles FILE` and merges it.
  void merge_file(const std::string& path);

  /// Look-ups by canonical id; an unknown id throws an InputError listing the closest ids.
  const GpuProfile& gpu(const std::string& id) const;
  const InterconnectProfile& interconnect(const std::string& id) const;
  const ArchitectureProfile& architecture(const std::string& id) const;
  const ModelProfile& model(const std::string& id) const;
  const FrameworkProfile& framework(const std::string& id) const;
  const DatasetProfile& dataset(const std::string& id) const;
  const RecipeProfile& recipe(const std::string& id) const;
  const DetectorKindProfile& detector_kind(const std::string& id) const;
  const BackboneProfile& backbone(const std::string& id) const;
  /// The error spread with this id (a detector kind, or "input-bound"), else the "all" entry;
  /// nullptr when neither exists.
  const UncertaintyProfile* uncertainty(const std::string& detector_kind) const;

  /// Adds or replaces one entry by id (bench/fit tries candidate constants this way).
  void put(const ArchitectureProfile& profile);
  void put(const FrameworkProfile& profile);
  void put(const DetectorKindProfile& profile);
  void put(const BackboneProfile& profile);

  const std::vector<GpuProfile>& gpus() const { return gpus_; }
  const std::vector<InterconnectProfile>& interconnects() const { return interconnects_; }
  const std::vector<ArchitectureProfile>& architectures() const { return architectures_; }
  const std::vector<ModelProfile>& models() const { return models_; }
  const std::vector<FrameworkProfile>& frameworks() const { return frameworks_; }
  const std::vector<DatasetProfile>& datasets() const { return datasets_; }
  const std::vector<RecipeProfile>& recipes() const { return recipes_; }
  const std::vector<DetectorKindProfile>& detector_kinds() const { return detector_kinds_; }
  const std::vector<UncertaintyProfile>& uncertainties() const { return uncertainties_; }
  const std::vector<BackboneProfile>& backbones() const { return backbones_; }
  /// Published accuracy results, in file order (earlier entries are preferred on ties).
  const std::vector<QualityRecord>& quality() const { return quality_; }

 private:
  void check_references(const std::string& origin) const;

  std::vector<GpuProfile> gpus_;
  std::vector<InterconnectProfile> interconnects_;
  std::vector<ArchitectureProfile> architectures_;
  std::vector<ModelProfile> models_;
  std::vector<FrameworkProfile> frameworks_;
  std::vector<DatasetProfile> datasets_;
  std::vector<RecipeProfile> recipes_;
  std::vector<DetectorKindProfile> detector_kinds_;
  std::vector<UncertaintyProfile> uncertainties_;
  std::vector<BackboneProfile> backbones_;
  std::vector<QualityRecord> quality_;
};

/// Default activation memory per image (MB at the model's gflops resolution, AMP) before the
/// detector kind's fitted `activation_scale`: 40 x gflops^0.55.
double default_activation_mb(double gflops);

/// The up to `count` ids closest to `wanted` by edit distance (for "did you mean" lists).
std::vector<std::string> closest_ids(const std::string& wanted,
                                     const std::vector<std::string>& known, size_t count = 3);

}  // namespace trainplan::profiles
