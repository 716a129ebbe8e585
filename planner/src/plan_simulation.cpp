#include "trainplan/planner/plan_simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/run_constants.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/plan_graph.hpp"

namespace trainplan::planner {

namespace {

// The data set whose statistics stand in when a stage trains on a name the catalog lacks (a
// user's target): the same choice the strategies make for custom tasks.
constexpr const char* kFallbackDataset = "coco-train2017";

const profiles::DatasetProfile* find_dataset(const profiles::Catalog& catalog,
                                             const std::string& id) {
  for (const auto& d : catalog.datasets())
    if (d.id == id) return &d;
  return nullptr;
}

// The stage as a cost-model scenario: what its checkpoint holds and what an evaluation pass
// costs depend on these fields only (model, trainable part, optimizer; GPU, GPUs,
// resolution).
costmodel::Scenario scenario_of(const profiles::Catalog& catalog, const Plan& plan,
                                const PlanStage& s) {
  costmodel::Scenario sc;
  sc.model_id = s.model;
  sc.gpu_id = plan.question.gpu;
  sc.gpus = s.gpus;
  sc.nodes = s.nodes;
  sc.global_batch = s.global_batch;
  sc.resolution = s.resolution;
  sc.epochs = 1;
  sc.trainable = costmodel::parse_trainable(s.trainable, "trainable");
  sc.optimizer = s.optimizer.type;
  const auto* data = find_dataset(catalog, s.dataset);
  if (!data) data = &catalog.dataset(kFallbackDataset);
  sc.texts_per_image = data->texts_per_image;
  sc.source_image_pixels = data->mean_width_px * data->mean_height_px;
  sc.images = std::max(1.0, double(s.prediction.iters_per_epoch) * s.global_batch);
  return sc;
}

// The whole-number evaluation interval k with floor(epochs / k) = count, the largest such
// (recipes evaluate every 5 or 10 epochs and that is what comes back); epochs / count when no
// whole number fits.
double eval_interval_for(double epochs, int count) {
  for (int k = int(std::floor(epochs)); k >= 1; --k)
    if (int(std::floor(epochs / k + 1e-9)) == count) return k;
  return epochs / count;
}

costmodel::SimStage to_sim_stage(const profiles::Catalog& catalog, const Plan& plan,
                                 const PlanStage& s) {
  costmodel::SimStage st;
  st.id = s.id;
  const int pool = std::max(1, plan.question.gpus);
  st.gpus = std::min(pool, std::max(1, s.gpus));  // as schedule_stages places it
  st.gpu_offset = s.prediction.gpu_offset;
  const auto& p = s.prediction;
  if (s.kind == "zero-shot" || !(p.total_seconds > 0) || !(s.epochs > 0)) {
    st.startup_s = st.warmup_s = 0;  // nothing runs: the pre-trained weights as they are
    return st;
  }
  st.epochs = s.epochs;
  st.epoch_train_s = p.seconds_per_iter * double(p.iters_per_epoch);
  costmodel::Scenario sc = scenario_of(catalog, plan, s);
  const auto weights = costmodel::estimate(catalog, sc);
  // The codebase's start-up, split as the defaults split launch and loader warm-up.
  st.startup_s = weights.startup_s * costmodel::kLaunchS / costmodel::kStartupS;
  st.warmup_s = weights.startup_s * costmodel::kLoaderWarmupS / costmodel::kStartupS;
  st.checkpoint_write_s = costmodel::checkpoint_write_seconds(weights.memory.weights_gb);
  double eval_pass_s = 0;
  const auto* eval = s.eval_dataset.empty() ? nullptr : find_dataset(catalog, s.eval_dataset);
  if (eval && eval->images > 0) {
    sc.eval_images = eval->images;
    sc.eval_interval_epochs = 1;
    eval_pass_s = costmodel::estimate(catalog, sc).breakdown.eval_s;  // one pass (epochs = 1)
  }
  // What the prediction holds beyond training, start-up and checkpoints is evaluation; taking
  // it as the remainder keeps the stage's total exact whatever rounding the plan file saw.
  const double rest_s = p.total_seconds - weights.startup_s - s.epochs * st.epoch_train_s -
                        std::floor(s.epochs + 1e-9) * st.checkpoint_write_s;
  const int evaluations =
      eval_pass_s > 0 ? int(std::max(0.0, std::round(rest_s / eval_pass_s))) : 0;
  if (evaluations > 0) {
    st.eval_s = rest_s / evaluations;
    st.eval_interval_epochs = eval_interval_for(s.epochs, evaluations);
  } else {
    st.startup_s = std::max(0.0, st.startup_s + rest_s);  // a hand-made plan: keep its total
  }
  return st;
}

}  // namespace

std::vector<costmodel::SimStage> simulation_stages(const profiles::Catalog& catalog,
                                                   const Plan& plan) {
  const auto order = topological_order(plan);
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i) position[plan.stages[order[i]].id] = i;
  std::vector<costmodel::SimStage> out;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const PlanStage& s = plan.stages[order[i]];
    costmodel::SimStage st;
    try {
      st = to_sim_stage(catalog, plan, s);
    } catch (const InputError& e) {
      throw InputError(fmt::format("plan \"{}\": $.stages[{}] (\"{}\"): {}", plan.name, order[i],
                                   s.id, e.what()));
    }
    // `init: stage:X` is a dependency too (as in the plan graph).
    std::vector<std::string> needs = s.depends_on;
    if (s.init.rfind("stage:", 0) == 0) needs.push_back(s.init.substr(6));
    for (const auto& id : needs) {
      const std::size_t d = position.at(id);
      if (std::find(st.depends_on.begin(), st.depends_on.end(), d) == st.depends_on.end())
        st.depends_on.push_back(d);
    }
    out.push_back(std::move(st));
  }
  return out;
}

costmodel::SimulationOptions with_plan_defaults(const Plan& plan,
                                                costmodel::SimulationOptions options) {
  if (!options.deadline_s && plan.question.deadline_hours)
    options.deadline_s = *plan.question.deadline_hours * 3600.0;
  if (!options.price_per_gpu_hour_usd)
    options.price_per_gpu_hour_usd = plan.question.price_per_gpu_hour_usd;
  return options;
}

costmodel::SimulationResult simulate_plan(const profiles::Catalog& catalog, const Plan& plan,
                                          const costmodel::SimulationOptions& options) {
  return costmodel::simulate(simulation_stages(catalog, plan), with_plan_defaults(plan, options));
}

}  // namespace trainplan::planner
