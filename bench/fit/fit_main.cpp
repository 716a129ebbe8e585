// bench/fit: fits the cost model's constants to the published runs of
// bench/data/reference-runs.csv and reports leave-one-source-out cross-validation.
// Usage: fit [--csv FILE] [--priors FILE] [--write] [--check]
//   --write  writes the fitted constants and the error spread into profiles/data/*.json, and
//            the profile figures docs/costmodel.md quotes
//   --check  exits 1 when the cross-validated targets of docs/benchmarks.md are missed
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "fitting.hpp"
#include "profile_writer.hpp"
#include "statistics.hpp"
#include "trainplan/error.hpp"

using namespace trainplan;
using namespace trainplan::bench;

namespace {

constexpr double kTargetHeldOut = 0.20;
constexpr double kTargetCalibrated = 0.10;
// A detector kind needs this many rows for an error spread of its own; else "all" serves it.
constexpr size_t kMinRowsForSpread = 10;

std::string percent(double log_err) { return fmt::format("{:+.0f}%", 100 * (std::exp(log_err) - 1)); }

void print_rows(const std::vector<ReferenceRun>& runs, const CrossValidation& cv) {
  fmt::print("{:<8} {:<28} {:<19} {:<24} {:>5} {:<15} {:>7} {:>9} {:>9} {:>9} {:>10}\n", "case",
             "source", "codebase", "model", "gpus", "gpu", "figure", "measured", "in-sample",
             "held-out", "calibrated");
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const auto& e = cv.rows[i];
    fmt::print("{:<8} {:<28} {:<19} {:<24} {:>5} {:<15} {:>7} {:>9.4g} {:>9} {:>9} {:>10}\n",
               r.case_id, r.source_id.substr(0, 28), r.codebase, r.scenario.model_id.substr(0, 24),
               r.scenario.gpus, r.scenario.gpu_id, r.measured_seconds_per_iter ? "s/iter" : "hours",
               measured_figure(r), percent(e.in_sample), percent(e.held_out),
               e.calibrated ? percent(*e.calibrated) : "-");
  }
}

// Median and P90 of |error| for the rows `select` keeps.
template <typename Select>
std::string summary(const std::vector<ReferenceRun>& runs, const CrossValidation& cv,
                    Select select, double RowErrors::*field) {
  std::vector<double> abs_errors;
  for (size_t i = 0; i < runs.size(); ++i)
    if (select(i)) abs_errors.push_back(std::fabs(std::exp(cv.rows[i].*field) - 1));
  if (abs_errors.empty()) return "no rows";
  return fmt::format("{:>3} rows, median |error| {:5.1f}%, P90 {:5.1f}%", abs_errors.size(),
                     100 * quantile(abs_errors, 0.5), 100 * quantile(abs_errors, 0.9));
}

std::vector<profiles::UncertaintyProfile> spreads(const profiles::Catalog& catalog,
                                                  const std::vector<ReferenceRun>& runs,
                                                  const CrossValidation& cv,
                                                  const std::string& provenance) {
  // Runs predicted near input-bound depend on their host and get a spread of their own; the
  // others are grouped by detector kind, "all" serving kinds with too few rows.
  std::map<std::string, std::vector<size_t>> by_kind;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (cv.rows[i].input_bound) {
      by_kind["input-bound"].push_back(i);
      continue;
    }
    by_kind["all"].push_back(i);
    by_kind[catalog.model(runs[i].scenario.model_id).detector_kind].push_back(i);
  }
  std::vector<profiles::UncertaintyProfile> out;
  for (const auto& [kind, rows] : by_kind) {
    if (rows.size() < kMinRowsForSpread) continue;
    std::vector<double> held, calibrated;
    for (size_t i : rows) {
      held.push_back(cv.rows[i].held_out);
      if (cv.rows[i].calibrated) calibrated.push_back(*cv.rows[i].calibrated);
    }
    if (calibrated.size() < 5) calibrated = held;  // too few to say: no narrower than held out
    profiles::UncertaintyProfile u;
    u.id = kind;
    u.log_error_p10 = quantile(held, 0.1);
    u.log_error_p90 = quantile(held, 0.9);
    u.calibrated_log_error_p10 = quantile(calibrated, 0.1);
    u.calibrated_log_error_p90 = quantile(calibrated, 0.9);
    u.rows = double(rows.size());
    u.fit = fmt::format("{}: leave-one-source-out errors of {} rows ({} calibrated)", provenance,
                        held.size(), calibrated.size());
    out.push_back(u);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv = TRAINPLAN_REFERENCE_RUNS, priors = TRAINPLAN_PRIORS;
  bool write = false, check = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--csv") && i + 1 < argc) csv = argv[++i];
    else if (!std::strcmp(argv[i], "--priors") && i + 1 < argc) priors = argv[++i];
    else if (!std::strcmp(argv[i], "--write")) write = true;
    else if (!std::strcmp(argv[i], "--check")) check = true;
    else {
      std::fprintf(stderr, "fit: unknown argument \"%s\"; accepted: --csv FILE, --priors FILE, "
                   "--write, --check\n", argv[i]);
      return 2;
    }
  }
  try {
    const auto catalog = profiles::Catalog::embedded();
    const auto runs = load_reference_runs(catalog, csv);
    const auto knobs = knobs_for(catalog, runs, priors);
    const auto cv = cross_validate(catalog, runs, knobs);
    print_rows(runs, cv);

    std::set<std::string> sources, codebases, models;
    for (const auto& r : runs) {
      sources.insert(r.source_id);
      codebases.insert(r.codebase);
      models.insert(r.scenario.model_id);
    }
    fmt::print("\n{} rows, {} sources, {} codebases, {} models, {} fitted constants\n",
               runs.size(), sources.size(), codebases.size(), models.size(), knobs.size());
    fmt::print("\nfitted constants (prior -> fitted, rows):\n");
    for (size_t j = 0; j < knobs.size(); ++j)
      fmt::print("  {:<52} {:>9.4g} -> {:<9.4g} {:>4}\n", knobs[j].name(), knobs[j].prior,
                 cv.values[j], knobs[j].rows.size());

    auto every = [](size_t) { return true; };
    fmt::print("\nin-sample (fitted on every row):        {}\n",
               summary(runs, cv, every, &RowErrors::in_sample));
    fmt::print("leave-one-source-out, profiles alone:   {}\n",
               summary(runs, cv, every, &RowErrors::held_out));
    std::vector<double> calibrated_abs, held_abs;
    for (const auto& e : cv.rows) {
      held_abs.push_back(std::fabs(std::exp(e.held_out) - 1));
      if (e.calibrated) calibrated_abs.push_back(std::fabs(std::exp(*e.calibrated) - 1));
    }
    fmt::print("leave-one-source-out, calibrated with one run of the same model: {} rows, "
               "median |error| {:5.1f}%, P90 {:5.1f}%\n",
               calibrated_abs.size(), 100 * quantile(calibrated_abs, 0.5),
               100 * quantile(calibrated_abs, 0.9));
    std::vector<double> memory_abs;
    for (const auto& e : cv.rows)
      if (e.memory_held_out) memory_abs.push_back(std::fabs(std::exp(*e.memory_held_out) - 1));
    if (!memory_abs.empty())
      fmt::print("peak memory per GPU, held out by source: {} rows, median |error| {:5.1f}%, "
                 "P90 {:5.1f}%\n",
                 memory_abs.size(), 100 * quantile(memory_abs, 0.5), 100 * quantile(memory_abs, 0.9));
    int helped = 0, calibrated_rows = 0;
    for (const auto& e : cv.rows) {
      if (!e.calibrated) continue;
      ++calibrated_rows;
      if (std::fabs(*e.calibrated) < std::fabs(e.held_out)) ++helped;
    }
    fmt::print("calibration with one run lowered the held-out error on {} of {} rows\n", helped,
               calibrated_rows);
    fmt::print("\nheld out, by codebase:\n");
    for (const auto& c : codebases)
      fmt::print("  {:<22} {}\n", c, summary(runs, cv, [&](size_t i) { return runs[i].codebase == c; },
                                             &RowErrors::held_out));
    fmt::print("held out, by detector kind:\n");
    for (const auto& kind : catalog.detector_kinds())
      fmt::print("  {:<22} {}\n", kind.id,
                 summary(runs, cv,
                         [&](size_t i) {
                           return catalog.model(runs[i].scenario.model_id).detector_kind == kind.id;
                         },
                         &RowErrors::held_out));

    const std::string provenance = "bench/fit on bench/data/reference-runs.csv";
    const auto spread = spreads(catalog, runs, cv, provenance);
    fmt::print("\nerror spread ln(predicted/measured), P10..P90 (profiles alone | calibrated):\n");
    for (const auto& u : spread)
      fmt::print("  {:<12} {:+.3f} .. {:+.3f} | {:+.3f} .. {:+.3f}  ({} rows)\n", u.id,
                 u.log_error_p10, u.log_error_p90, u.calibrated_log_error_p10,
                 u.calibrated_log_error_p90, u.rows);

    const double held = quantile(held_abs, 0.5), calibrated = quantile(calibrated_abs, 0.5);
    const bool ok = held <= kTargetHeldOut && calibrated <= kTargetCalibrated;
    fmt::print("\n{}: held-out median |error| {:.1f}% (target {:.0f}%), calibrated {:.1f}% "
               "(target {:.0f}%)\n",
               ok ? "OK" : "MISSED", 100 * held, 100 * kTargetHeldOut, 100 * calibrated,
               100 * kTargetCalibrated);
    if (write) {
      write_knobs(TRAINPLAN_PROFILE_DATA_DIR, knobs, cv.values, runs, provenance);
      write_uncertainty(TRAINPLAN_PROFILE_DATA_DIR, spread);
      fmt::print("wrote the fitted constants and error spread to {}\n", TRAINPLAN_PROFILE_DATA_DIR);
      const int quotes = update_doc_quotes(TRAINPLAN_DOCS_DIR "/costmodel.md", TRAINPLAN_PROFILE_DATA_DIR);
      fmt::print("updated {} quoted figures in docs/costmodel.md\n", quotes);
    }
    return check && !ok ? 1 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "fit: %s\n", e.what());
    return 2;
  }
}
