#pragma once
// The published runs of ../shared/reference-runs/calibration.csv as cost-model scenarios.
// Each row's description (free text) is mapped to profile ids here, with the assumption used
// where the row leaves something open (docs/benchmarks.md lists them).
#include <optional>
#include <string>
#include <vector>

#include "trainplan/costmodel/measurement.hpp"
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::bench {

/// One calibration row with a measured figure.
struct ReferenceRun {
  std::string case_id;
  std::string group;  ///< model id + framework: leave-one-out fits within a group
  costmodel::Scenario scenario;
  std::optional<double> measured_seconds_per_iter;
  std::optional<double> measured_total_hours;
  std::string assumption;  ///< what the mapping assumed beyond the row
};

/// Reads the CSV and maps every row that has a measured figure.
std::vector<ReferenceRun> load_reference_runs(const profiles::Catalog& catalog,
                                              const std::string& csv_path);

/// The row as a measurement record (for calibration); rows without s/iter have none.
std::optional<costmodel::MeasurementRecord> as_record(const ReferenceRun& run);

}  // namespace trainplan::bench
