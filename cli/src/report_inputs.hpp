#pragma once
// What `trainplan report` reads: a plan file, or a run directory (runs/<name>/) with its
// plan.json, metrics.jsonl and, in newer runs, forecast.jsonl (docs/report.md).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "trainplan/planner/plan.hpp"

namespace trainplan::cli {

/// Numeric fields of a metrics.jsonl record the report charts (any may be absent or null).
const std::vector<const char*>& metrics_number_fields();

/// Numeric fields of forecast.jsonl records (any may be absent or null).
const std::vector<const char*>& forecast_number_fields();

/// The report's inputs, checked.
struct ReportInputs {
  std::string plan_path;
  planner::Plan plan;
  std::optional<std::string> run_dir;  ///< set when given a run directory
  /// metrics.jsonl records in file order: "stage", "epoch" and metrics_number_fields() (null
  /// where the record lacks one). Empty for a plan file.
  std::vector<nlohmann::json> metrics;
  bool has_metrics_file = false;
  /// forecast.jsonl records in file order ("kind", "stage", "policy", "action", "message" and
  /// forecast_number_fields()); none when the run has no forecast.jsonl.
  std::optional<std::vector<nlohmann::json>> forecast;
};

/// Reads a plan file or a run directory. InputError naming the path and what is accepted when
/// it is missing or a folder without plan.json; InputError naming the file, line and field for
/// a malformed record; the plan reader's messages for a bad plan.
ReportInputs read_report_inputs(const std::string& path);

}  // namespace trainplan::cli
