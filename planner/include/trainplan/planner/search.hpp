#pragma once
// The planner's search: for each strategy, every configuration (GPUs used, resolution, epochs,
// per-GPU batch, concurrent or sequential targets) is estimated, checked against the
// constraints, and the best kept; strategies are then ranked (feasible first, then expected
// quality, then time, then cost). The options come from the model's fine-tune recipe
// (recipes_for): its epoch_shares of its epochs, its per_gpu_batch_options, at most
// max_global_batch_scale x its global_batch per fine-tune, inputs split at its resolution.
#include <optional>
#include <string>
#include <vector>

#include "trainplan/planner/plan.hpp"
#include "trainplan/planner/strategies.hpp"

namespace trainplan::planner {

/// The best plan of one strategy, and whether it can be used at all.
struct Candidate {
  Strategy strategy = Strategy::kFineTune;
  bool applicable = true;
  std::string not_applicable;  ///< why, when it is not (a DESIGN section 1 rule)
  bool feasible = false;       ///< applicable, fits memory, deadline, money and quality floor
  Plan plan;                   ///< empty stages when not applicable
  StrategyConfig config;       ///< the configuration that produced the plan
};

/// Whether `a` ranks before `b`: feasible first, then expected quality, then makespan, then
/// cost, then strategy order (deterministic).
bool ranks_before(const Candidate& a, const Candidate& b);

/// Searches every strategy; returns one candidate per strategy in `all_strategies()` order.
std::vector<Candidate> search_strategies(const profiles::Catalog& catalog, const Question& question);

/// The best-ranked candidate.
const Candidate& best_candidate(const std::vector<Candidate>& candidates);

/// The most fine-tune epochs (whole, at most the configuration's, else the recipe's) with which the strategy's
/// plan meets the deadline on the configuration's GPUs; 0 when not even one epoch does.
double most_epochs_within(const profiles::Catalog& catalog, const Question& question,
                          const Candidate& candidate, double hours);

/// The cheapest plan of the strategy (over GPU counts 1..available, the candidate's other
/// settings kept) that meets the deadline; nothing when none does.
std::optional<Plan> cheapest_within(const profiles::Catalog& catalog, const Question& question,
                                    const Candidate& candidate, double hours);

}  // namespace trainplan::planner
