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
