#pragma once
// The YOLO-World training guide's decision rules (DESIGN section 1), each judged against a
// question: whether it applies, the fact that decides it, and the strategy it leads to. The
// recommendation is the strategy of the first rule, in precedence order, that applies and
// whose strategy can be used; so no printed rule contradicts the choice.
#include <optional>
#include <string>
#include <vector>

#include "trainplan/planner/question.hpp"
#include "trainplan/planner/search.hpp"

namespace trainplan::planner {

/// About 4 GPUs suits fine-tuning; from this many on, full pre-training is an option.
constexpr int kLargeClusterGpus = 32;
/// A deadline of a day or less is urgent: fine-tune.
constexpr double kUrgentHours = 24;
/// A week or more is long-term: the full pipeline (pre-train, then fine-tune) fits the guide.
/// It is also the horizon within which pre-training asked for without a deadline must finish
/// to be recommended.
constexpr double kLongTermHours = 24 * 7;

/// One rule judged against one question.
struct RuleVerdict {
  std::string name;       ///< hardware, task, time, changed-model, no-weights, resolution, asked
  std::string statement;  ///< the rule as the guide states it
  bool applies = false;
  std::string fact;       ///< what in the question decides it
  std::optional<Strategy> leads_to;  ///< when it applies
  bool chosen = false;    ///< this rule decided the recommendation
  /// The question asks for this (from scratch, a changed model, general detection, an input
  /// size, a strategy by name): its strategy is recommended even when it misses the deadline
  /// or the money, with what would make it fit. The guide's general rules (hardware, time,
  /// domain) choose only among plans that fit.
  bool explicit_ask = false;
  std::string passed_over;  ///< why an applying rule's strategy was not recommended

  /// "task rule (general detection -> ...): applies: ... -> zero-shot".
  std::string text() const;
};

/// The rules in precedence order, judged against the question and the searched candidates
/// (one per strategy, in all_strategies() order): a rule that needs a plan to fit (pre-training
/// asked for) looks at its candidate.
std::vector<RuleVerdict> judge_rules(const Question& question,
                                     const std::vector<Candidate>& candidates);

/// The recommended strategy: the first applying rule's, when that strategy applies to the
/// question, fits in memory, and either was asked for or meets the deadline and the money;
/// else the best-ranked candidate. Marks the deciding rule.
Strategy recommend(std::vector<RuleVerdict>& rules, const std::vector<Candidate>& candidates);

}  // namespace trainplan::planner
