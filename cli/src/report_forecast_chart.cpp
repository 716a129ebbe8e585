#include "report_forecast_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace trainplan::cli {

namespace {

using Json = nlohmann::ordered_json;

// The deadline is drawn when it is at most this many times the longest time on the chart.
constexpr double kDeadlineDrawnWithin = 3;

// A unit for times up to `longest_s`: hours, minutes for runs under two hours (a run scaled to
// this machine), seconds under two minutes.
std::pair<double, const char*> time_unit(double longest_s) {
  if (longest_s >= 7200) return {3600, "hours"};
  if (longest_s >= 120) return {60, "minutes"};
  return {1, "seconds"};
}

}  // namespace

Chart forecast_chart(const ReportInputs& in) {
  Chart c{"forecast", "Forecast over the run",
          "From forecast.jsonl. Top: the run's total duration as forecast at each moment (P50 "
          "line, P10-P90 band) with the deadline and the deadline policies' decisions (grey "
          "rules). Bottom: each stage's total time as forecast while it ran, and as measured at "
          "its end (points).",
          std::nullopt, ""};
  if (!in.forecast) {
    c.missing = "This run has no forecast.jsonl (runs made before forecasts were recorded).";
    return c;
  }
  const char* kTimes[] = {"finish_p10_s", "finish_p50_s", "finish_p90_s", "stage_forecast_s",
                          "measured_s"};
  double longest = 0;
  bool any_forecast = false;
  std::optional<double> deadline;
  for (const auto& r : *in.forecast) {
    for (const char* f : kTimes)
      if (r[f].is_number()) longest = std::max(longest, r[f].get<double>());
    if (r["elapsed_s"].is_number()) longest = std::max(longest, r["elapsed_s"].get<double>());
    any_forecast = any_forecast || (r["kind"] == "forecast" && r["finish_p50_s"].is_number() &&
                                    r["elapsed_s"].is_number());
    if (r["deadline_s"].is_number()) deadline = r["deadline_s"].get<double>();
  }
  if (!any_forecast) {
    c.missing = "forecast.jsonl has no forecast records with a finish time yet.";
    return c;
  }
  const auto [unit_s, unit] = time_unit(longest);
  Json rows = Json::array();
  for (const auto& r : *in.forecast) {
    const std::string kind = r["kind"];
    if ((kind != "forecast" && kind != "stage_end" && kind != "decision") ||
        !r["elapsed_s"].is_number())
      continue;  // kinds this report does not know
    Json row = {
        {"kind", kind}, {"stage", r["stage"]}, {"elapsed", r["elapsed_s"].get<double>() / unit_s}};
    for (const char* f : kTimes)
      row[std::string(f, std::strlen(f) - 2)] =
          r[f].is_number() ? Json(r[f].get<double>() / unit_s) : Json(nullptr);
    if (kind == "decision")
      for (const char* f : {"policy", "action", "message"}) row[f] = r[f];
    rows.push_back(row);
  }
  const Json x = {{"field", "elapsed"},
                  {"type", "quantitative"},
                  {"title", fmt::format("{} since the run started", unit)}};
  Json band;
  band["transform"] = Json::array({{{"filter",
                                     "datum.kind === 'forecast' && isValid(datum.finish_p10) && "
                                     "isValid(datum.finish_p90)"}}});
  band["mark"] = {{"type", "area"}, {"opacity", 0.25}, {"color", "#1f77b4"}};
  band["encoding"] = {{"x", x},
                      {"y",
                       {{"field", "finish_p10"},
                        {"type", "quantitative"},
                        {"scale", {{"zero", false}}},
                        {"title", fmt::format("forecast total duration ({})", unit)}}},
                      {"y2", {{"field", "finish_p90"}}}};
  Json p50;
  p50["transform"] =
      Json::array({{{"filter", "datum.kind === 'forecast' && isValid(datum.finish_p50)"}}});
  p50["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}, {"color", "#1f77b4"}};
  p50["encoding"] = {{"x", x}, {"y", {{"field", "finish_p50"}, {"type", "quantitative"}}}};
  Json decisions;
  decisions["transform"] = Json::array({{{"filter", "datum.kind === 'decision'"}}});
  decisions["mark"] = {{"type", "rule"}, {"color", "#888888"}, {"strokeWidth", 2}};
  decisions["encoding"] = {
      {"x", x},
      {"tooltip",
       Json::array({{{"field", "policy"}}, {{"field", "action"}}, {{"field", "message"}}})}};
  Json total;
  total["height"] = 220;
  total["layer"] = Json::array({band, p50});
  bool any_decision = false;
  for (const auto& r : rows) any_decision = any_decision || r["kind"] == "decision";
  if (any_decision) total["layer"].push_back(decisions);
  // A deadline far above every forecast (a run scaled to this machine keeps the plan's
  // deadline) would flatten the forecasts to a line at the bottom: named, not drawn.
  if (deadline && *deadline <= kDeadlineDrawnWithin * longest)
    total["layer"].push_back(rule_layer("y", *deadline / unit_s, "deadline"));
  else if (deadline)
    c.caption += fmt::format(" The deadline ({:.3g} h) is far above every forecast and not drawn.",
                             *deadline / 3600);
  Json stage_line;
  stage_line["transform"] =
      Json::array({{{"filter", "datum.kind === 'forecast' && isValid(datum.stage_forecast)"}}});
  stage_line["mark"] = {{"type", "line"}, {"tooltip", true}};
  stage_line["encoding"] = {{"x", x},
                            {"y",
                             {{"field", "stage_forecast"},
                              {"type", "quantitative"},
                              {"title", fmt::format("stage total time ({})", unit)}}},
                            {"color", {{"field", "stage"}, {"type", "nominal"}}}};
  Json stage_end;
  stage_end["transform"] =
      Json::array({{{"filter", "datum.kind === 'stage_end' && isValid(datum.measured)"}}});
  stage_end["mark"] = {{"type", "point"}, {"filled", true}, {"size", 80}, {"tooltip", true}};
  stage_end["encoding"] = {{"x", x},
                           {"y", {{"field", "measured"}, {"type", "quantitative"}}},
                           {"color", {{"field", "stage"}, {"type", "nominal"}}}};
  Json per_stage;
  per_stage["height"] = 180;
  per_stage["layer"] = Json::array({stage_line, stage_end});
  Json spec = vega_lite(rows);
  spec.erase("height");
  const int width = spec["width"];
  spec.erase("width");
  total["width"] = per_stage["width"] = width;
  spec["vconcat"] = Json::array({total, per_stage});
  c.spec = spec;
  return c;
}

}  // namespace trainplan::cli
