#pragma once
// Calibration: fit the cost model's scales to measured runs by least squares in log space
// (docs/costmodel.md, calibration).
#include <string>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/measurement.hpp"

namespace trainplan::costmodel {

/// How well the fitted model reproduces one record.
struct Residual {
  double measured_s = 0;
  double predicted_s = 0;       ///< after the fit
  double uncalibrated_s = 0;    ///< from the profiles alone
  double relative_error = 0;    ///< predicted / measured - 1
};

/// The fitted scales and each record's residual.
struct CalibrationFit {
  Calibration calibration;
  std::vector<Residual> residuals;
  /// Which scales were fitted: compute always; communication and data with several records.
  bool fitted_comm = false;
  bool fitted_data = false;
};

/// Fits `records` (all of one model, as the CLI checks). One record fits the compute scale
/// alone, exactly when the step is compute-bound (an input-bound or overhead-bound record
/// cannot be reached by the compute scale, and is fitted as closely as it allows); several also fit the communication and data scales, each pulled towards 1
/// by a small ridge term so that a scale the records cannot see stays at its default.
CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<MeasurementRecord>& records,
                               const Scenario& base);

/// The same fit for scenarios given whole, with their measured seconds per iteration.
CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<Scenario>& scenarios,
                               const std::vector<double>& measured_seconds_per_iter);

}  // namespace trainplan::costmodel
