#pragma once
// The JSON files of profiles/data, compiled in by CMake (cmake/EmbedProfiles.cmake).
#include <string_view>
#include <vector>

namespace trainplan::profiles::detail {

/// One embedded data file.
struct EmbeddedFile {
  std::string_view name;
  std::string_view json;
};

/// The embedded files in load order (interconnects and architectures before GPUs).
const std::vector<EmbeddedFile>& embedded_profile_files();

}  // namespace trainplan::profiles::detail
