#pragma once
// JSON -> typed profiles, one function per kind; each validates every field it reads.
#include <nlohmann/json.hpp>

#include "trainplan/json_reader.hpp"
#include "trainplan/profiles/types.hpp"

namespace trainplan::profiles::detail {

GpuProfile parse_gpu(JsonObjectReader in);
InterconnectProfile parse_interconnect(JsonObjectReader in);
ArchitectureProfile parse_architecture(JsonObjectReader in);
ModelProfile parse_model(JsonObjectReader in);
FrameworkProfile parse_framework(JsonObjectReader in);
DetectorKindProfile parse_detector_kind(JsonObjectReader in);
UncertaintyProfile parse_uncertainty(JsonObjectReader in);
BackboneProfile parse_backbone(JsonObjectReader in);
DatasetProfile parse_dataset(JsonObjectReader in);
RecipeProfile parse_recipe(JsonObjectReader in);
QualityRecord parse_quality(JsonObjectReader in);

}  // namespace trainplan::profiles::detail
