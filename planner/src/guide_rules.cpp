#include "trainplan/planner/guide_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace trainplan::planner {

namespace {

constexpr int kSmallClusterGpus = 8;

std::string hours_text(double hours) {
  if (hours >= 48) return fmt::format("{:.1f} days", hours / 24);
  return fmt::format("{:.1f} h", hours);
}

const Candidate& candidate_of(const std::vector<Candidate>& candidates, Strategy s) {
  for (const auto& c : candidates)
    if (c.strategy == s) return c;
  return candidates.front();
}

double hours_of(const Candidate& c) { return c.plan.summary.makespan_seconds / 3600; }

RuleVerdict rule(std::string name, std::string statement) {
  RuleVerdict r;
  r.name = std::move(name);
  r.statement = std::move(statement);
  return r;
}

// Pre-training, asked for or suggested by the guide, is recommended only when its plan fits:
// within the deadline, or within a week when none is given (4 V100s take about 16 days).
bool pretraining_fits(const Question& q, const Candidate& pretrain, std::string& fact) {
  if (!pretrain.applicable) {
    fact = "pre-training does not apply: " + pretrain.not_applicable;
    return false;
  }
  const double hours = hours_of(pretrain);
  const int gpus = q.gpus;
  if (!pretrain.plan.summary.fits_memory) {
    fact = fmt::format("pre-training does not fit in GPU memory on {} GPUs", gpus);
    return false;
  }
  if (q.budget_hours) {
    if (!pretrain.feasible) {
      fact = fmt::format("pre-training then fine-tuning takes {} on {} GPUs, over the budget of {}",
                         hours_text(hours), gpus, hours_text(*q.budget_hours));
      return false;
    }
    fact = fmt::format("pre-training then fine-tuning takes {} on {} GPUs, within the budget of {}",
                       hours_text(hours), gpus, hours_text(*q.budget_hours));
    return true;
  }
  if (hours > kLongTermHours) {
    fact = fmt::format("pre-training then fine-tuning takes {} on {} GPUs, longer than a week "
                       "with no deadline given",
                       hours_text(hours), gpus);
    return false;
  }
  fact = fmt::format("pre-training then fine-tuning takes {} on {} GPUs", hours_text(hours), gpus);
  return true;
}

bool high_resolution(const Question& q) {
  return std::any_of(q.resolutions.begin(), q.resolutions.end(),
                     [](const auto& r) { return r.width_px > 640; });
}

}  // namespace

std::string RuleVerdict::text() const {
  std::string out = fmt::format("{} rule ({}): {}: {}", name, statement,
                                applies ? "applies" : "does not apply", fact);
  if (applies && leads_to) out += fmt::format(" -> {}", to_string(*leads_to));
  if (chosen) out += " (recommended)";
  if (!passed_over.empty()) out += " (passed over: " + passed_over + ")";
  return out;
}

std::vector<RuleVerdict> judge_rules(const Question& q, const std::vector<Candidate>& candidates) {
  std::vector<RuleVerdict> rules;
  const Candidate& pretrain = candidate_of(candidates, Strategy::kPreTrain);

  auto r = rule("no-weights", "no usable published weights, training from scratch -> pre-train");
  r.applies = q.intent == "from-scratch";
  r.fact = r.applies ? "training from scratch is asked for" : "published weights can be used";
  r.leads_to = Strategy::kPreTrain;
  r.explicit_ask = true;
  rules.push_back(r);

  r = rule("changed-model", "a changed pre-trained model -> progressive training: continue "
                            "pre-training it, then fine-tune on the task");
  r.applies = q.changed_model;
  r.fact = r.applies ? "the model was changed (head, neck, backbone or vocabulary)"
                     : "the model is as published";
  r.leads_to = Strategy::kProgressive;
  r.explicit_ask = true;
  rules.push_back(r);

  r = rule("time", "no training time -> the pre-trained model as it is");
  r.applies = q.budget_hours && *q.budget_hours == 0;
  r.fact = r.applies ? "no training time" : "there is time to train";
  r.leads_to = Strategy::kZeroShot;
  r.explicit_ask = true;
  rules.push_back(r);

  r = rule("task", "general detection -> the pre-trained model as it is (zero-shot, open "
                   "vocabulary)");
  r.applies = q.task == "general";
  r.fact = r.applies ? "general detection, no target data" : fmt::format("the task is {}", q.task);
  r.leads_to = Strategy::kZeroShot;
  r.explicit_ask = true;
  rules.push_back(r);

  r = rule("resolution", "inputs above 640 -> fine-tune the pre-trained weights at that size "
                         "(YOLO-World-v2-L-1280 was made so, not by pre-training at 1280)");
  r.applies = high_resolution(q);
  r.fact = r.applies ? fmt::format("input {:g}", q.resolutions.back().width_px) : "input 640";
  r.leads_to = Strategy::kHighResFineTune;
  r.explicit_ask = true;
  rules.push_back(r);

  r = rule("asked", "the strategy asked for, when it applies and fits");
  r.explicit_ask = true;
  r.fact = q.intent.empty() ? "no strategy asked for" : "asked: " + q.intent;
  if (q.intent == "pretrain") {
    r.applies = pretraining_fits(q, pretrain, r.fact);
    r.fact = "pre-training asked for; " + r.fact;
    r.leads_to = Strategy::kPreTrain;
  } else if (q.intent == "prompt-tune") {
    r.applies = true;
    r.leads_to = Strategy::kPromptTune;
  } else if (q.intent == "frozen-backbone") {
    r.applies = true;
    r.leads_to = Strategy::kFrozenFineTune;
  } else if (q.intent == "finetune") {
    r.applies = true;
    r.leads_to = Strategy::kFineTune;
  }
  rules.push_back(r);

  r = rule("hardware and time", "a large cluster -> full pre-training is an option; long-term "
                                "research -> the full training pipeline");
  const bool large = q.gpus >= kLargeClusterGpus;
  const bool long_term = q.budget_hours && *q.budget_hours >= kLongTermHours;
  if (large && long_term) {
    r.applies = pretraining_fits(q, pretrain, r.fact);
    r.fact = fmt::format("{} GPUs and {}; ", q.gpus, hours_text(*q.budget_hours)) + r.fact;
  } else {
    r.fact = fmt::format("{} GPUs ({} cluster), {}", q.gpus, large ? "a large" : "not a large",
                         long_term ? "long-term" : q.budget_hours ? "not long-term" : "no deadline");
  }
  r.leads_to = Strategy::kPreTrain;
  rules.push_back(r);

  r = rule("hardware", "about 4 GPUs -> fine-tune");
  r.applies = q.gpus <= kSmallClusterGpus;
  r.fact = fmt::format("{} GPU{}", q.gpus, q.gpus == 1 ? "" : "s");
  r.leads_to = Strategy::kFineTune;
  rules.push_back(r);

  r = rule("time", "urgent -> fine-tune");
  r.applies = q.budget_hours && *q.budget_hours > 0 && *q.budget_hours <= kUrgentHours;
  r.fact = q.budget_hours ? fmt::format("a budget of {}", hours_text(*q.budget_hours)) : "no deadline";
  r.leads_to = Strategy::kFineTune;
  rules.push_back(r);

  r = rule("task", "a specific domain -> domain-adaptation fine-tune from the pre-trained weights");
  r.applies = q.task != "general";
  r.fact = q.task == "custom" ? "your own data" : fmt::format("the task is {}", q.task);
  r.leads_to = Strategy::kFineTune;
  rules.push_back(r);
  return rules;
}

Strategy recommend(std::vector<RuleVerdict>& rules, const std::vector<Candidate>& candidates) {
  for (auto& r : rules) {
    if (!r.applies || !r.leads_to) continue;
    const Candidate& c = candidate_of(candidates, *r.leads_to);
    // A rule's strategy is usable when it applies to this model and question and fits in
    // memory; missing the deadline or the money is reported with what would fix it.
    if (!c.applicable) {
      r.passed_over = c.not_applicable;
      continue;
    }
    if (!c.plan.summary.fits_memory) {
      r.passed_over = "does not fit in GPU memory";
      continue;
    }
    if (!r.explicit_ask && !c.feasible && best_candidate(candidates).feasible) {
      r.passed_over = fmt::format("its plan does not fit the budget and {} does",
                                  to_string(best_candidate(candidates).strategy));
      continue;
    }
    r.chosen = true;
    return *r.leads_to;
  }
  return best_candidate(candidates).strategy;
}

}  // namespace trainplan::planner
