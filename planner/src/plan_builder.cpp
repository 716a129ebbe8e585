#include "trainplan/planner/plan_builder.hpp"

#include <fmt/format.h>

#include <cmath>

#include "trainplan/planner/plan_graph.hpp"
#include "trainplan/planner/quality.hpp"

namespace trainplan::planner {

namespace {

PlanStage to_plan_stage(const StageEstimate& s) {
  PlanStage p;
  p.id = s.id;
  p.kind = s.kind;
  p.depends_on = s.depends_on;
  p.init = s.init;
  p.model = s.scenario.model_id;
  p.dataset = s.dataset;
  p.eval_dataset = s.eval_dataset;
  p.resolution = s.scenario.resolution;
  p.epochs = s.scenario.epochs;
  p.global_batch = s.scenario.global_batch;
  p.gpus = s.scenario.gpus;
  p.nodes = s.scenario.nodes;
  p.trainable = costmodel::to_string(s.scenario.trainable);
  p.optimizer.type = s.optimizer.empty() ? "adamw" : s.optimizer;
  p.optimizer.weight_decay = s.weight_decay;
  p.optimizer.momentum = s.momentum;
  p.optimizer.warmup_epochs = s.warmup_epochs;
  p.lr = s.lr;
  // A zero-shot stage trains nothing: no augmentation and no precision to choose.
  if (s.kind != "zero-shot") {
    p.augment = PlanAugment{s.scenario.mosaic, s.close_mosaic_epochs};
    p.amp = s.scenario.amp;
  }
  const auto& e = s.estimate;
  auto& r = p.prediction;
  r.seconds_per_iter = e.seconds_per_iter;
  r.iters_per_epoch = e.iters_per_epoch;
  r.total_seconds = e.total_seconds;
  r.total_seconds_p10 = e.total_seconds_p10;
  r.total_seconds_p90 = e.total_seconds_p90;
  r.per_gpu_batch = e.per_gpu_batch;
  r.micro_batch = e.micro_batch;
  r.accumulation_steps = e.accumulation_steps;
  r.memory_gb = e.memory.total_gb;
  r.fits_memory = e.fits_memory;
  r.gpu_hours = e.gpu_hours;
  r.cost_usd = e.cost_usd;
  return p;
}

std::string plan_name(const Question& q, const StrategyOption& option) {
  return fmt::format("{}-{}-{}x{}", to_string(option.strategy),
                     q.targets.empty() ? q.task : fmt::format("{}targets", q.targets.size()),
                     q.gpus, q.gpu_id);
}

}  // namespace

std::string quality_dataset(const profiles::Catalog& catalog, const Question& q) {
  if (q.task == "general" || q.task == "lvis") return "lvis-minival";
  (void)catalog;
  return "coco-val2017";  // COCO stands in for custom targets
}

Plan to_plan(const profiles::Catalog& catalog, const Question& q, const StrategyOption& option) {
  Plan plan;
  plan.name = plan_name(q, option);
  plan.strategy = to_string(option.strategy);
  auto& pq = plan.question;
  pq.text = q.text;
  pq.gpus = q.gpus;
  pq.gpu = q.gpu_id;
  pq.gpus_per_node = q.gpus_per_node;
  // "No training time" is a zero budget in a question; a plan file records only real
  // deadlines (a zero deadline there is refused as bad input).
  if (q.budget_hours && *q.budget_hours > 0) pq.deadline_hours = q.budget_hours;
  pq.max_cost_usd = q.max_cost_usd;
  pq.price_per_gpu_hour_usd = q.price_per_gpu_hour_usd ? *q.price_per_gpu_hour_usd
                                                       : catalog.gpu(q.gpu_id).price_per_gpu_hour_usd;
  pq.task = q.targets.empty() ? q.task : "custom";
  pq.model = q.model_id;
  for (const auto& s : option.stages) plan.stages.push_back(to_plan_stage(s));
  schedule_stages(plan);
  for (const auto& s : plan.stages) {
    plan.summary.gpu_hours += s.prediction.gpu_hours;
    plan.summary.cost_usd += s.prediction.cost_usd;
    plan.summary.fits_memory = plan.summary.fits_memory && s.prediction.fits_memory;
  }
  if (q.budget_hours) plan.summary.meets_deadline = plan.summary.makespan_seconds <= *q.budget_hours * 3600;
  if (q.max_cost_usd) plan.summary.meets_budget = plan.summary.cost_usd <= *q.max_cost_usd;
  QualityQuery query;
  query.model = q.model_id;
  query.strategy = to_string(option.strategy);
  // A plan that ends with pre-training (general detection) is judged as its weights zero-shot.
  const std::string& last_kind = plan.stages.back().kind;
  if (last_kind == "pretrain" || last_kind == "progressive") query.strategy = "zero-shot";
  query.eval_dataset = quality_dataset(catalog, q);
  const PlanStage& last = plan.stages.back();
  query.resolution = last.kind == "zero-shot" ? 640 : last.resolution.width_px;
  query.epochs = last.kind == "zero-shot" ? 0 : last.epochs;
  plan.summary.expected_quality = expected_quality(catalog, query);
  // Pre-training again reproduces the published pre-training at best: no source reports a
  // gain from re-running it, and a shorter schedule than the published one loses AP.
  if (plan.summary.expected_quality && option.strategy == Strategy::kPreTrain) {
    auto& e = *plan.summary.expected_quality;
    const double reference = recipes_for(catalog, q.model_id).pretrain->epochs;
    const double epochs = plan.stages.front().epochs;
    const double lost = shorter_schedule_ap(catalog, reference, epochs);
    e.value = std::round((e.value - lost) * 10) / 10;
    e.basis = fmt::format("pre-training again gives at best the published weights ({:g} epochs; "
                          "no source reports a gain){}; then {}",
                          reference,
                          lost > 0 ? fmt::format(", {:.1f} AP less for {:g} epochs", lost, epochs) : "",
                          e.basis);
  }
  // Own data: COCO's figure ranks the strategies, but is not the asker's AP.
  if (plan.summary.expected_quality && (q.task == "custom" || !q.targets.empty()))
    plan.summary.expected_quality->reference_only = true;
  return plan;
}

}  // namespace trainplan::planner
