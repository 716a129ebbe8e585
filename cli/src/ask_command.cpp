// `trainplan ask` (DESIGN 3.5): every strategy's time and cost, a recommendation with reasons.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "text_format.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"

namespace trainplan::cli {

namespace {

struct AskFlags {
  std::string question, budget, max_cost, gpu, model, task;
  int gpus = 0;
  double images = 0;
  bool gpus_set = false, images_set = false, json = false;
  std::vector<std::string> profile_files;
};

planner::Question question_from(const AskFlags& f) {
  planner::Question q;
  if (!f.question.empty()) q = planner::parse_question(f.question);
  // Flags win over what the question says.
  if (f.gpus_set) {
    if (f.gpus < 1)
      throw InputError(fmt::format("--gpus: {} is not accepted; expected a whole number >= 1", f.gpus));
    q.gpus = f.gpus;
    q.gpus_given = true;
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
  if (!f.budget.empty()) {
    q.budget_hours = planner::parse_duration_hours(f.budget, "--budget");
    q.budget_given = true;
  }
  if (!f.max_cost.empty()) q.max_cost_usd = planner::parse_money_usd(f.max_cost, "--max-cost");
  if (f.images_set) {
    if (!(f.images >= 1))
      throw InputError(fmt::format("--images: {} is not accepted; expected >= 1", f.images));
    q.images = f.images;
    if (f.task.empty()) q.task = "custom";
  }
  return q;
}

std::string needs_text(int gpus) {
  return gpus > 0 ? fmt::format("{} GPUs", gpus) : std::string(">1024 GPUs");
}

std::string verdict_text(const planner::Answer& a, const planner::StrategyVerdict& v) {
  if (v.option.strategy == planner::Strategy::kZeroShot) return "yes (no training)";
  if (v.feasible) return "yes";
  std::vector<std::string> why;
  if (!v.option.fits_memory) why.push_back("does not fit in GPU memory");
  if (!v.meets_budget) why.push_back("over the time budget");
  if (!v.meets_cost) why.push_back("over the money budget");
  std::string text = "no: " + why[0];
  for (size_t i = 1; i < why.size(); ++i) text += ", " + why[i];
  (void)a;
  return text;
}

void print_text(const planner::Answer& a) {
  std::cout << "Assumptions:\n";
  for (const auto& line : a.assumptions) std::cout << "  - " << line << "\n";
  std::cout << fmt::format("\nStrategies on {} x {}:\n", a.question.gpus, a.question.gpu_id);
  std::cout << fmt::format("  {:<12} {:>11} {:>10} {:>10}  {}\n", "strategy", "time",
                           "GPU-hours", "cost", "fits");
  for (const auto& v : a.verdicts) {
    const auto& o = v.option;
    std::cout << fmt::format("  {:<12} {:>11} {:>10.0f} {:>10}  {}\n", planner::to_string(o.strategy),
                             o.stages.empty() ? "0" : format_duration(o.total_seconds),
                             o.gpu_hours, format_usd(o.cost_usd), verdict_text(a, v));
  }
  bool any_inverse = false;
  for (const auto& v : a.verdicts) {
    if (v.gpus_for_one_day < 0 && v.gpus_for_budget < 0) continue;
    if (!any_inverse) std::cout << "\nGPUs needed (same GPU type, 8 per server):\n";
    any_inverse = true;
    std::string line = fmt::format("  {:<12}", planner::to_string(v.option.strategy));
    if (v.gpus_for_budget >= 0) line += fmt::format(" within the budget: {};", needs_text(v.gpus_for_budget));
    if (v.gpus_for_one_day >= 0)
      line += fmt::format(" for one day: {}; for two days: {}", needs_text(v.gpus_for_one_day),
                          needs_text(v.gpus_for_two_days));
    std::cout << line << "\n";
  }
  std::cout << fmt::format("\nRecommendation: {}\n", planner::to_string(a.recommended));
  for (const auto& r : a.reasons) std::cout << "  - " << r << "\n";
  for (const auto& v : a.verdicts) {
    if (v.option.strategy != a.recommended || v.option.stages.empty()) continue;
    for (const auto& s : v.option.stages)
      std::cout << fmt::format("  stage {}: {} on {}, {:g} epochs, global batch {} ({} per GPU), "
                               "{:.2f} s/iter, {}\n",
                               s.id, s.kind, s.dataset, s.scenario.epochs, s.scenario.global_batch,
                               s.estimate.per_gpu_batch, s.estimate.seconds_per_iter,
                               format_duration(s.estimate.total_seconds));
  }
}

nlohmann::ordered_json to_json(const planner::Answer& a) {
  nlohmann::ordered_json j;
  const auto& q = a.question;
  j["question"] = {{"gpus", q.gpus}, {"gpu", q.gpu_id}, {"model", q.model_id}, {"task", q.task}};
  j["question"]["budget_hours"] = q.budget_hours ? nlohmann::ordered_json(*q.budget_hours) : nullptr;
  j["question"]["max_cost_usd"] = q.max_cost_usd ? nlohmann::ordered_json(*q.max_cost_usd) : nullptr;
  j["assumptions"] = a.assumptions;
  j["strategies"] = nlohmann::ordered_json::array();
  for (const auto& v : a.verdicts) {
    nlohmann::ordered_json s;
    s["strategy"] = planner::to_string(v.option.strategy);
    s["gpus"] = v.option.gpus;
    s["total_seconds"] = v.option.total_seconds;
    s["total_hours"] = v.option.total_seconds / 3600;
    s["gpu_hours"] = v.option.gpu_hours;
    s["cost_usd"] = v.option.cost_usd;
    s["fits_memory"] = v.option.fits_memory;
    s["meets_budget"] = v.meets_budget;
    s["meets_cost"] = v.meets_cost;
    s["feasible"] = v.feasible;
    auto need = [](int n) { return n < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(n); };
    s["gpus_needed"] = {{"budget", need(v.gpus_for_budget)},
                        {"one_day", need(v.gpus_for_one_day)},
                        {"two_days", need(v.gpus_for_two_days)}};
    s["stages"] = nlohmann::ordered_json::array();
    for (const auto& st : v.option.stages)
      s["stages"].push_back({{"id", st.id},
                             {"kind", st.kind},
                             {"dataset", st.dataset},
                             {"epochs", st.scenario.epochs},
                             {"global_batch", st.scenario.global_batch},
                             {"per_gpu_batch", st.estimate.per_gpu_batch},
                             {"accumulation_steps", st.estimate.accumulation_steps},
                             {"seconds_per_iter", st.estimate.seconds_per_iter},
                             {"total_seconds", st.estimate.total_seconds}});
    j["strategies"].push_back(s);
  }
  j["recommended"] = planner::to_string(a.recommended);
  j["reasons"] = a.reasons;
  return j;
}

}  // namespace

void add_ask_command(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<AskFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ask", "Answer \"N GPUs, T budget?\": every strategy's time and cost, and a recommendation");
  cmd->add_option("question", flags->question,
                  "A plain question, e.g. \"4 GPUs, 1 day budget?\" or \"8xA100 for 36 hours\"");
  cmd->add_option("--gpus", flags->gpus, "GPUs available")->each([flags](const std::string&) { flags->gpus_set = true; });
  cmd->add_option("--budget", flags->budget, "Wall-clock budget: 1d, 36h, 90m");
  cmd->add_option("--gpu", flags->gpu, "GPU id or name (default v100-sxm2-32gb)");
  cmd->add_option("--model", flags->model, "Model id (default yolo-world-v2-l)");
  cmd->add_option("--task", flags->task, "coco (default), lvis, general, or a dataset id");
  cmd->add_option("--images", flags->images, "Training images of your own data set")
      ->each([flags](const std::string&) { flags->images_set = true; });
  cmd->add_option("--max-cost", flags->max_cost, "Money budget in USD: 300, $300, 1.5k");
  cmd->add_option("--profiles", flags->profile_files, "Extra profiles JSON (repeatable)");
  cmd->add_flag("--json", flags->json, "Print one JSON object");
  cmd->callback([flags, &run] {
    run = [flags] {
      const auto question = question_from(*flags);
      const auto catalog = load_catalog(flags->profile_files);
      const auto answer = planner::answer_question(catalog, question);
      if (flags->json)
        std::cout << to_json(answer).dump(2) << "\n";
      else
        print_text(answer);
      return 0;
    };
  });
}

}  // namespace trainplan::cli
