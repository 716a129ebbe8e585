#pragma once
// The assumptions an answer states, each with the flag that changes it.
#include <string>
#include <vector>

#include "trainplan/planner/question.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// GPU type and count, model, data and schedule, pre-training corpus, price and budgets.
std::vector<std::string> state_assumptions(const profiles::Catalog& catalog,
                                           const Question& question);

}  // namespace trainplan::planner
