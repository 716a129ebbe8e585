#include "trainplan/planner/question_json.hpp"

namespace trainplan::planner {

nlohmann::ordered_json question_to_json(const Question& q) {
  using json = nlohmann::ordered_json;
  auto given = [](bool is_given, const auto& value) { return is_given ? json(value) : json(nullptr); };
  auto optional = [](const auto& value) { return value ? json(*value) : json(nullptr); };
  json j;
  j["text"] = q.text;
  j["gpus"] = given(q.gpus_given, q.gpus);
  j["gpu"] = given(q.gpu_given, q.gpu_id);
  j["nodes"] = optional(q.nodes);
  j["gpus_per_node"] = given(q.gpus_per_node_given, q.gpus_per_node);
  j["budget_hours"] = optional(q.budget_hours);
  j["max_cost_usd"] = optional(q.max_cost_usd);
  j["model"] = given(q.model_given, q.model_id);
  j["task"] = given(q.task_given, q.task);
  j["images"] = optional(q.images);
  // One input size as a number; a searched range as the list of sides.
  if (q.resolutions.empty()) {
    j["resolution"] = nullptr;
  } else if (q.resolutions.size() == 1) {
    j["resolution"] = q.resolutions.front().width_px;
  } else {
    j["resolution"] = json::array();
    for (const auto& r : q.resolutions) j["resolution"].push_back(r.width_px);
  }
  j["intent"] = q.intent.empty() ? json(nullptr) : json(q.intent);
  j["epochs"] = optional(q.epochs);
  j["price_per_gpu_hour_usd"] = optional(q.price_per_gpu_hour_usd);
  j["unread"] = q.unread;
  j["warnings"] = q.warnings;
  return j;
}

}  // namespace trainplan::planner
