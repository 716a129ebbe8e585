#pragma once
// The chart libraries `trainplan report` inlines into its pages (vega, vega-lite, vega-embed):
// embedded at build time from the npm packages pinned in report/package-lock.json, so a report
// opens without a network. A build made where npm was missing has none.
#include <string>
#include <vector>

namespace trainplan::cli {

/// One library's minified JavaScript.
struct ChartScript {
  std::string name;     ///< npm package name
  std::string version;  ///< as pinned
  std::string text;     ///< the script, safe to place inside <script>
};

/// The libraries in load order (vega, vega-lite, vega-embed); empty when this build has none.
std::vector<ChartScript> chart_library();

}  // namespace trainplan::cli
