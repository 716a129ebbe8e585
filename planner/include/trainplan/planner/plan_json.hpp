#pragma once
// Plan files: writing, and strict reading (every field checked, unknown fields rejected with
// their JSON path, newer format versions refused).
#include <nlohmann/json.hpp>

#include <string>

#include "trainplan/planner/plan.hpp"

namespace trainplan::planner {

/// The plan as JSON, fields in a fixed order (so equal plans are equal bytes).
nlohmann::ordered_json to_json(const Plan& plan);

/// Reads a plan from JSON; `origin` names the file in messages. Also checks the stage graph
/// (unknown stages in depends_on or init, cycles).
Plan plan_from_json(const nlohmann::json& document, const std::string& origin);

/// Reads a plan file.
Plan read_plan_file(const std::string& path);

/// Writes a plan file atomically: temporary file, fsync, rename. Nothing is left behind on
/// failure.
void write_plan_file(const Plan& plan, const std::string& path);

}  // namespace trainplan::planner
