#include "report_run_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace trainplan::cli {

namespace {

using Json = nlohmann::ordered_json;

// The forecast chart draws the deadline when it is at most this many times the highest forecast.
constexpr double kDeadlineDrawnWithin = 3;

// metrics.jsonl with a running epoch number over the whole run (stages one after another).
Json metrics_rows(const ReportInputs& in) {
  Json rows = Json::array();
  int index = 0;
  for (const auto& m : in.metrics) {
    Json row(m);
    row["run_epoch"] = ++index;
    rows.push_back(row);
  }
  return rows;
}

// A line chart of several metrics fields against the run's epoch, one colour per field.
Json metric_lines(const Json& rows, const std::vector<std::string>& fields,
                  const std::string& y_title, bool log_y) {
  Json line;
  line["transform"] = Json::array(
      {{{"fold", fields}, {"as", {"metric", "value"}}}, {{"filter", "isValid(datum.value)"}}});
  line["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}};
  line["encoding"]["x"] = {{"field", "run_epoch"},
                           {"type", "quantitative"},
                           {"title", "epoch (all stages in order)"},
                           {"axis", {{"tickMinStep", 1}}}};
  line["encoding"]["y"] = {{"field", "value"}, {"type", "quantitative"}, {"title", y_title}};
  if (log_y) line["encoding"]["y"]["scale"] = {{"type", "log"}};
  line["encoding"]["color"] = {{"field", "metric"}, {"type", "nominal"}, {"sort", fields}};
  line["encoding"]["detail"] = {{"field", "stage"}, {"type", "nominal"}};
  line["encoding"]["tooltip"] = Json::array({{{"field", "stage"}},
                                             {{"field", "epoch"}},
                                             {{"field", "metric"}},
                                             {{"field", "value"}, {"format", ".4g"}}});
  Json spec = vega_lite(rows);
  spec["height"] = 200;
  spec.erase("data");
  spec.update(line);
  return spec;
}

bool any_value(const Json& rows, const std::vector<std::string>& fields) {
  for (const auto& r : rows)
    for (const auto& f : fields)
      if (r.contains(f) && r[f].is_number()) return true;
  return false;
}

std::string no_metrics(const ReportInputs& in) {
  return in.has_metrics_file ? "metrics.jsonl has no records yet."
                             : "This run directory has no metrics.jsonl.";
}

Chart quality_chart(const ReportInputs& in) {
  Chart c{"quality", "Loss and mAP per epoch",
          "From metrics.jsonl: training losses (top) and validation mAP (bottom) after each epoch, "
          "the stages one after another.",
          std::nullopt, ""};
  const Json rows = metrics_rows(in);
  const std::vector<std::string> losses = {"train_loss", "box_loss", "cls_loss"};
  const std::vector<std::string> maps = {"map50", "map50_95", "map75"};
  if (rows.empty() || !any_value(rows, losses)) {
    c.missing = no_metrics(in);
    return c;
  }
  Json spec = vega_lite(rows);
  spec.erase("width");
  spec.erase("height");
  spec["vconcat"] = Json::array({metric_lines(rows, losses, "loss", false)});
  if (any_value(rows, maps)) spec["vconcat"].push_back(metric_lines(rows, maps, "mAP", false));
  c.spec = spec;
  return c;
}

Chart step_time_chart(const ReportInputs& in) {
  Chart c{
      "step-time", "Step time per epoch",
      "From metrics.jsonl: mean seconds per optimizer step and the part spent waiting for data.",
      std::nullopt, ""};
  const Json rows = metrics_rows(in);
  const std::vector<std::string> fields = {"seconds_per_iter", "data_seconds_per_iter"};
  if (rows.empty() || !any_value(rows, fields)) {
    c.missing = no_metrics(in);
    return c;
  }
  Json spec = metric_lines(rows, fields, "seconds per step", false);
  spec["data"] = {{"values", rows}};
  c.spec = spec;
  return c;
}

Chart measured_chart(const ReportInputs& in) {
  Chart c{"measured", "Predicted vs measured time per stage",
          "Each stage's predicted total time in the plan against the time it took: stage_end "
          "records of forecast.jsonl where there are some, else the sum of the stage's epoch "
          "seconds in metrics.jsonl (training only). A run with --scale-to-local trains a tiny "
          "model, so its times are far below the plan's; the axis is logarithmic.",
          std::nullopt, ""};
  std::map<std::string, double> measured, from_epochs;
  if (in.forecast)
    for (const auto& r : *in.forecast)
      if (r["kind"] == "stage_end" && r["measured_s"].is_number())
        measured[r["stage"].get<std::string>()] = r["measured_s"].get<double>();
  for (const auto& m : in.metrics)
    if (m["seconds"].is_number())
      from_epochs[m["stage"].get<std::string>()] += m["seconds"].get<double>();
  Json rows = Json::array();
  auto add_measured = [&](const std::string& stage) {
    const auto end = measured.find(stage);
    const bool ended = end != measured.end();
    rows.push_back({{"stage", stage},
                    {"what", ended ? "measured (stage_end)" : "measured (sum of epochs)"},
                    {"seconds", ended ? end->second : from_epochs[stage]}});
  };
  for (const auto& s : in.plan.stages) {
    if (!measured.count(s.id) && !from_epochs.count(s.id)) continue;  // not run (yet)
    rows.push_back(
        {{"stage", s.id}, {"what", "predicted"}, {"seconds", s.prediction.total_seconds}});
    add_measured(s.id);
  }
  // Stages the run added before the plan's (e.g. the demo's pre-trained weights) have no
  // prediction; their measured time is shown alone.
  for (const auto& m : in.metrics) {
    const std::string stage = m["stage"];
    bool listed = false;
    for (const auto& r : rows) listed = listed || r["stage"] == stage;
    if (!listed && (measured.count(stage) || from_epochs.count(stage))) add_measured(stage);
  }
  if (rows.empty()) {
    c.missing =
        "No stage of the plan has measured time yet (no stage_end record and no epoch in "
        "metrics.jsonl).";
    return c;
  }
  // Points, not bars: a bar has no base on a logarithmic axis.
  Json points;
  points["mark"] = {{"type", "point"}, {"filled", true}, {"size", 140}, {"tooltip", true}};
  points["encoding"]["x"] = {{"field", "stage"},
                             {"type", "nominal"},
                             {"sort", nullptr},
                             {"title", nullptr},
                             {"axis", {{"labelAngle", 0}}}};
  points["encoding"]["y"] = {{"field", "seconds"},
                             {"type", "quantitative"},
                             {"title", "seconds"},
                             {"scale", {{"type", "log"}}}};
  points["encoding"]["color"] = {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}};
  points["encoding"]["shape"] = {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}};
  Json labels;
  labels["mark"] = {{"type", "text"}, {"align", "left"}, {"dx", 10}};
  labels["encoding"] = {
      {"x", points["encoding"]["x"]},
      {"y", points["encoding"]["y"]},
      {"text", {{"field", "seconds"}, {"type", "quantitative"}, {"format", ".3~s"}}}};
  Json bars;
  bars["layer"] = Json::array({points, labels});
  Json spec = vega_lite(rows);
  spec.update(bars);
  c.spec = spec;
  return c;
}

Chart forecast_chart(const ReportInputs& in) {
  Chart c{
      "forecast", "Forecast over the run",
      "From forecast.jsonl. Top: the run's total duration as forecast at each moment (P50 line, "
      "P10-P90 band) with the deadline. Bottom: each stage's total time as forecast while it "
      "ran, and as measured at its end (points).",
      std::nullopt, ""};
  if (!in.forecast) {
    c.missing = "This run has no forecast.jsonl (runs made before forecasts were recorded).";
    return c;
  }
  Json rows = Json::array();
  std::optional<double> deadline;
  for (const auto& r : *in.forecast) {
    if (r["kind"] != "forecast" && r["kind"] != "stage_end") continue;
    if (!r["elapsed_s"].is_number()) continue;
    Json row;
    row["kind"] = r["kind"];
    row["stage"] = r["stage"];
    row["elapsed_h"] = r["elapsed_s"].get<double>() / 3600;
    for (const char* f :
         {"finish_p10_s", "finish_p50_s", "finish_p90_s", "stage_forecast_s", "measured_s"})
      row[std::string(f, std::string(f).size() - 2) + "_h"] =
          r[f].is_number() ? Json(r[f].get<double>() / 3600) : Json(nullptr);
    if (r["deadline_s"].is_number()) deadline = r["deadline_s"].get<double>() / 3600;
    rows.push_back(row);
  }
  bool any_forecast = false;
  for (const auto& r : rows) any_forecast = any_forecast || r["finish_p50_h"].is_number();
  if (!any_forecast) {
    c.missing = "forecast.jsonl has no forecast records with a finish time yet.";
    return c;
  }
  const Json x = {
      {"field", "elapsed_h"}, {"type", "quantitative"}, {"title", "hours since the run started"}};
  Json band;
  band["transform"] =
      Json::array({{{"filter", "isValid(datum.finish_p10_h) && isValid(datum.finish_p90_h)"}}});
  band["mark"] = {{"type", "area"}, {"opacity", 0.25}, {"color", "#1f77b4"}};
  band["encoding"] = {{"x", x},
                      {"y",
                       {{"field", "finish_p10_h"},
                        {"type", "quantitative"},
                        {"scale", {{"zero", false}}},
                        {"title", "forecast total duration (hours)"}}},
                      {"y2", {{"field", "finish_p90_h"}}}};
  Json p50;
  p50["transform"] = Json::array({{{"filter", "isValid(datum.finish_p50_h)"}}});
  p50["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}, {"color", "#1f77b4"}};
  p50["encoding"] = {{"x", x}, {"y", {{"field", "finish_p50_h"}, {"type", "quantitative"}}}};
  Json total;
  total["height"] = 220;
  total["layer"] = Json::array({band, p50});
  double highest = 0;
  for (const auto& r : rows)
    for (const char* f : {"finish_p50_h", "finish_p90_h"})
      if (r[f].is_number()) highest = std::max(highest, r[f].get<double>());
  // A deadline far above every forecast (a run scaled to this machine keeps the plan's
  // deadline) would flatten the forecasts to a line at zero: named, not drawn.
  if (deadline && *deadline <= kDeadlineDrawnWithin * highest)
    total["layer"].push_back(rule_layer("y", *deadline, "deadline"));
  else if (deadline)
    c.caption += fmt::format(" The deadline ({:.3g} h) is far above every forecast and not drawn.",
                             *deadline);
  Json stage_line;
  stage_line["transform"] =
      Json::array({{{"filter", "datum.kind === 'forecast' && isValid(datum.stage_forecast_h)"}}});
  stage_line["mark"] = {{"type", "line"}, {"tooltip", true}};
  stage_line["encoding"] = {{"x", x},
                            {"y",
                             {{"field", "stage_forecast_h"},
                              {"type", "quantitative"},
                              {"title", "stage total time (hours)"}}},
                            {"color", {{"field", "stage"}, {"type", "nominal"}}}};
  Json stage_end;
  stage_end["transform"] =
      Json::array({{{"filter", "datum.kind === 'stage_end' && isValid(datum.measured_h)"}}});
  stage_end["mark"] = {{"type", "point"}, {"filled", true}, {"size", 80}, {"tooltip", true}};
  stage_end["encoding"] = {{"x", x},
                           {"y", {{"field", "measured_h"}, {"type", "quantitative"}}},
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

}  // namespace

std::vector<Chart> run_charts(const ReportInputs& inputs) {
  return {quality_chart(inputs), step_time_chart(inputs), measured_chart(inputs),
          forecast_chart(inputs)};
}

}  // namespace trainplan::cli
