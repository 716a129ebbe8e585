#pragma once
// The cost model's fitted constants ("knobs"): one numeric field of one profile entry each,
// with the prior it is pulled towards (bench/data/priors.json).
#include <string>
#include <vector>

#include "reference_runs.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::bench {

/// One fitted constant.
struct Knob {
  std::string list;   ///< architectures, frameworks, detector_kinds or backbones
  std::string id;     ///< the entry's id
  std::string field;  ///< the numeric field
  double prior = 1;         ///< prior mean
  double prior_sd_log = 1;  ///< standard deviation of ln(value) under the prior
  double lower = 0, upper = 0;  ///< bounds on the value
  std::string why;          ///< the prior's reason
  std::vector<size_t> rows; ///< reference rows whose prediction depends on it

  std::string name() const { return list + "/" + id + "/" + field; }
};

/// Every constant some reference row depends on, with its prior from `priors_path`. A
/// codebase missing from the priors takes the "default" entry's values.
std::vector<Knob> knobs_for(const profiles::Catalog& catalog,
                            const std::vector<ReferenceRun>& runs,
                            const std::string& priors_path);

/// The knob's value in `catalog`.
double knob_value(const profiles::Catalog& catalog, const Knob& knob);
/// Sets the knob's value in `catalog`.
void set_knob(profiles::Catalog& catalog, const Knob& knob, double value);

}  // namespace trainplan::bench
