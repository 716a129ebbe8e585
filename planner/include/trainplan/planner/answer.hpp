#pragma once
// `trainplan ask` and `trainplan plan`: every strategy's best plan, which fit, the
// recommendation with the DESIGN section 1 rules that support it, and the inverse questions
// (GPUs needed, epochs that fit, the cheapest plan that meets the deadline).
#include <optional>
#include <string>
#include <vector>

#include "trainplan/planner/guide_rules.hpp"
#include "trainplan/planner/question.hpp"
#include "trainplan/planner/search.hpp"

namespace trainplan::planner {

/// One strategy's best plan, judged against the question.
struct StrategyVerdict {
  Candidate candidate;
  int gpus_for_budget = -1;    ///< fewest GPUs meeting the time budget; 0 = none up to 1024;
                               ///< -1 = not asked (no budget, or already within it)
  int gpus_for_one_day = -1;   ///< within 24 h (training strategies that do not fit)
  int gpus_for_two_days = -1;  ///< within 48 h
  double most_epochs = -1;     ///< most fine-tune epochs within the budget on these GPUs; -1 = not asked
};

/// The whole answer.
struct Answer {
  Question question;
  std::vector<std::string> assumptions;  ///< each with how to change it
  std::vector<StrategyVerdict> verdicts;  ///< in all_strategies() order
  Strategy recommended = Strategy::kFineTune;
  std::vector<RuleVerdict> rules;        ///< the guide's rules judged, in precedence order
  std::vector<std::string> reasons;      ///< the rules and comparisons behind the choice
  std::optional<Plan> cheapest;          ///< cheapest plan of the recommended strategy within the deadline

  /// The verdict of one strategy.
  const StrategyVerdict& verdict(Strategy strategy) const;
  /// The recommended plan.
  const Plan& plan() const { return verdict(recommended).candidate.plan; }
};

/// Answers a question; throws InputError for unknown ids in it.
Answer answer_question(const profiles::Catalog& catalog, const Question& question);

/// The plan `trainplan plan` writes: the recommended strategy's (or `chosen`'s) best plan with
/// the answer's reasons. Throws InputError when the chosen strategy does not apply.
Plan plan_to_write(const Answer& answer, std::optional<Strategy> chosen = std::nullopt);

}  // namespace trainplan::planner
