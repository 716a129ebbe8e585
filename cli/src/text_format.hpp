#pragma once
// Human-readable figures for the CLI's text output.
#include <string>

namespace trainplan::cli {

/// "42 s", "16.3 min", "21.7 h", "3.2 days".
std::string format_duration(double seconds);

/// "$56", "$1,234".
std::string format_usd(double usd);

/// "118,287".
std::string format_count(double value);

}  // namespace trainplan::cli
