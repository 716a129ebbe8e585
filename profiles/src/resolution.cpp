#include "trainplan/profiles/resolution.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::profiles {

namespace {

constexpr double kMaxSidePx = 16384;

[[noreturn]] void bad_resolution(const std::string& what, const std::string& text) {
  throw InputError(fmt::format(
      "{}: invalid resolution \"{}\"; accepted: a positive side such as 640, or WIDTHxHEIGHT "
      "such as 1333x800 (at most {} px)",
      what, text, kMaxSidePx));
}

double parse_side(const std::string& part, const std::string& what, const std::string& text) {
  if (part.empty() || part.find_first_not_of("0123456789.") != std::string::npos)
    bad_resolution(what, text);
  char* end = nullptr;
  double v = std::strtod(part.c_str(), &end);
  if (end != part.c_str() + part.size() || !(v >= 1) || v > kMaxSidePx) bad_resolution(what, text);
  return v;
}

}  // namespace

std::string Resolution::to_string() const {
  if (width_px == height_px) return fmt::format("{:g}", width_px);
  return fmt::format("{:g}x{:g}", width_px, height_px);
}

Resolution parse_resolution(const std::string& text, const std::string& what) {
  auto x = text.find_first_of("xX");
  if (x == std::string::npos) {
    double side = parse_side(text, what, text);
    return {side, side};
  }
  return {parse_side(text.substr(0, x), what, text), parse_side(text.substr(x + 1), what, text)};
}

Resolution resolution_from_json(const nlohmann::json& value, const std::string& what) {
  if (value.is_number()) {
    double v = value.get<double>();
    if (!std::isfinite(v) || v < 1 || v > kMaxSidePx) bad_resolution(what, json_excerpt(value));
    return {v, v};
  }
  if (value.is_string()) return parse_resolution(value.get<std::string>(), what);
  bad_resolution(what, json_excerpt(value));
}

}  // namespace trainplan::profiles
