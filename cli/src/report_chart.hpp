#pragma once
// One chart of a `trainplan report` page: a titled section with a Vega-Lite spec (its data
// inline), or a sentence saying why the chart is not there. Plus the spec pieces the charts
// share.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace trainplan::cli {

/// A section of the report.
struct Chart {
  std::string id;  ///< element id suffix: letters, digits and '-'
  std::string title;
  std::string caption;                         ///< what it shows and from which input
  std::optional<nlohmann::ordered_json> spec;  ///< Vega-Lite; none = `missing` is shown
  std::string missing;  ///< why there is no chart (an older run, an empty file, ...)
};

/// A Vega-Lite spec with the schema, width and inline `values`.
nlohmann::ordered_json vega_lite(const nlohmann::ordered_json& values);

/// A layer drawing a labelled vertical (`channel` "x") or horizontal ("y") rule at `value`,
/// e.g. a deadline; its own inline datum so it needs none of the chart's data.
nlohmann::ordered_json rule_layer(const std::string& channel, double value,
                                  const std::string& label, const std::string& color = "#d62728");

}  // namespace trainplan::cli
