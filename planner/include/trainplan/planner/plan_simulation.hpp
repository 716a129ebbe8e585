#pragma once
// A plan as the simulator's input (docs/simulator.md section 8): each stage's predicted time
// split into start-up, loader warm-up, training epochs, evaluations and checkpoint writes, so
// that a failure-free simulation ends exactly when the plan's schedule does.
#include <vector>

#include "trainplan/costmodel/simulation.hpp"
#include "trainplan/planner/plan.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// The plan's stages in the schedule's order (dependencies first, ties in file order) with
/// the GPU sets the schedule gave them; `depends_on` indexes into the returned list. Training
/// per epoch is seconds_per_iter x iters_per_epoch; the rest of the stage's total_seconds is
/// start-up (costmodel::kStartupS), one checkpoint per whole epoch (its write time from the
/// cost model's weights for the stage's model, trainable part and optimizer) and evaluations
/// (pass time re-estimated for the stage's eval_dataset; their count from the remainder).
/// Throws InputError naming the stage for ids the catalog does not know.
std::vector<costmodel::SimStage> simulation_stages(const profiles::Catalog& catalog,
                                                   const Plan& plan);

/// `options` with the plan's deadline and price per GPU-hour where it leaves them unset.
costmodel::SimulationOptions with_plan_defaults(const Plan& plan,
                                                costmodel::SimulationOptions options);

/// Monte Carlo simulation of a plan: simulation_stages and with_plan_defaults, then
/// costmodel::simulate. The stages of the result are in simulation_stages' order.
costmodel::SimulationResult simulate_plan(const profiles::Catalog& catalog, const Plan& plan,
                                          const costmodel::SimulationOptions& options);

}  // namespace trainplan::planner
