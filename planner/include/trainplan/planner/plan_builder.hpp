#pragma once
// Turns an evaluated strategy into a plan: stages as DESIGN 3.6 writes them, scheduled on the
// question's GPUs, with totals, constraint checks and the expected quality.
#include "trainplan/planner/plan.hpp"
#include "trainplan/planner/strategies.hpp"

namespace trainplan::planner {

/// The data set a plan's quality is judged on (coco-val2017 or lvis-minival).
std::string quality_dataset(const profiles::Catalog& catalog, const Question& question);

/// Builds, schedules and judges the plan of one evaluated option.
Plan to_plan(const profiles::Catalog& catalog, const Question& question,
             const StrategyOption& option);

}  // namespace trainplan::planner
