#include "report_chart.hpp"

namespace trainplan::cli {

namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 260;

}  // namespace

nlohmann::ordered_json vega_lite(const nlohmann::ordered_json& values) {
  nlohmann::ordered_json spec;
  spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";  // an id; never fetched
  spec["width"] = kWidth;
  spec["height"] = kHeight;
  spec["data"] = {{"values", values}};
  return spec;
}

nlohmann::ordered_json rule_layer(const std::string& channel, double value,
                                  const std::string& label, const std::string& color) {
  const std::string other = channel == "x" ? "y" : "x";
  nlohmann::ordered_json rule;
  rule["data"] = {
      {"values", nlohmann::ordered_json::array({{{"value", value}, {"label", label}}})}};
  nlohmann::ordered_json layer_rule;
  layer_rule["mark"] = {
      {"type", "rule"}, {"color", color}, {"strokeDash", {6, 4}}, {"strokeWidth", 2}};
  layer_rule["encoding"][channel] = {{"field", "value"}, {"type", "quantitative"}};
  nlohmann::ordered_json layer_text;
  layer_text["mark"] = {{"type", "text"}, {"color", color}, {"align", "left"},
                        {"dx", 4},        {"dy", -4},       {"baseline", "bottom"}};
  layer_text["encoding"][channel] = {{"field", "value"}, {"type", "quantitative"}};
  // Pin the label to the plot's edge on the other axis so it never needs that axis' data.
  layer_text["encoding"][other] = {{"value", 0}};
  if (channel == "y") layer_text["encoding"]["x"] = {{"value", 4}};
  layer_text["encoding"]["text"] = {{"field", "label"}};
  rule["layer"] = {layer_rule, layer_text};
  return rule;
}

}  // namespace trainplan::cli
