#pragma once
// Writes fitted knob values and the error spread into profiles/data/*.json, each entry
// saying which fit set it.
#include <string>
#include <vector>

#include "knobs.hpp"
#include "trainplan/profiles/types.hpp"

namespace trainplan::bench {

/// Sets each knob's field in its profile file under `data_dir` (rounded to 4 significant
/// digits) and the entry's `fit` to `provenance` plus the knob's rows; files are rewritten
/// atomically, one entry per line.
void write_knobs(const std::string& data_dir, const std::vector<Knob>& knobs,
                 const std::vector<double>& values, const std::vector<ReferenceRun>& runs,
                 const std::string& provenance);

/// Replaces profiles/data/uncertainty.json.
void write_uncertainty(const std::string& data_dir,
                       const std::vector<profiles::UncertaintyProfile>& entries);

/// Rewrites every profile figure `doc_path` quotes as `list/id/field = value` with the value
/// now in `data_dir` (4 significant digits), atomically; returns how many it changed.
int update_doc_quotes(const std::string& doc_path, const std::string& data_dir);

/// A value rounded to `digits` significant digits.
double round_significant(double value, int digits = 4);

}  // namespace trainplan::bench
