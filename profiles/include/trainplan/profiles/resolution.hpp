#pragma once
// Input resolutions: "640" (square) or "1333x800" (width x height), as DESIGN 3.2 allows.
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace trainplan::profiles {

/// A training input size in pixels.
struct Resolution {
  double width_px = 640;
  double height_px = 640;

  double pixels() const { return width_px * height_px; }
  /// "640" for squares, "1333x800" otherwise.
  std::string to_string() const;
  bool operator==(const Resolution& o) const {
    return width_px == o.width_px && height_px == o.height_px;
  }
};

/// Parses "640", "640x640" or "1333x800"; throws InputError naming `what` (a flag or JSON
/// path) with the accepted forms when the text is malformed or not positive.
Resolution parse_resolution(const std::string& text, const std::string& what);

/// Accepts a JSON number (square side) or a string as above.
Resolution resolution_from_json(const nlohmann::json& value, const std::string& what);

}  // namespace trainplan::profiles
