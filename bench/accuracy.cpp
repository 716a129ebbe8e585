// bench/accuracy: the cost model's predictions against every published run of
// ../shared/reference-runs/calibration.csv, from the profiles alone and calibrated
// leave-one-out (fitted on the other rows of the same model and codebase).
// Usage: accuracy [CSV] [--profiles FILE]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "reference_runs.hpp"
#include "trainplan/costmodel/calibration.hpp"
#include "trainplan/error.hpp"

using namespace trainplan;

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The figure a row is compared on: s/iter where measured, else the whole run's hours.
double predicted_figure(const bench::ReferenceRun& run, const costmodel::Estimate& e) {
  return run.measured_seconds_per_iter ? e.seconds_per_iter : e.total_seconds / 3600;
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv = TRAINPLAN_REFERENCE_RUNS;
  std::string extra_profiles;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--profiles") && i + 1 < argc)
      extra_profiles = argv[++i];
    else
      csv = argv[i];
  }
  try {
    auto catalog = profiles::Catalog::embedded();
    if (!extra_profiles.empty()) catalog.merge_file(extra_profiles);
    const auto runs = bench::load_reference_runs(catalog, csv);
    std::vector<double> profile_errors, calibrated_errors;
    fmt::print("{:<6} {:<26} {:>5} {:>7} {:>9} {:>9} {:>7} {:>10} {:>7}  {}\n", "case",
               "model/codebase", "gpus", "figure", "measured", "profiles", "error",
               "calibrated", "error", "assumed");
    for (const auto& run : runs) {
      const double measured = run.measured_seconds_per_iter ? *run.measured_seconds_per_iter
                                                            : *run.measured_total_hours;
      const double predicted = predicted_figure(run, costmodel::estimate(catalog, run.scenario));
      const double error = predicted / measured - 1;
      profile_errors.push_back(std::fabs(error));

      // Leave-one-out: fit on the other rows of this group that measured s/iter.
      std::vector<costmodel::Scenario> scenarios;
      std::vector<double> measured_s;
      for (const auto& other : runs) {
        if (other.case_id == run.case_id || other.group != run.group) continue;
        if (!other.measured_seconds_per_iter) continue;
        scenarios.push_back(other.scenario);
        measured_s.push_back(*other.measured_seconds_per_iter);
      }
      std::string calibrated_text = "-", calibrated_error_text = "-";
      if (!scenarios.empty()) {
        auto fit = costmodel::fit_calibration(catalog, scenarios, measured_s);
        double c = predicted_figure(run, costmodel::estimate(catalog, run.scenario, fit.calibration));
        double ce = c / measured - 1;
        calibrated_errors.push_back(std::fabs(ce));
        calibrated_text = fmt::format("{:.4g}", c);
        calibrated_error_text = fmt::format("{:+.0f}%", 100 * ce);
      }
      fmt::print("{:<6} {:<26} {:>5} {:>7} {:>9.4g} {:>9.4g} {:>6.0f}% {:>10} {:>7}  {}\n",
                 run.case_id, run.group, run.scenario.gpus,
                 run.measured_seconds_per_iter ? "s/iter" : "hours", measured, predicted,
                 100 * error, calibrated_text, calibrated_error_text, run.assumption);
    }
    const double worst_profiles = *std::max_element(profile_errors.begin(), profile_errors.end());
    const double worst_calibrated =
        calibrated_errors.empty() ? NAN
                                  : *std::max_element(calibrated_errors.begin(), calibrated_errors.end());
    fmt::print("\nprofiles alone: {} rows, median |error| {:.1f}%, worst {:.1f}%\n",
               profile_errors.size(), 100 * median(profile_errors), 100 * worst_profiles);
    fmt::print("calibrated (leave-one-out): {} rows with another row of the same model and "
               "codebase, median |error| {:.1f}%, worst {:.1f}%\n",
               calibrated_errors.size(), 100 * median(calibrated_errors), 100 * worst_calibrated);
    const bool ok = median(profile_errors) <= 0.30 && median(calibrated_errors) <= 0.12;
    fmt::print("{}: median |error| {:.1f}% from profiles (target 30%), {:.1f}% calibrated "
               "(target 12%)\n",
               ok ? "OK" : "FAILED", 100 * median(profile_errors), 100 * median(calibrated_errors));
    return ok ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "accuracy: %s\n", e.what());
    return 2;
  }
}
