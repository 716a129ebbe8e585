// `trainplan ask` (DESIGN 3.5): every strategy's best plan, a recommendation with reasons.
#include <iostream>

#include "commands.hpp"
#include "plan_printer.hpp"
#include "question_flags.hpp"
#include "simulation_report.hpp"
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
      const auto failures = question_simulation(flags->mtbf_hours, flags->restart_minutes);
      const auto catalog = load_catalog(flags->profile_files);
      const auto answer = planner::answer_question(catalog, question);
      std::optional<PlanSimulation> sim;
      if (failures) sim = simulate(catalog, answer.plan(), *failures);
      if (flags->json) {
        auto j = answer_json(answer);
        if (sim) j["simulation"] = simulation_json(answer.plan(), *sim);
        std::cout << j.dump(2) << "\n";
      } else {
        print_answer(std::cout, answer);
        if (sim) print_simulation_paragraph(std::cout, answer.plan(), *sim);
      }
      return 0;
    };
  });
}

}  // namespace trainplan::cli
