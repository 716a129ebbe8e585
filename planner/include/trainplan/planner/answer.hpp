#pragma once
// `trainplan ask`: every strategy's time, GPU-hours and cost, which fit, a recommendation
// with reasons, and the inverse question (GPUs needed) for those that do not fit.
#include <string>
#include <vector>

#include "trainplan/planner/question.hpp"
#include "trainplan/planner/strategies.hpp"

namespace trainplan::planner {

/// One strategy judged against the question's budget.
struct StrategyVerdict {
  StrategyOption option;
  bool meets_budget = true;   ///< within the time budget (true when none was given)
  bool meets_cost = true;     ///< within the money budget (true when none was given)
  bool feasible = true;       ///< fits memory, time and money
  int gpus_for_budget = -1;   ///< fewest GPUs meeting the time budget; 0 = none up to 1024;
                              ///< -1 = not asked (no budget, or already feasible)
  int gpus_for_one_day = -1;  ///< fewest GPUs finishing within 24 h (training strategies)
  int gpus_for_two_days = -1; ///< within 48 h
};

/// The whole answer.
struct Answer {
  Question question;
  std::vector<std::string> assumptions;  ///< each with how to change it
  std::vector<StrategyVerdict> verdicts;  ///< zero-shot, fine-tune, progressive, pre-train
  Strategy recommended = Strategy::kFineTune;
  std::vector<std::string> reasons;      ///< the DESIGN section 1 rules that applied
};

/// Answers a question; throws InputError for unknown ids in it.
Answer answer_question(const profiles::Catalog& catalog, const Question& question);

}  // namespace trainplan::planner
