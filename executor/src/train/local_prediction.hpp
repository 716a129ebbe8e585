#pragma once
// The cost model's view of a stage run on this machine: the `cpu` GPU profile, one core per
// rank, the libtorch-cpu codebase, counts from the data set's index cache.
#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/executor/execution_plan.hpp"

namespace trainplan::executor {

/// The scenario of `stage` on `world` local ranks.
costmodel::Scenario local_scenario(const ExecStage& stage, int world);

/// The profiles every local prediction uses (embedded in the program).
const profiles::Catalog& local_catalog();

/// The cost model's estimate for a stage on this machine, or 0 when the model has no profile.
double predict_local_seconds(const ExecStage& stage, int world);

}  // namespace trainplan::executor
