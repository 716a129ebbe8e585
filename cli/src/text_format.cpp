#include "text_format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace trainplan::cli {

std::string format_duration(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 5400) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}

std::string format_likely_range(double low_seconds, double high_seconds) {
  // Both ends in the unit format_duration picks for the upper end, so they read as one range.
  struct Unit {
    double limit_s, seconds;
    const char* name;
  };
  static const Unit kUnits[] = {{90, 1, "s"}, {5400, 60, "min"}, {48 * 3600, 3600, "h"},
                                {INFINITY, 86400, "days"}};
  for (const Unit& u : kUnits) {
    if (high_seconds >= u.limit_s) continue;
    const int digits = high_seconds / u.seconds < 10 ? 1 : 0;
    return fmt::format("likely {:.{}f}-{:.{}f} {}", low_seconds / u.seconds, digits,
                       high_seconds / u.seconds, digits, u.name);
  }
  return "";
}

std::string format_count(double value) {
  std::string digits = fmt::format("{:.0f}", std::round(value));
  std::string out;
  int n = int(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    int left = n - 1 - i;
    if (left > 0 && left % 3 == 0 && digits[i] != '-') out += ',';
  }
  return out;
}

std::string format_usd(double usd) { return "$" + format_count(usd); }

}  // namespace trainplan::cli
