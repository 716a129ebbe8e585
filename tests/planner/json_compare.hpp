#pragma once
// Compares two JSON documents: same structure and strings, numbers within a relative
// tolerance (plans hold estimates whose last digits may differ between compilers).
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace trainplan::testing {

/// The JSON path of the first difference, or "" when equal.
inline std::string first_difference(const nlohmann::json& a, const nlohmann::json& b,
                                    const std::string& path = "$", double tolerance = 1e-9) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return std::fabs(x - y) <= tolerance * std::max({1.0, std::fabs(x), std::fabs(y)}) ? "" : path;
  }
  if (a.type() != b.type()) return path;
  if (a.is_object()) {
    if (a.size() != b.size()) return path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) return path + "." + it.key();
      auto d = first_difference(it.value(), b.at(it.key()), path + "." + it.key(), tolerance);
      if (!d.empty()) return d;
    }
    return "";
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return path;
    for (size_t i = 0; i < a.size(); ++i) {
      auto d = first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]", tolerance);
      if (!d.empty()) return d;
    }
    return "";
  }
  return a == b ? "" : path;
}

}  // namespace trainplan::testing
