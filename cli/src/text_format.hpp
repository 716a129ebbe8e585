#pragma once
// Human-readable figures for the CLI's text output.
#include <string>

namespace trainplan::cli {

/// "42 s", "16.3 min", "21.7 h", "3.2 days".
std::string format_duration(double seconds);
/// "likely 15-25 h": the P10-P90 range of an estimate, in the upper end's unit.
std::string format_likely_range(double low_seconds, double high_seconds);

/// "$56", "$1,234".
std::string format_usd(double usd);

/// "118,287".
std::string format_count(double value);

}  // namespace trainplan::cli
