#include "trainplan/planner/search.hpp"

#include <algorithm>
#include <cmath>

#include "trainplan/planner/applicability.hpp"
#include "trainplan/planner/plan_builder.hpp"

namespace trainplan::planner {

namespace {

// A configuration must be this much faster to replace an equal-quality one found earlier
// (closer to the recipe), so that noise-level gains do not move plans off the recipe.
constexpr double kClearlyFaster = 0.97;

// The input sides a strategy considers: the question's, split at the fine-tune recipe's own
// input (above it is high resolution); the recipe's own when the question names none.
std::vector<double> resolutions_for(const Question& q, Strategy s,
                                    const profiles::RecipeProfile& finetune) {
  const double own = finetune.resolution.width_px;
  std::vector<double> out;
  for (const auto& r : q.resolutions) {
    bool high = r.width_px > own;
    if (s == Strategy::kHighResFineTune ? high : !high) out.push_back(r.width_px);
  }
  if (out.empty() && s != Strategy::kHighResFineTune) out.push_back(own);
  return out;
}

// GPUs worth giving one fine-tune at `per_gpu_batch`: more would only grow the global batch
// past the recipe's range (max_global_batch_scale x global_batch).
int useful_gpus(const profiles::RecipeProfile& finetune, int per_gpu_batch) {
  const double largest_batch = finetune.max_global_batch_scale * finetune.global_batch;
  // Clamped before the conversion: a huge scale in a profile must not overflow an int.
  return int(std::clamp(std::floor(largest_batch / per_gpu_batch), 1.0, 1e9));
}

bool feasible(const Question& q, const Plan& plan) {
  const auto& m = plan.summary;
  bool quality_ok = !q.min_quality_ap ||
                    (m.expected_quality && m.expected_quality->value >= *q.min_quality_ap);
  return m.fits_memory && m.meets_deadline && m.meets_budget && quality_ok;
}

Candidate judge(const profiles::Catalog& catalog, const Question& q, Strategy s,
                const StrategyConfig& config) {
  Candidate c;
  c.strategy = s;
  c.config = config;
  c.plan = to_plan(catalog, q, evaluate_strategy(catalog, q, s, config));
  c.feasible = feasible(q, c.plan);
  return c;
}

double quality_of(const Candidate& c) {
  const auto& e = c.plan.summary.expected_quality;
  return e ? e->value : -1.0;
}

bool clearly_better(const Candidate& c, const Candidate& best) {
  if (c.feasible != best.feasible) return c.feasible;
  if (quality_of(c) != quality_of(best)) return quality_of(c) > quality_of(best);
  // With no published quality to tell them apart, a shorter schedule is not better for being
  // faster: the asked (or the recipe's) epochs stand unless they do not fit.
  if (c.config.finetune_epochs != best.config.finetune_epochs)
    return c.config.finetune_epochs > best.config.finetune_epochs;
  return c.plan.summary.makespan_seconds < kClearlyFaster * best.plan.summary.makespan_seconds;
}

}  // namespace

bool ranks_before(const Candidate& a, const Candidate& b) {
  if (a.applicable != b.applicable) return a.applicable;
  if (a.feasible != b.feasible) return a.feasible;
  if (quality_of(a) != quality_of(b)) return quality_of(a) > quality_of(b);
  const auto& ma = a.plan.summary;
  const auto& mb = b.plan.summary;
  if (ma.makespan_seconds != mb.makespan_seconds) return ma.makespan_seconds < mb.makespan_seconds;
  if (ma.cost_usd != mb.cost_usd) return ma.cost_usd < mb.cost_usd;
  return int(a.strategy) < int(b.strategy);
}

std::vector<Candidate> search_strategies(const profiles::Catalog& catalog, const Question& q) {
  std::vector<Candidate> result;
  const int targets = std::max<int>(1, int(q.targets.size()));
  // The fine-tune recipe's options span the search; earlier options win ties.
  const auto& finetune = *recipes_for(catalog, q.model_id).finetune;
  for (Strategy s : all_strategies()) {
    const auto resolutions = resolutions_for(q, s, finetune);
    Candidate best;
    best.strategy = s;
    best.not_applicable = not_applicable(catalog, q, s, resolutions);
    if (!best.not_applicable.empty()) {
      best.applicable = false;
      result.push_back(best);
      continue;
    }
    if (s == Strategy::kZeroShot) {
      StrategyConfig config;
      config.gpus = q.gpus;
      result.push_back(judge(catalog, q, s, config));
      continue;
    }
    // The asker's own schedule ("300 epochs") replaces the recipe's.
    const double base_epochs = q.epochs ? *q.epochs : finetune.epochs;
    bool have = false;
    for (double resolution : resolutions)
      for (double share : finetune.epoch_shares)
        for (int per_gpu : finetune.per_gpu_batch_options)
          for (bool concurrent : {true, false}) {
            if (concurrent && targets == 1) continue;
            StrategyConfig config;
            config.resolution = resolution;
            config.per_gpu_batch = per_gpu;
            config.finetune_epochs = std::max(1.0, std::round(base_epochs * share));
            const int per_target = concurrent ? std::max(1, q.gpus / targets) : q.gpus;
            config.gpus = q.gpus;
            config.target_gpus = std::min(per_target, useful_gpus(finetune, per_gpu));
            Candidate c = judge(catalog, q, s, config);
            if (!have || clearly_better(c, best)) best = c;
            have = true;
          }
    // Missing only the deadline: the longest schedule that meets it, down to the recipe's
    // shortest (a shorter fine-tune beats none; its expected AP says what it costs).
    if (have && !best.feasible && best.plan.summary.fits_memory && best.plan.summary.meets_budget &&
        q.budget_hours && *q.budget_hours > 0 && s != Strategy::kPreTrain) {
      const double epochs = most_epochs_within(catalog, q, best, *q.budget_hours);
      if (epochs >= finetune.min_epoch_share * base_epochs) {
        StrategyConfig config = best.config;
        config.finetune_epochs = epochs;
        Candidate shorter = judge(catalog, q, s, config);
        if (shorter.feasible) best = shorter;
      }
    }
    result.push_back(best);
  }
  return result;
}

const Candidate& best_candidate(const std::vector<Candidate>& candidates) {
  return *std::min_element(candidates.begin(), candidates.end(), ranks_before);
}

double most_epochs_within(const profiles::Catalog& catalog, const Question& q,
                          const Candidate& candidate, double hours) {
  if (!candidate.applicable || candidate.strategy == Strategy::kZeroShot) return 0;
  auto meets = [&](double epochs) {
    StrategyConfig config = candidate.config;
    config.finetune_epochs = epochs;
    Plan plan = to_plan(catalog, q, evaluate_strategy(catalog, q, candidate.strategy, config));
    return plan.summary.fits_memory && plan.summary.makespan_seconds <= hours * 3600;
  };
  double hi = candidate.config.finetune_epochs > 0
                  ? candidate.config.finetune_epochs
                  : recipes_for(catalog, q.model_id).finetune->epochs;
  if (meets(hi)) return hi;
  if (!meets(1)) return 0;
  double lo = 1;
  while (hi - lo > 1) {
    double mid = std::floor((lo + hi) / 2);
    if (meets(mid)) lo = mid; else hi = mid;
  }
  return lo;
}

std::optional<Plan> cheapest_within(const profiles::Catalog& catalog, const Question& q,
                                    const Candidate& candidate, double hours) {
  if (!candidate.applicable) return std::nullopt;
  std::optional<Plan> cheapest;
  for (int gpus : gpu_count_ladder(q.gpus)) {
    StrategyConfig config = candidate.config;
    config.gpus = gpus;
    config.target_gpus = std::min(gpus, candidate.config.target_gpus > 0 ? candidate.config.target_gpus : gpus);
    Plan plan = to_plan(catalog, q, evaluate_strategy(catalog, q, candidate.strategy, config));
    if (!plan.summary.fits_memory || plan.summary.makespan_seconds > hours * 3600) continue;
    if (!cheapest || plan.summary.cost_usd < cheapest->summary.cost_usd) cheapest = plan;
  }
  return cheapest;
}

}  // namespace trainplan::planner
