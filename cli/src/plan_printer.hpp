#pragma once
// Text renderings of plans and answers for `ask`, `plan` and `explain`.
#include <nlohmann/json.hpp>
#include <ostream>

#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan.hpp"

namespace trainplan::cli {

/// A plan's stages as a table, with its schedule and summary.
void print_plan(std::ostream& out, const planner::Plan& plan);

/// The whole answer: assumptions, strategies, inverse answers, recommendation and reasons.
void print_answer(std::ostream& out, const planner::Answer& answer);

/// The answer as JSON: question, assumptions, strategies (with their best plan), the
/// recommendation, reasons and the recommended plan.
nlohmann::ordered_json answer_json(const planner::Answer& answer);

}  // namespace trainplan::cli
