#include "trainplan/planner/answer.hpp"

#include <fmt/format.h>

namespace trainplan::planner {

namespace {

// "About 4 GPUs -> fine-tune; a large cluster -> full pre-training is an option" (DESIGN 1).
constexpr int kLargeClusterGpus = 32;

std::string hours_text(double hours) {
  if (hours >= 48) return fmt::format("{:.1f} days", hours / 24);
  return fmt::format("{:.1f} h", hours);
}

std::string gpus_text(int gpus) {
  return gpus > 0 ? fmt::format("{} GPUs", gpus) : std::string("more than 1024 GPUs");
}

std::vector<std::string> assumptions(const profiles::Catalog& catalog, const Question& q) {
  const auto& gpu = catalog.gpu(q.gpu_id);
  const auto& model = catalog.model(q.model_id);
  const auto& finetune = catalog.recipe("yolo-world-coco-finetune");
  const auto& pretrain = catalog.recipe("yolo-world-pretrain");
  const TaskData task = task_data(catalog, q);
  const auto& train = catalog.dataset(task.train_dataset);
  const auto& corpus = catalog.dataset(pretrain.dataset);
  auto given = [](bool g) { return g ? "given" : "default"; };
  std::vector<std::string> out;
  out.push_back(fmt::format("GPUs: {} x {} ({}), {} per server ({}; change with --gpus, --gpu ID)",
                            q.gpus, gpu.id, gpu.name, q.gpus_per_node, given(q.gpus_given && q.gpu_given)));
  out.push_back(fmt::format("model: {} ({:.1f} M params, {:.0f} GFLOPs at {}) ({}; change with --model ID)",
                            model.id, model.params_m, model.gflops,
                            model.gflops_resolution.to_string(), given(q.model_given)));
  out.push_back(fmt::format(
      "task data: {} ({:.0f} images), fine-tuned {:.0f} epochs at {} with {} images per GPU "
      "({}; change with --task coco|lvis|DATASET_ID or --images N)",
      train.name, task.images, finetune.epochs, finetune.resolution.to_string(),
      int(finetune.global_batch / finetune.gpus), given(q.task_given)));
  out.push_back(fmt::format(
      "pre-training: {} ({:.0f} images), {:.0f} epochs, global batch {:.0f} (recipe {})",
      corpus.name, corpus.images, pretrain.epochs, pretrain.global_batch, pretrain.id));
  out.push_back(fmt::format("price: ${:.2f} per GPU-hour ({})", gpu.price_per_gpu_hour_usd,
                            "profile price; override with --profiles FILE"));
  if (q.budget_hours)
    out.push_back(fmt::format("time budget: {} wall-clock", hours_text(*q.budget_hours)));
  else
    out.push_back("time budget: none given (change with --budget, e.g. 1d or 36h)");
  if (q.max_cost_usd) out.push_back(fmt::format("money budget: ${:.0f}", *q.max_cost_usd));
  return out;
}

StrategyVerdict judge(const profiles::Catalog& catalog, const Question& q, Strategy strategy) {
  StrategyVerdict v;
  v.option = evaluate_strategy(catalog, q, strategy, q.gpus);
  const double hours = v.option.total_seconds / 3600.0;
  if (q.budget_hours) v.meets_budget = hours <= *q.budget_hours;
  if (q.max_cost_usd) v.meets_cost = v.option.cost_usd <= *q.max_cost_usd;
  v.feasible = v.option.fits_memory && v.meets_budget && v.meets_cost;
  if (strategy != Strategy::kZeroShot) {
    if (q.budget_hours && *q.budget_hours > 0 && !v.meets_budget)
      v.gpus_for_budget = fewest_gpus_within(catalog, q, strategy, *q.budget_hours);
    if (!v.feasible || strategy == Strategy::kPreTrain) {
      v.gpus_for_one_day = fewest_gpus_within(catalog, q, strategy, 24);
      v.gpus_for_two_days = fewest_gpus_within(catalog, q, strategy, 48);
    }
  }
  return v;
}

const StrategyVerdict& verdict_of(const Answer& a, Strategy s) {
  for (const auto& v : a.verdicts)
    if (v.option.strategy == s) return v;
  return a.verdicts.front();
}

void recommend(Answer& a) {
  const Question& q = a.question;
  const auto& finetune = verdict_of(a, Strategy::kFineTune);
  const auto& pretrain = verdict_of(a, Strategy::kPreTrain);
  const double ft_hours = finetune.option.total_seconds / 3600;
  if (q.task == "general") {
    a.recommended = Strategy::kZeroShot;
    a.reasons.push_back(
        "task: general detection -> use the pre-trained model as it is (zero-shot, open "
        "vocabulary); training on a narrower set would not improve it");
    return;
  }
  if (q.budget_hours && *q.budget_hours == 0) {
    a.recommended = Strategy::kZeroShot;
    a.reasons.push_back("time: no training time -> use the pre-trained weights zero-shot");
    return;
  }
  if (finetune.feasible) {
    a.recommended = Strategy::kFineTune;
    a.reasons.push_back(fmt::format(
        "task: {} is a specific target -> domain-adaptation fine-tune from the pre-trained "
        "weights",
        q.task));
    if (q.gpus < kLargeClusterGpus)
      a.reasons.push_back(fmt::format("hardware: {} GPUs -> fine-tune (about 4 GPUs suits "
                                      "fine-tuning; pre-training wants a large cluster)",
                                      q.gpus));
    else
      a.reasons.push_back(fmt::format(
          "hardware: {} GPUs is a large cluster -> full pre-training is an option for "
          "long-term research or a changed model; for this task the published pre-trained "
          "weights already exist",
          q.gpus));
    if (q.budget_hours)
      a.reasons.push_back(fmt::format("time: the fine-tune takes about {} of the {} budget",
                                      hours_text(ft_hours), hours_text(*q.budget_hours)));
    if (!pretrain.feasible && pretrain.gpus_for_budget != -1)
      a.reasons.push_back(fmt::format("pre-training does not fit: it would need {} within the budget",
                                      gpus_text(pretrain.gpus_for_budget)));
    return;
  }
  a.recommended = Strategy::kZeroShot;
  if (!finetune.option.fits_memory)
    a.reasons.push_back("memory: even one image per GPU does not fit for fine-tuning on this "
                        "GPU -> zero-shot, or a GPU with more memory");
  if (!finetune.meets_budget)
    a.reasons.push_back(fmt::format(
        "time: fine-tuning takes about {} on {} GPUs, over the budget; it would need {} -> use "
        "the pre-trained model zero-shot meanwhile",
        hours_text(ft_hours), q.gpus, gpus_text(finetune.gpus_for_budget)));
  if (!finetune.meets_cost)
    a.reasons.push_back(fmt::format("money: fine-tuning costs about ${:.0f}, over the budget",
                                    finetune.option.cost_usd));
}

}  // namespace

Answer answer_question(const profiles::Catalog& catalog, const Question& question) {
  Answer a;
  a.question = question;
  catalog.model(question.model_id);  // unknown ids fail before any estimate
  catalog.gpu(question.gpu_id);
  a.assumptions = assumptions(catalog, question);
  for (Strategy s : {Strategy::kZeroShot, Strategy::kFineTune, Strategy::kProgressive,
                     Strategy::kPreTrain})
    a.verdicts.push_back(judge(catalog, question, s));
  recommend(a);
  return a;
}

}  // namespace trainplan::planner
