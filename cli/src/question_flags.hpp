#pragma once
// The flags `ask` and `plan` share: a plain question and the flags that override it.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "trainplan/planner/question.hpp"

namespace trainplan::cli {

/// Raw flag values; turned into a Question after parsing.
struct QuestionFlags {
  std::string question, budget, max_cost, gpu, model, task, resolution, price, intent;
  std::vector<std::string> targets;
  int gpus = 0, gpus_per_node = 0;
  double images = 0, min_quality = 0;
  bool gpus_set = false, images_set = false, min_quality_set = false, changed_model = false;
  bool json = false;
  std::vector<std::string> profile_files;
  std::string mtbf_hours, restart_minutes;  ///< simulate the answer with failures (simulation_report.hpp)
};

/// Registers the question flags on a subcommand.
void add_question_flags(CLI::App& cmd, const std::shared_ptr<QuestionFlags>& flags);

/// The question the flags describe (flags win over the plain question); InputError on bad
/// values, naming the flag.
planner::Question question_from(const QuestionFlags& flags);

}  // namespace trainplan::cli
