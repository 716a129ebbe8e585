#include "understood_printer.hpp"

#include <fmt/format.h>

#include "text_format.hpp"

namespace trainplan::cli {

void print_understood(std::ostream& out, const planner::Question& q) {
  std::vector<std::string> parts;
  if (q.gpus_given) {
    std::string shape = q.nodes ? fmt::format(" ({} node{} x {})", *q.nodes, *q.nodes == 1 ? "" : "s",
                                              q.gpus_per_node)
                                : "";
    parts.push_back(fmt::format("{} GPU{}{}", q.gpus, q.gpus == 1 ? "" : "s", shape));
  }
  if (q.gpu_given) parts.push_back("GPU " + q.gpu_id);
  if (q.budget_hours)
    parts.push_back(*q.budget_hours == 0 ? std::string("no training time")
                                         : "budget " + format_duration(*q.budget_hours * 3600));
  if (q.max_cost_usd) parts.push_back("at most " + format_usd(*q.max_cost_usd));
  if (q.price_per_gpu_hour_usd) parts.push_back(fmt::format("${:.2f} per GPU-hour", *q.price_per_gpu_hour_usd));
  if (q.model_given) parts.push_back("model " + q.model_id);
  if (q.task_given) {
    std::string task = q.task == "custom" ? "your own data" : q.task;
    if (!q.targets.empty()) task = fmt::format("{} target data sets", q.targets.size());
    if (q.images) task += fmt::format(" ({} images)", format_count(*q.images));
    parts.push_back("task " + task);
  }
  if (q.resolutions.size() == 1) parts.push_back(fmt::format("input {:g}", q.resolutions[0].width_px));
  if (q.epochs) parts.push_back(fmt::format("{:g} epochs", *q.epochs));
  if (!q.intent.empty()) parts.push_back("intent " + q.intent);
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : ", ") + p;
  out << "Understood: " << (line.empty() ? "nothing beyond the defaults" : line) << "\n";
  if (!q.unread.empty()) {
    std::string words;
    for (const auto& w : q.unread) words += (words.empty() ? "" : " ") + w;
    out << "Not used: " << words << "\n";
  }
  for (const auto& w : q.warnings) out << "Warning: " << w << "\n";
  out << "\n";
}

}  // namespace trainplan::cli
