#include "trainplan/planner/applicability.hpp"

#include <fmt/format.h>

namespace trainplan::planner {

namespace {

bool is_yolo_world(const profiles::Catalog& catalog, const Question& q) {
  return catalog.model(q.model_id).text_encoder.has_value();
}

}  // namespace

std::string not_applicable(const profiles::Catalog& catalog, const Question& q, Strategy s,
                           const std::vector<double>& resolutions) {
  const bool trains_target = s != Strategy::kZeroShot && s != Strategy::kPreTrain &&
                             s != Strategy::kProgressive;
  if ((s == Strategy::kZeroShot || s == Strategy::kPromptTune) && !is_yolo_world(catalog, q))
    return "needs an open-vocabulary model with a text encoder";
  if (q.changed_model && (trains_target || s == Strategy::kZeroShot))
    return "the published weights do not fit a changed model: train it progressively first";
  if (q.task == "general" && trains_target)
    return "general detection has no target data to fine-tune on";
  if (s == Strategy::kHighResFineTune && resolutions.empty())
    return fmt::format("no input above the recipe's {:g} asked (ask with --resolution {:g})",
                       recipes_for(catalog, q.model_id).finetune->resolution.width_px,
                       recipes_for(catalog, q.model_id).finetune->high_resolution.width_px);
  if (s == Strategy::kProgressive && !q.changed_model)
    return "the model is unchanged: its published weights can be fine-tuned directly";
  return "";
}

}  // namespace trainplan::planner
