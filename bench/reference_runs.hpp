#pragma once
// The published runs of bench/data/reference-runs.csv as cost-model scenarios (the columns
// are described in bench/data/README.md).
#include <optional>
#include <string>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/measurement.hpp"
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::bench {

/// One published run with its measured figure.
struct ReferenceRun {
  std::string case_id;
  std::string source_id;  ///< cross-validation holds a source's rows out together
  std::string codebase;
  costmodel::Scenario scenario;
  /// The figure compared: a measured step time, or else the whole run's hours.
  std::optional<double> measured_seconds_per_iter;
  std::optional<double> measured_total_hours;
  std::optional<double> measured_data_seconds_per_iter;  ///< the log's data wait, where given
  std::optional<double> measured_memory_gb;  ///< peak allocated memory per GPU, where given
  std::string assumption;  ///< what the row assumed beyond its source
};

/// Reads the CSV; throws InputError naming the row and column of anything it cannot map
/// (unknown model, GPU, codebase or dataset ids, missing numbers).
std::vector<ReferenceRun> load_reference_runs(const profiles::Catalog& catalog,
                                              const std::string& csv_path);

/// The measured figure a row is compared on (s/iter, or total hours).
double measured_figure(const ReferenceRun& run);
/// The same figure from an estimate.
double predicted_figure(const ReferenceRun& run, const costmodel::Estimate& e);

/// An estimate's peak allocated memory per GPU at the run's whole per-GPU batch (weights,
/// optimizer state and saved activations; what PyTorch's max_memory_allocated reports).
double predicted_memory_gb(const costmodel::Estimate& e);

/// The row as a measurement record (for calibration); rows without s/iter have none.
std::optional<costmodel::MeasurementRecord> as_record(const ReferenceRun& run);

}  // namespace trainplan::bench
