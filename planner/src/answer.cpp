#include "trainplan/planner/answer.hpp"

#include <fmt/format.h>

#include "trainplan/error.hpp"
#include "trainplan/planner/assumptions.hpp"

namespace trainplan::planner {

namespace {

// "About 4 GPUs -> fine-tune; a large cluster -> full pre-training is an option" (DESIGN 1).
constexpr int kSmallClusterGpus = 8;
constexpr int kLargeClusterGpus = 32;
// A budget of a day or less is "urgent"; a week or more leaves room for the full pipeline.
constexpr double kUrgentHours = 24;
constexpr double kLongTermHours = 24 * 7;

std::string hours_text(double hours) {
  if (hours >= 48) return fmt::format("{:.1f} days", hours / 24);
  return fmt::format("{:.1f} h", hours);
}

std::string quality_text(const Plan& plan) {
  const auto& q = plan.summary.expected_quality;
  return q ? fmt::format("{:.1f} AP on {}", q->value, q->dataset) : std::string("unknown AP");
}

StrategyVerdict inverse(const profiles::Catalog& catalog, const Question& q, const Candidate& c) {
  StrategyVerdict v;
  v.candidate = c;
  if (!c.applicable || c.strategy == Strategy::kZeroShot) return v;
  const auto& m = c.plan.summary;
  if (q.budget_hours && *q.budget_hours > 0 && !m.meets_deadline) {
    v.gpus_for_budget = fewest_gpus_within(catalog, q, c.strategy, *q.budget_hours);
    v.most_epochs = most_epochs_within(catalog, q, c, *q.budget_hours);
  }
  if (!c.feasible || c.strategy == Strategy::kPreTrain) {
    v.gpus_for_one_day = fewest_gpus_within(catalog, q, c.strategy, 24);
    v.gpus_for_two_days = fewest_gpus_within(catalog, q, c.strategy, 48);
  }
  return v;
}

void add_rule_reasons(Answer& a) {
  const Question& q = a.question;
  const Strategy r = a.recommended;
  if (q.task == "general")
    a.reasons.push_back("task: general detection -> use the pre-trained model as it is "
                        "(zero-shot, open vocabulary)");
  else if (r != Strategy::kZeroShot && !q.changed_model)
    a.reasons.push_back(fmt::format("task: {} is a specific domain -> domain-adaptation fine-tune "
                                    "from the pre-trained weights", q.targets.empty() ? q.task : "each target"));
  if (q.changed_model)
    a.reasons.push_back("model: changed (new head, vocabulary or input) -> progressive training: "
                        "first train it on the pre-training data, then fine-tune on the task");
  if (q.gpus <= kSmallClusterGpus)
    a.reasons.push_back(fmt::format("hardware: {} GPUs -> fine-tune (about 4 GPUs suits "
                                    "fine-tuning; pre-training wants a large cluster)", q.gpus));
  else if (q.gpus >= kLargeClusterGpus)
    a.reasons.push_back(fmt::format("hardware: {} GPUs is a large cluster -> full pre-training is "
                                    "an option", q.gpus));
  if (q.budget_hours && *q.budget_hours == 0)
    a.reasons.push_back("time: no training time -> the pre-trained weights zero-shot");
  else if (q.budget_hours && *q.budget_hours <= kUrgentHours)
    a.reasons.push_back(fmt::format("time: {} is urgent -> fine-tune", hours_text(*q.budget_hours)));
  else if (!q.budget_hours || *q.budget_hours >= kLongTermHours)
    a.reasons.push_back("time: long-term -> the full training pipeline is possible");
}

void add_comparison_reasons(Answer& a) {
  const Plan& best = a.plan();
  if (!best.stages.empty() && best.stages.front().kind != "zero-shot")
    a.reasons.push_back(fmt::format("{} takes {} on {} GPUs for {} (expected {})",
                                    to_string(a.recommended),
                                    hours_text(best.summary.makespan_seconds / 3600), a.question.gpus,
                                    fmt::format("${:.0f}", best.summary.cost_usd), quality_text(best)));
  for (const auto& v : a.verdicts) {
    const auto& c = v.candidate;
    if (c.strategy == a.recommended || !c.applicable) continue;
    if (!c.feasible) {
      std::string why = !c.plan.summary.fits_memory ? "does not fit in GPU memory"
                        : !c.plan.summary.meets_deadline
                            ? fmt::format("takes {}, over the budget",
                                          hours_text(c.plan.summary.makespan_seconds / 3600))
                        : !c.plan.summary.meets_budget
                            ? fmt::format("costs ${:.0f}, over the budget", c.plan.summary.cost_usd)
                            : "is below the quality floor";
      std::string fix;
      if (v.gpus_for_budget > 0) fix += fmt::format("; {} GPUs would meet the deadline", v.gpus_for_budget);
      if (v.most_epochs > 0) fix += fmt::format("; {:g} epochs would fit", v.most_epochs);
      a.reasons.push_back(fmt::format("{} {}{}", to_string(c.strategy), why, fix));
    } else if (ranks_before(a.verdict(a.recommended).candidate, c)) {
      a.reasons.push_back(fmt::format("{} also fits but ranks lower (expected {}, {})",
                                      to_string(c.strategy), quality_text(c.plan),
                                      hours_text(c.plan.summary.makespan_seconds / 3600)));
    }
  }
}

}  // namespace

const StrategyVerdict& Answer::verdict(Strategy strategy) const {
  for (const auto& v : verdicts)
    if (v.candidate.strategy == strategy) return v;
  return verdicts.front();
}

Answer answer_question(const profiles::Catalog& catalog, const Question& question) {
  Answer a;
  a.question = question;
  catalog.model(question.model_id);  // unknown ids fail before any estimate
  catalog.gpu(question.gpu_id);
  a.assumptions = state_assumptions(catalog, question);
  const auto candidates = search_strategies(catalog, question);
  for (const auto& c : candidates) a.verdicts.push_back(inverse(catalog, question, c));
  a.recommended = best_candidate(candidates).strategy;
  add_rule_reasons(a);
  add_comparison_reasons(a);
  if (question.budget_hours && *question.budget_hours > 0)
    a.cheapest = cheapest_within(catalog, question, a.verdict(a.recommended).candidate,
                                 *question.budget_hours);
  return a;
}

Plan plan_to_write(const Answer& answer, std::optional<Strategy> chosen) {
  const auto& candidate = answer.verdict(chosen ? *chosen : answer.recommended).candidate;
  if (!candidate.applicable)
    throw InputError(fmt::format("--strategy: {} does not apply to this question: {}",
                                 to_string(candidate.strategy), candidate.not_applicable));
  Plan plan = candidate.plan;
  plan.reasons = answer.reasons;
  return plan;
}

}  // namespace trainplan::planner
