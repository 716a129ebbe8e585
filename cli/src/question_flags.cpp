#include "question_flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

// "640", "1280", "1333x800", or a range "320:1280:32" (first:last:step) to search.
std::vector<profiles::Resolution> parse_resolutions(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return {profiles::parse_resolution(text, "--resolution")};
  auto second = text.find(':', colon + 1);
  if (second == std::string::npos)
    throw InputError(fmt::format("--resolution: \"{}\" is not accepted; a range is "
                                 "FIRST:LAST:STEP such as 320:1280:32", text));
  auto side = [&](const std::string& part) {
    return profiles::parse_resolution(part, "--resolution").width_px;
  };
  double first = side(text.substr(0, colon));
  double last = side(text.substr(colon + 1, second - colon - 1));
  double step = side(text.substr(second + 1));
  if (last < first)
    throw InputError(fmt::format("--resolution: \"{}\": LAST is below FIRST", text));
  std::vector<profiles::Resolution> out;
  for (double r = first; r <= last + 1e-9 && out.size() < 1000; r += step) out.push_back({r, r});
  return out;
}

}  // namespace

void add_question_flags(CLI::App& cmd, const std::shared_ptr<QuestionFlags>& f) {
  cmd.add_option("question", f->question,
                 "A plain question, e.g. \"4 GPUs, 1 day budget?\" or \"8xA100 for 36 hours\"");
  cmd.add_option("--gpus", f->gpus, "GPUs available")->each([f](const std::string&) { f->gpus_set = true; });
  cmd.add_option("--budget", f->budget, "Wall-clock deadline: 1d, 36h, 90m");
  cmd.add_option("--max-cost", f->max_cost, "Money budget in USD: 300, $300, 1.5k");
  cmd.add_option("--price", f->price, "Price per GPU-hour in USD (default: the GPU profile's)");
  cmd.add_option("--gpu", f->gpu, "GPU id or name (default v100-sxm2-32gb)");
  cmd.add_option("--gpus-per-node", f->gpus_per_node, "GPUs per server (default 8)");
  cmd.add_option("--model", f->model, "Model id (default yolo-world-v2-l)");
  cmd.add_option("--task", f->task, "coco (default), lvis, general, or a dataset id");
  cmd.add_option("--target", f->targets, "A target data set name (repeatable: one fine-tune each)");
  cmd.add_option("--images", f->images, "Training images of your own data set")
      ->each([f](const std::string&) { f->images_set = true; });
  cmd.add_option("--resolution", f->resolution, "Input size 640, 1280, or a range 320:1280:32");
  cmd.add_flag("--changed-model", f->changed_model, "The model has a new head, vocabulary or input");
  cmd.add_option("--intent", f->intent,
                 "What you want to do: finetune, pretrain, from-scratch, changed-model, "
                 "general-detection, prompt-tune, frozen-backbone, high-resolution");
  cmd.add_option("--min-quality", f->min_quality, "Lowest acceptable expected AP")
      ->each([f](const std::string&) { f->min_quality_set = true; });
  cmd.add_option("--profiles", f->profile_files, "Extra profiles JSON (repeatable)");
  cmd.add_flag("--json", f->json, "Print one JSON object");
  cmd.add_option("--mtbf-hours", f->mtbf_hours,
                 "Simulate the plan with GPU failures: one GPU's mean time between failures, hours");
  cmd.add_option("--restart-minutes", f->restart_minutes,
                 "With --mtbf-hours: time to restart a failed stage (default 10)");
}

// A plan records the question it answers; asked with flags only, the question is the flags.
std::string flags_text(const QuestionFlags& f) {
  std::string text;
  auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) text += fmt::format("{}{} {}", text.empty() ? "" : " ", flag, value);
  };
  if (f.gpus_set) add("--gpus", std::to_string(f.gpus));
  add("--gpu", f.gpu);
  add("--budget", f.budget);
  add("--max-cost", f.max_cost);
  add("--model", f.model);
  add("--task", f.task);
  add("--intent", f.intent);
  return text.empty() ? "(defaults)" : text;
}

planner::Question question_from(const QuestionFlags& f) {
  planner::Question q;
  if (!f.question.empty()) q = planner::parse_question(f.question);
  if (f.gpus_set) {
    if (f.gpus < 1 || f.gpus > costmodel::kMaxGpus)
      throw InputError(fmt::format("--gpus: {} is not accepted; expected a whole number from 1 to {}",
                                   f.gpus, costmodel::kMaxGpus));
    q.gpus = f.gpus;
    q.gpus_given = true;
  }
  if (f.gpus_per_node != 0) {
    if (f.gpus_per_node < 1)
      throw InputError(fmt::format("--gpus-per-node: {} is not accepted; expected >= 1", f.gpus_per_node));
    q.gpus_per_node = f.gpus_per_node;
  }
  if (!f.gpu.empty()) {
    std::string id = planner::gpu_id_from_name(f.gpu);
    q.gpu_id = id.empty() ? f.gpu : id;
    q.gpu_given = true;
  }
  if (!f.model.empty()) {
    q.model_id = f.model;
    q.model_given = true;
  }
  if (!f.task.empty()) {
    q.task = f.task;
    q.task_given = true;
  }
  if (!f.targets.empty()) q.targets = f.targets;
  if (!f.budget.empty()) {
    q.budget_hours = planner::parse_duration_hours(f.budget, "--budget");
    q.budget_given = true;
  }
  if (!f.max_cost.empty()) q.max_cost_usd = planner::parse_money_usd(f.max_cost, "--max-cost");
  if (!f.price.empty()) q.price_per_gpu_hour_usd = planner::parse_money_usd(f.price, "--price");
  if (f.images_set) {
    if (!(f.images >= 1 && f.images <= costmodel::kMaxImages))
      throw InputError(fmt::format("--images: {} is not accepted; expected a number from 1 to {:g}",
                                   f.images, costmodel::kMaxImages));
    q.images = f.images;
    if (f.task.empty()) q.task = "custom";
  }
  if (!f.resolution.empty()) q.resolutions = parse_resolutions(f.resolution);
  if (f.changed_model) {
    q.changed_model = true;
    if (q.intent.empty()) q.intent = "changed-model";
  }
  if (!f.intent.empty()) planner::set_intent(q, f.intent, "--intent");
  if (f.min_quality_set) {
    if (!(f.min_quality > 0 && f.min_quality < 100))
      throw InputError(fmt::format("--min-quality: {} is not accepted; expected an AP between 0 and 100", f.min_quality));
    q.min_quality_ap = f.min_quality;
  }
  if (q.text.empty()) q.text = flags_text(f);
  return q;
}

}  // namespace trainplan::cli
