#pragma once
// Fits the knobs to reference rows by regularised, robust least squares in log space, and
// cross-validates the fit by holding out one source at a time (docs/costmodel.md, fitting).
#include <optional>
#include <vector>

#include "knobs.hpp"

namespace trainplan::bench {

/// Residuals beyond this (in ln) count linearly, not squared (Huber): a single odd report
/// (a shared cluster, a round-number "2 days") must not drag the constants.
constexpr double kHuberLog = 0.25;
/// Iteratively reweighted least-squares passes for the Huber loss.
constexpr int kReweightingPasses = 3;
/// The scatter of one published figure around the truth, in ln: a row's residual counts in
/// units of it against the priors' standard deviations (a Gaussian likelihood).
constexpr double kRowNoiseLog = 0.15;
/// A total stated in round numbers ("about 2 days") is rougher than a step time read off a log.
constexpr double kTotalRowWeight = 0.7;
/// Loader costs start this far (in ln) above their prior (see fit_knobs).
constexpr double kLoaderStartLog = 1.0;
/// Knobs move within e^-4 .. e^4 of their prior (fractions of a peak also stay below 0.95).
constexpr double kKnobRangeLog = 4.0;

/// What one estimate of a row says against its measurements.
struct RowPrediction {
  double log_error = 0;                    ///< ln(predicted / measured) of the row's figure
  std::optional<double> memory_log_error;  ///< the same for peak memory, where stated
  bool input_bound = false;                ///< costmodel::near_input_bound
};

/// One estimate of the row under `catalog`, compared with what the row measured.
RowPrediction predict_row(const profiles::Catalog& catalog, const ReferenceRun& run);

/// `base` with the knobs set to `values`.
profiles::Catalog with_knobs(const profiles::Catalog& base, const std::vector<Knob>& knobs,
                             const std::vector<double>& values);

/// The knob values that best explain `rows` (indices into `runs`), starting from and pulled
/// towards the priors. Knobs no row in `rows` depends on stay at their prior.
std::vector<double> fit_knobs(const profiles::Catalog& base, const std::vector<ReferenceRun>& runs,
                              const std::vector<size_t>& rows, const std::vector<Knob>& knobs);

/// One row's errors, ln(predicted / measured).
struct RowErrors {
  double in_sample = 0;  ///< fitted on every row
  double held_out = 0;   ///< fitted without the row's source
  /// Held out, then calibrated with one other run of the same model and codebase (the
  /// median over such runs); none when the model has no other run with a step time.
  std::optional<double> calibrated;
  int calibration_runs = 0;
  /// The held-out model predicts this run near input-bound (costmodel::near_input_bound).
  bool input_bound = false;
  /// Peak memory per GPU, held out, where the row states it.
  std::optional<double> memory_held_out;
};

/// The fit on every row and leave-one-source-out errors of each row.
struct CrossValidation {
  std::vector<double> values;  ///< knob values fitted on every row
  std::vector<RowErrors> rows;
};

/// Fits on all rows, then once per source without it.
CrossValidation cross_validate(const profiles::Catalog& base, const std::vector<ReferenceRun>& runs,
                               const std::vector<Knob>& knobs);

}  // namespace trainplan::bench
