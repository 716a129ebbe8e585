#include "report_run_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report_forecast_chart.hpp"

namespace trainplan::cli {

namespace {

using Json = nlohmann::ordered_json;

// Predicted and measured stage times within this factor of each other share a linear axis.
constexpr double kLinearWithin = 30;

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

// What one stage took and what was predicted for it.
struct StageTimes {
  std::string stage;
  std::optional<double> predicted_s, measured_s;
  std::string predicted_from, measured_from;
};

// Per stage in run order: a stage_end record's measured_s and stage_first_forecast_s (the
// forecast for this machine before the stage began) where there is one; else the sum of the
// stage's epoch seconds against the plan's prediction.
std::vector<StageTimes> stage_times(const ReportInputs& in) {
  std::vector<StageTimes> out;
  auto entry = [&out](const std::string& stage) -> StageTimes& {
    for (auto& t : out)
      if (t.stage == stage) return t;
    out.push_back({stage, std::nullopt, std::nullopt, "", ""});
    return out.back();
  };
  for (const auto& m : in.metrics)
    if (m["seconds"].is_number()) {
      auto& t = entry(m["stage"].get<std::string>());
      t.measured_s = t.measured_s.value_or(0) + m["seconds"].get<double>();
      t.measured_from = "measured (sum of epochs)";
    }
  for (auto& t : out)
    for (const auto& s : in.plan.stages)
      if (s.id == t.stage)
        t.predicted_s = s.prediction.total_seconds, t.predicted_from = "predicted (plan)";
  if (in.forecast)
    for (const auto& r : *in.forecast) {
      if (r["kind"] != "stage_end" || !r["measured_s"].is_number()) continue;
      auto& t = entry(r["stage"].get<std::string>());
      t.measured_s = r["measured_s"].get<double>();
      t.measured_from = "measured (stage_end)";
      if (r["stage_first_forecast_s"].is_number()) {
        t.predicted_s = r["stage_first_forecast_s"].get<double>();
        t.predicted_from = "predicted before the stage (forecast.jsonl)";
      }
    }
  return out;
}

Chart measured_chart(const ReportInputs& in) {
  Chart c{"measured", "Predicted vs measured time per stage",
          "Each stage's predicted time against the time it took. From forecast.jsonl's stage_end "
          "records where there are some (measured_s against stage_first_forecast_s, the forecast "
          "for this machine before the stage began); else the plan's prediction against the sum "
          "of the stage's epoch seconds in metrics.jsonl (training only).",
          std::nullopt, ""};
  Json rows = Json::array();
  double low = 0, high = 0;
  for (const auto& t : stage_times(in)) {
    if (!t.measured_s) continue;  // not run (yet)
    for (const auto& [what, value] :
         {std::pair{t.predicted_from, t.predicted_s}, std::pair{t.measured_from, t.measured_s}})
      if (value && *value > 0) {
        rows.push_back({{"stage", t.stage}, {"what", what}, {"seconds", *value}});
        low = low > 0 ? std::min(low, *value) : *value;
        high = std::max(high, *value);
      }
  }
  if (rows.empty()) {
    c.missing =
        "No stage has measured time yet (no stage_end record and no epoch in metrics.jsonl).";
    return c;
  }
  const Json x = {{"field", "stage"},
                  {"type", "nominal"},
                  {"sort", nullptr},
                  {"title", nullptr},
                  {"axis", {{"labelAngle", 0}}}};
  Json mark;
  // A plan for GPUs against a run scaled to this machine differ a thousandfold: a logarithmic
  // axis, and points (a bar has no base on it). Comparable times: side-by-side bars.
  if (high > kLinearWithin * low) {
    c.caption +=
        " The times differ too much for a linear axis (a run with --scale-to-local "
        "trains a tiny model); the axis is logarithmic.";
    mark["mark"] = {{"type", "point"}, {"filled", true}, {"size", 140}, {"tooltip", true}};
    mark["encoding"]["shape"] = {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}};
  } else {
    mark["mark"] = {{"type", "bar"}, {"tooltip", true}};
    mark["encoding"]["xOffset"] = {{"field", "what"}, {"type", "nominal"}};
  }
  mark["encoding"]["x"] = x;
  mark["encoding"]["y"] = {{"field", "seconds"}, {"type", "quantitative"}, {"title", "seconds"}};
  if (high > kLinearWithin * low) mark["encoding"]["y"]["scale"] = {{"type", "log"}};
  mark["encoding"]["color"] = {
      {"field", "what"},
      {"type", "nominal"},
      {"title", nullptr},
      {"legend", {{"orient", "bottom"}, {"direction", "vertical"}, {"labelLimit", 500}}}};
  Json labels;
  labels["mark"] = {{"type", "text"}, {"align", "left"}, {"dx", 10}};
  labels["encoding"] = {
      {"x", x},
      {"y", mark["encoding"]["y"]},
      {"text", {{"field", "seconds"}, {"type", "quantitative"}, {"format", ".3~s"}}}};
  if (high <= kLinearWithin * low) {
    labels["mark"] = {{"type", "text"}, {"baseline", "bottom"}, {"dy", -2}};
    labels["encoding"]["xOffset"] = {{"field", "what"}, {"type", "nominal"}};
  }
  Json spec = vega_lite(rows);
  spec["layer"] = Json::array({mark, labels});
  c.spec = spec;
  return c;
}

}  // namespace

std::vector<Chart> run_charts(const ReportInputs& inputs) {
  return {quality_chart(inputs), step_time_chart(inputs), measured_chart(inputs),
          forecast_chart(inputs)};
}

}  // namespace trainplan::cli
