#include "trainplan/planner/answer.hpp"

#include <fmt/format.h>

#include "trainplan/error.hpp"
#include "trainplan/planner/assumptions.hpp"
#include "trainplan/planner/quality.hpp"

namespace trainplan::planner {

namespace {

std::string hours_text(double hours) {
  if (hours >= 48) return fmt::format("{:.1f} days", hours / 24);
  return fmt::format("{:.1f} h", hours);
}

std::string quality_text(const Plan& plan) { return quality_summary(plan.summary.expected_quality); }

StrategyVerdict inverse(const profiles::Catalog& catalog, const Question& q, const Candidate& c) {
  StrategyVerdict v;
  v.candidate = c;
  if (!c.applicable || c.strategy == Strategy::kZeroShot) return v;
  const auto& m = c.plan.summary;
  if (q.budget_hours && *q.budget_hours > 0 && !m.meets_deadline) {
    v.gpus_for_budget = fewest_gpus_within(catalog, q, c.strategy, *q.budget_hours, 1024, &c.config);
    v.most_epochs = most_epochs_within(catalog, q, c, *q.budget_hours);
  }
  if (!c.feasible || c.strategy == Strategy::kPreTrain) {
    v.gpus_for_one_day = fewest_gpus_within(catalog, q, c.strategy, 24, 1024, &c.config);
    v.gpus_for_two_days = fewest_gpus_within(catalog, q, c.strategy, 48, 1024, &c.config);
  }
  return v;
}

// Every rule that applied, and the ones about pre-training that were weighed, each saying
// whether it applied; the deciding one is marked.
void add_rule_reasons(Answer& a) {
  for (const auto& r : a.rules) {
    // The asked rule is shown when it weighed a strategy (pre-training that may not fit); an
    // intent with a rule of its own (from scratch, changed model) is shown there.
    const bool weighed = (r.name == "asked" && r.leads_to.has_value()) ||
                         (r.name == "hardware and time" && r.fact.find("pre-training") != std::string::npos);
    if (r.applies || weighed) a.reasons.push_back(r.text());
  }
}

// Why a plan does not fit, and what would make it fit.
std::string shortfall(const StrategyVerdict& v) {
  const auto& m = v.candidate.plan.summary;
  std::string why = !m.fits_memory      ? "does not fit in GPU memory"
                    : !m.meets_deadline ? fmt::format("takes {}, over the budget",
                                                      hours_text(m.makespan_seconds / 3600))
                    : !m.meets_budget   ? fmt::format("costs ${:.0f}, over the budget", m.cost_usd)
                                        : "is below the quality floor";
  if (v.gpus_for_budget > 0) why += fmt::format("; {} GPUs would meet the deadline", v.gpus_for_budget);
  if (v.most_epochs > 0) why += fmt::format("; {:g} fine-tune epochs would fit", v.most_epochs);
  return why;
}

// The recommended plan's figures, then every other strategy's, stated without ranking words
// so that none contradicts a choice the rules made.
void add_comparison_reasons(Answer& a) {
  const auto& chosen = a.verdict(a.recommended);
  const Plan& best = chosen.candidate.plan;
  if (!best.stages.empty() && best.stages.front().kind != "zero-shot")
    a.reasons.push_back(fmt::format("{} takes {} on {} GPU{} for {} ({:g} epochs; expected {}){}",
                                    to_string(a.recommended),
                                    hours_text(best.summary.makespan_seconds / 3600), a.question.gpus,
                                    a.question.gpus == 1 ? "" : "s",
                                    fmt::format("${:.0f}", best.summary.cost_usd),
                                    best.stages.back().epochs, quality_text(best),
                                    chosen.candidate.feasible ? "" : "; it " + shortfall(chosen)));
  for (const auto& v : a.verdicts) {
    const auto& c = v.candidate;
    if (c.strategy == a.recommended || !c.applicable) continue;
    if (!c.feasible)
      a.reasons.push_back(fmt::format("{} {}", to_string(c.strategy), shortfall(v)));
    else
      a.reasons.push_back(fmt::format("{} also fits: expected {}, {}, ${:.0f}", to_string(c.strategy),
                                      quality_text(c.plan),
                                      hours_text(c.plan.summary.makespan_seconds / 3600),
                                      c.plan.summary.cost_usd));
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
  a.rules = judge_rules(question, candidates);
  a.recommended = recommend(a.rules, candidates);
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
