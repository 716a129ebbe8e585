#pragma once
// The stage graph of a plan (Boost.Graph): dependencies as edges, checked for unknown stages
// and cycles; topological order; and a schedule that runs independent stages at the same time
// on disjoint GPU sets when the GPUs allow, whose end is the plan's makespan.
#include <string>
#include <vector>

#include "trainplan/planner/plan.hpp"

namespace trainplan::planner {

/// Throws InputError naming the stage and JSON path for a duplicate id, an unknown stage in
/// `depends_on` or `init`, or a cycle (listing the stages on it).
void check_stage_graph(const Plan& plan, const std::string& origin);

/// Stage indices in an order where every stage follows its dependencies (ties in file order).
std::vector<size_t> topological_order(const Plan& plan);

/// Places each stage on the timeline: it starts when its dependencies have ended and its GPUs
/// are free (stages take the lowest free GPUs), and lasts its predicted total_seconds. Sets
/// each prediction's start_seconds, end_seconds and gpu_offset, and the summary's makespan.
void schedule_stages(Plan& plan);

/// The longest chain of dependent stages by predicted duration (ignoring GPU limits), as
/// stage indices from first to last.
std::vector<size_t> critical_path(const Plan& plan);

}  // namespace trainplan::planner
