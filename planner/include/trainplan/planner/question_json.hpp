#pragma once
// What a question was understood as, in the form `ask --json` prints (DESIGN 3.10).
#include <nlohmann/json.hpp>

#include "trainplan/planner/question.hpp"

namespace trainplan::planner {

/// The `question` object: text, gpus, gpu, nodes, gpus_per_node, budget_hours, max_cost_usd,
/// model, task, images, resolution, intent (each null when neither the question nor a flag
/// gave it), then epochs, unread and warnings.
nlohmann::ordered_json question_to_json(const Question& question);

}  // namespace trainplan::planner
