#pragma once
// Measured runs (DESIGN 3.3): written by the executor to measurements.jsonl and read by
// `--measured FILE` to calibrate the cost model.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "trainplan/costmodel/scenario.hpp"

namespace trainplan::costmodel {

/// One measured run.
struct MeasurementRecord {
  std::string model;
  std::string gpu;
  int gpus = 1;
  int nodes = 1;
  int global_batch = 1;
  profiles::Resolution resolution;
  double seconds_per_iter = 0;
  std::optional<double> images;
  std::optional<double> epochs;
  bool amp = true;
  std::optional<double> data_seconds_per_iter;
  std::string framework;  ///< optional extension: the codebase measured (empty = model default)
  std::string stage;      ///< optional: the plan stage of a trainplan run it was measured in
  std::optional<int> epoch;  ///< optional: that stage's epoch (1-based), with `stage`
};

/// Reads a JSON list of records or JSON lines; messages name the file and the line or path.
std::vector<MeasurementRecord> read_measurements(const std::string& path);

/// Parses records from text (`origin` names it in messages).
std::vector<MeasurementRecord> parse_measurements(const std::string& text,
                                                  const std::string& origin);

/// The record as a JSON object in the DESIGN 3.3 field order.
nlohmann::ordered_json to_json(const MeasurementRecord& record);

/// The scenario a record measured: `base` supplies what records do not say (data set,
/// prompts, augmentation).
Scenario scenario_for(const MeasurementRecord& record, const Scenario& base);

}  // namespace trainplan::costmodel
