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

/// Which scales a fit moved.
enum class FitKind {
  kCompute,  ///< one record, compute-bound: the model's efficiency
  kData,     ///< one record, input-bound: the input pipeline's speed
  kUniform,  ///< one record that neither reaches: one scale on every term
  kComputeAndData,  ///< one record with its data-wait time: GPU time and loader time apart
  kFull,     ///< several records: compute, communication, data and overhead
};

/// The fitted scales and each record's residual.
struct CalibrationFit {
  Calibration calibration;
  FitKind kind = FitKind::kCompute;
  std::vector<Residual> residuals;
};

/// Fits `records` (all of one model, as the CLI checks). One record is reproduced exactly:
/// when it reports its data-wait time (`data_seconds_per_iter`), the compute scale fits the GPU
/// time (step minus wait) and the data scale the loader (the whole step when the wait is
/// significant, else no more than the GPU time); otherwise by the compute scale when the step
/// is compute-bound, else by the data scale when it is input-bound, else by one scale on every
/// term. Several records fit compute, communication,
/// data and overhead scales together, the last three pulled towards 1 by a small ridge term
/// so that a scale the records cannot see stays at its default.
CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<MeasurementRecord>& records,
                               const Scenario& base);

/// The same fit for scenarios given whole, with their measured seconds per iteration.
CalibrationFit fit_calibration(const profiles::Catalog& catalog,
                               const std::vector<Scenario>& scenarios,
                               const std::vector<double>& measured_seconds_per_iter);

/// A short name of the fit kind, for output.
const char* to_string(FitKind kind);

}  // namespace trainplan::costmodel
