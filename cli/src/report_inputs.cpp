#include "report_inputs.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "report_jsonl.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/plan_json.hpp"

namespace trainplan::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAccepted =
    "trainplan report takes a plan file (trainplan plan QUESTION -o plan.json) or a run "
    "directory (runs/<name>/ holding plan.json and metrics.jsonl)";

std::vector<nlohmann::json> read_metrics(const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& line : read_json_lines(path)) {
    nlohmann::json row;
    row["stage"] = string_field(line, "stage");
    const auto epoch = number_field(line, "epoch");
    if (!epoch)
      throw InputError(fmt::format("{} line {}: field \"epoch\" is missing; expected a number",
                                   path, line.line));
    row["epoch"] = *epoch;
    for (const char* field : metrics_number_fields()) {
      const auto value = number_field(line, field);
      row[field] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Optional text fields of a forecast record: absent or null reads as "".
std::string text_field(const JsonLine& line, const char* field) {
  const auto it = line.value.find(field);
  return it == line.value.end() || it->is_null() ? std::string() : string_field(line, field);
}

std::vector<nlohmann::json> read_forecast(const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& line : read_json_lines(path)) {
    nlohmann::json row;
    row["kind"] = string_field(line, "kind");
    for (const char* field : {"stage", "policy", "action", "message"})
      row[field] = text_field(line, field);
    for (const char* field : forecast_number_fields()) {
      const auto value = number_field(line, field);
      row[field] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    out.push_back(std::move(row));  // unknown kinds and extra fields are kept out, not refused
  }
  return out;
}

}  // namespace

const std::vector<const char*>& metrics_number_fields() {
  static const std::vector<const char*> fields = {
      "train_loss", "box_loss",         "cls_loss",
      "map50",      "map50_95",         "map75",
      "seconds",    "seconds_per_iter", "data_seconds_per_iter",
      "lr"};
  return fields;
}

const std::vector<const char*>& forecast_number_fields() {
  static const std::vector<const char*> fields = {"time",
                                                  "elapsed_s",
                                                  "step",
                                                  "steps",
                                                  "stage_forecast_s",
                                                  "stage_first_forecast_s",
                                                  "finish_p10_s",
                                                  "finish_p50_s",
                                                  "finish_p90_s",
                                                  "deadline_s",
                                                  "deadline_probability",
                                                  "measured_s"};
  return fields;
}

ReportInputs read_report_inputs(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status))
    throw InputError(fmt::format("{}: no such file or directory; {}", path, kAccepted));
  ReportInputs in;
  if (fs::is_directory(status)) {
    const fs::path dir(path);
    if (!fs::exists(dir / "plan.json"))
      throw InputError(
          fmt::format("{} is not a run directory: it has no plan.json; {}", path, kAccepted));
    in.run_dir = path;
    in.plan_path = (dir / "plan.json").string();
    in.plan = planner::read_plan_file(in.plan_path);
    const auto metrics = dir / "metrics.jsonl";
    in.has_metrics_file = fs::exists(metrics);
    if (in.has_metrics_file) in.metrics = read_metrics(metrics.string());
    const auto forecast = dir / "forecast.jsonl";
    if (fs::exists(forecast)) in.forecast = read_forecast(forecast.string());
    return in;
  }
  in.plan_path = path;
  in.plan = planner::read_plan_file(path);
  return in;
}

}  // namespace trainplan::cli
