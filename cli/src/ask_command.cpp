// `trainplan ask` (DESIGN 3.5): every strategy's best plan, a recommendation with reasons.
#include <iostream>

#include "commands.hpp"
#include "plan_printer.hpp"
#include "question_flags.hpp"
#include "trainplan/planner/answer.hpp"

namespace trainplan::cli {

void add_ask_command(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<QuestionFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ask", "Answer \"N GPUs, T budget?\": every strategy's time and cost, and a recommendation");
  add_question_flags(*cmd, flags);
  cmd->callback([flags, &run] {
    run = [flags] {
      const auto question = question_from(*flags);
      const auto catalog = load_catalog(flags->profile_files);
      const auto answer = planner::answer_question(catalog, question);
      if (flags->json)
        std::cout << answer_json(answer).dump(2) << "\n";
      else
        print_answer(std::cout, answer);
      return 0;
    };
  });
}

}  // namespace trainplan::cli
