#include "trainplan/planner/assumptions.hpp"

#include <fmt/format.h>

#include "trainplan/planner/strategies.hpp"

namespace trainplan::planner {

std::vector<std::string> state_assumptions(const profiles::Catalog& catalog, const Question& q) {
  const auto& gpu = catalog.gpu(q.gpu_id);
  const auto& model = catalog.model(q.model_id);
  const auto recipes = recipes_for(catalog, q.model_id);
  const auto& finetune = *recipes.finetune;
  const auto& pretrain = *recipes.pretrain;
  const TaskData task = task_data(catalog, q);
  const auto& train = catalog.dataset(task.train_dataset);
  const auto& corpus = catalog.dataset(pretrain.dataset);
  auto given = [](bool g) { return g ? "given" : "default"; };
  std::vector<std::string> out;
  out.push_back(fmt::format("GPUs: {} x {} ({}), {} per server ({}; change with --gpus, --gpu ID)",
                            q.gpus, gpu.id, gpu.name, q.gpus_per_node,
                            given(q.gpus_given && q.gpu_given)));
  out.push_back(fmt::format("model: {} ({:.1f} M params, {:.0f} GFLOPs at {}) ({}; change with --model ID)",
                            model.id, model.params_m, model.gflops,
                            model.gflops_resolution.to_string(), given(q.model_given)));
  std::string targets = q.targets.empty() ? train.name : fmt::format("{} targets, each like {}", q.targets.size(), train.name);
  out.push_back(fmt::format(
      "task data: {} ({:.0f} images), fine-tuned up to {:.0f} epochs at {} with {} images per GPU "
      "({}; change with --task coco|lvis|DATASET_ID, --images N, --resolution R)",
      targets, task.images, q.epochs ? *q.epochs : finetune.epochs, finetune.resolution.to_string(),
      int(finetune.global_batch / finetune.gpus), given(q.task_given)));
  out.push_back(fmt::format(
      "pre-training: {} ({:.0f} images), {:.0f} epochs, global batch {:.0f} (recipe {})",
      corpus.name, corpus.images, pretrain.epochs, pretrain.global_batch, pretrain.id));
  if (q.price_per_gpu_hour_usd)
    out.push_back(fmt::format("price: ${:.2f} per GPU-hour (given with --price)", *q.price_per_gpu_hour_usd));
  else
    out.push_back(fmt::format("price: ${:.2f} per GPU-hour (profile; change with --price USD)",
                              gpu.price_per_gpu_hour_usd));
  if (q.budget_hours)
    out.push_back(fmt::format("time budget: {:g} h wall-clock", *q.budget_hours));
  else
    out.push_back("time budget: none given (change with --budget, e.g. 1d or 36h)");
  if (q.max_cost_usd) out.push_back(fmt::format("money budget: ${:.0f}", *q.max_cost_usd));
  if (q.min_quality_ap) out.push_back(fmt::format("quality floor: {:.1f} AP", *q.min_quality_ap));
  if (q.changed_model) out.push_back("the model is changed: the published weights do not fit it as they are");
  return out;
}

}  // namespace trainplan::planner
