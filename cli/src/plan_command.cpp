// `trainplan plan` writes the recommended (or a chosen) plan; `validate` checks a plan file;
// `explain` prints one as a table (DESIGN 3.6).
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "plan_printer.hpp"
#include "question_flags.hpp"
#include "simulation_report.hpp"
#include "text_format.hpp"
#include "understood_printer.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

namespace trainplan::cli {

namespace {

// A plan's ids must be known to this catalog (a plan from another machine may name profiles
// this one lacks: --profiles adds them).
void check_known_ids(const profiles::Catalog& catalog, const planner::Plan& plan,
                     const std::string& path) {
  auto where = [&](const std::string& field, const std::string& id, auto lookup) {
    try {
      lookup(id);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}: {}", path, field, e.what()));
    }
  };
  where("$.question.gpu", plan.question.gpu, [&](const std::string& id) { catalog.gpu(id); });
  for (size_t i = 0; i < plan.stages.size(); ++i)
    where(fmt::format("$.stages[{}].model", i), plan.stages[i].model,
          [&](const std::string& id) { catalog.model(id); });
}

}  // namespace

void add_plan_commands(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<QuestionFlags>();
  auto output = std::make_shared<std::string>();
  auto strategy = std::make_shared<std::string>();
  CLI::App* plan = app.add_subcommand("plan", "Write the recommended multi-stage plan to a file");
  add_question_flags(*plan, flags);
  plan->add_option("-o,--output", *output, "Plan file to write (JSON, DESIGN 3.6)")->required();
  plan->add_option("--strategy", *strategy, "Write this strategy's best plan instead of the recommended one");
  plan->callback([flags, output, strategy, &run] {
    run = [flags, output, strategy] {
      const auto question = question_from(*flags);
      const auto failures = question_simulation(flags->mtbf_hours, flags->restart_minutes);
      std::optional<planner::Strategy> chosen;
      if (!strategy->empty()) chosen = planner::parse_strategy(*strategy, "--strategy");
      const auto catalog = load_catalog(flags->profile_files);
      const auto answer = planner::answer_question(catalog, question);
      const auto& candidate = answer.verdict(chosen ? *chosen : answer.recommended).candidate;
      if (!candidate.applicable)
        throw InputError(fmt::format("--strategy: {} does not apply to this question: {}",
                                     *strategy, candidate.not_applicable));
      planner::Plan p = candidate.plan;
      p.reasons = answer.reasons;
      planner::write_plan_file(p, *output);
      std::optional<PlanSimulation> sim;
      if (failures) sim = simulate(catalog, p, *failures);
      if (flags->json) {
        auto j = planner::to_json(p);
        if (sim) j["simulation"] = simulation_json(p, *sim);
        std::cout << j.dump(2) << "\n";
      } else {
        print_understood(std::cout, question);
        print_plan(std::cout, p);
        if (sim) print_simulation_paragraph(std::cout, p, *sim);
        std::cout << fmt::format("wrote {}\n", *output);
      }
      return 0;
    };
  });

  auto files = std::make_shared<std::vector<std::string>>();
  auto profile_files = std::make_shared<std::vector<std::string>>();
  CLI::App* validate = app.add_subcommand("validate", "Check plan files; exit 2 naming the first problem");
  validate->add_option("plan", *files, "Plan file(s)")->required();
  validate->add_option("--profiles", *profile_files, "Extra profiles JSON (repeatable)");
  validate->callback([files, profile_files, &run] {
    run = [files, profile_files] {
      const auto catalog = load_catalog(*profile_files);
      for (const auto& path : *files) {
        const auto p = planner::read_plan_file(path);
        check_known_ids(catalog, p, path);
        std::cout << fmt::format("{}: valid plan \"{}\": {} stage{}, makespan {}\n", path, p.name,
                                 p.stages.size(), p.stages.size() == 1 ? "" : "s",
                                 format_duration(p.summary.makespan_seconds));
      }
      return 0;
    };
  });

  auto explain_file = std::make_shared<std::string>();
  CLI::App* explain = app.add_subcommand("explain", "Print a plan file as a table");
  explain->add_option("plan", *explain_file, "Plan file")->required();
  explain->callback([explain_file, &run] {
    run = [explain_file] {
      const auto p = planner::read_plan_file(*explain_file);
      print_plan(std::cout, p);
      for (const auto& r : p.reasons) std::cout << "  - " << r << "\n";
      return 0;
    };
  });
}

}  // namespace trainplan::cli
