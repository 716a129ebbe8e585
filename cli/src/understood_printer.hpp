#pragma once
// The opening of `ask` and `plan`: what the question was understood as, the words not used,
// and the reader's warnings, so a misreading is seen before any figure is trusted.
#include <ostream>

#include "trainplan/planner/question.hpp"

namespace trainplan::cli {

/// "Understood: 32 GPUs (4 nodes x 8) of a100-sxm4-80gb, budget 7.0 days, ..." then
/// "Not used: ..." and one "Warning: ..." line each.
void print_understood(std::ostream& out, const planner::Question& question);

}  // namespace trainplan::cli
