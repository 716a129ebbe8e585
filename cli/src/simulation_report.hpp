#pragma once
// The simulator in the CLI: its flags (shared by `simulate`, `ask` and `plan`), and its
// results as text and JSON.
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "trainplan/costmodel/simulation.hpp"
#include "trainplan/planner/plan.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::cli {

/// Raw flag text; empty = not given. Kept as text so that every bad value gets one message
/// naming its flag, whatever is wrong with it.
struct SimulationFlags {
  std::string runs, seed, mtbf_hours, restart_minutes, checkpoint_every;
};

/// The options the flags describe; InputError naming the flag, the value and what is
/// accepted (runs 1..10,000,000; MTBF and restart time positive numbers; checkpoint interval
/// auto, epoch or a duration such as 30m).
costmodel::SimulationOptions simulation_options(const SimulationFlags& flags);

/// Runs and seed `ask` and `plan` simulate with when --mtbf-hours is given.
constexpr long long kQuestionSimulationRuns = 10'000;
constexpr unsigned kQuestionSimulationSeed = 1;

/// For `ask` and `plan`: the simulation options when --mtbf-hours was given (checked now,
/// before any work), nothing otherwise.
std::optional<costmodel::SimulationOptions> question_simulation(const std::string& mtbf_hours,
                                                                const std::string& restart_minutes);

/// One simulation with the plan it simulated.
struct PlanSimulation {
  costmodel::SimulationOptions options;  ///< with the plan's deadline and price
  costmodel::SimulationResult result;
};

/// Simulates `plan` (planner::simulate_plan).
PlanSimulation simulate(const profiles::Catalog& catalog, const planner::Plan& plan,
                        const costmodel::SimulationOptions& options);

/// The `simulate` report: makespan distribution, deadline odds, GPU-hours and cost, and a
/// per-stage table of failures, lost work and checkpoint interval.
void print_simulation(std::ostream& out, const planner::Plan& plan, const PlanSimulation& sim);

/// The paragraph `ask` and `plan` add: P90 makespan and the deadline probability.
void print_simulation_paragraph(std::ostream& out, const planner::Plan& plan,
                                const PlanSimulation& sim);

/// The simulation as one JSON object (the `simulate --json` output and the "simulation" key
/// of `ask --json` and `plan --json`).
nlohmann::ordered_json simulation_json(const planner::Plan& plan, const PlanSimulation& sim);

}  // namespace trainplan::cli
