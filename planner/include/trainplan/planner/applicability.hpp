#pragma once
// DESIGN section 1's rules that make a strategy unusable for a question (the published
// weights do not fit a changed model, general detection has no target data, ...).
#include <string>
#include <vector>

#include "trainplan/planner/question.hpp"
#include "trainplan/planner/strategies.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// Why `strategy` cannot be used for the question, or "" when it can. `resolutions` are the
/// input sides the strategy would consider.
std::string not_applicable(const profiles::Catalog& catalog, const Question& question,
                           Strategy strategy, const std::vector<double>& resolutions);

}  // namespace trainplan::planner
