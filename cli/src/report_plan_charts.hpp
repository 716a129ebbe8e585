#pragma once
// The charts of a plan: the strategies compared for its question, the main stage's GPU
// scaling curve, the stages on a timeline, and the Monte Carlo distribution of finish times.
#include <vector>

#include "report_chart.hpp"
#include "trainplan/costmodel/simulation.hpp"
#include "trainplan/planner/plan.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::cli {

/// The Monte Carlo runs the report draws: each run's makespan as well as the summary.
struct ReportSimulation {
  costmodel::SimulationOptions options;  ///< with the plan's deadline and price
  costmodel::SimulationResult result;
  std::vector<double> makespans_s;  ///< run i's makespan, i = 0 .. runs-1
};

/// Simulates the plan (planner::simulate_plan) and replays every run's timeline for its
/// makespan.
ReportSimulation simulate_for_report(const profiles::Catalog& catalog, const planner::Plan& plan,
                                     const costmodel::SimulationOptions& options);

/// Charts 1-4 of docs/report.md.
std::vector<Chart> plan_charts(const profiles::Catalog& catalog, const planner::Plan& plan,
                               const ReportSimulation& simulation);

}  // namespace trainplan::cli
