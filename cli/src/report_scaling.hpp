#pragma once
// The GPU-count scaling curve of a plan's main stage, from the cost model.
#include <vector>

#include "trainplan/planner/plan.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::cli {

/// One point of the curve.
struct ScalingPoint {
  int gpus = 0;
  double seconds = 0;  ///< the stage's predicted total time on `gpus` GPUs
  double cost_usd = 0;
};

/// The stage with the longest predicted time (the plan's main stage); nullptr when no stage
/// trains.
const planner::PlanStage* main_stage(const planner::Plan& plan);

/// The main stage's predicted time on 1, 2, 4, ... `max_gpus` GPUs with its per-GPU batch kept
/// (the global batch grows with the GPUs, as the planner's search scales it). GPU counts the
/// cluster shape cannot hold (not a whole number of nodes) are left out.
std::vector<ScalingPoint> scaling_curve(const profiles::Catalog& catalog, const planner::Plan& plan,
                                        const planner::PlanStage& stage, int max_gpus = 64);

}  // namespace trainplan::cli
