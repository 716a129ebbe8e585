// `trainplan simulate plan.json`: Monte Carlo timelines of a plan with GPU failures,
// checkpoints and restarts (docs/simulator.md); optionally one timeline as a Chrome trace.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "simulation_report.hpp"
#include "trainplan/planner/plan_json.hpp"
#include "trainplan/planner/plan_simulation.hpp"

namespace trainplan::cli {

namespace {

struct SimulateFlags {
  std::string plan_file, trace_file;
  SimulationFlags simulation;
  std::vector<std::string> profile_files;
  bool json = false;
};

}  // namespace

void add_simulate_command(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd =
      app.add_subcommand("simulate",
                         "Simulate a plan with GPU failures, checkpoints and restarts: makespan "
                         "percentiles, deadline odds, expected cost and lost work");
  cmd->add_option("plan", f->plan_file, "Plan file (from trainplan plan)")->required();
  cmd->add_option("--runs", f->simulation.runs,
                  "Monte Carlo runs, 1 to 10,000,000 (default 10,000)");
  cmd->add_option("--seed", f->simulation.seed,
                  "Random seed; one seed gives one set of timelines (default 1)");
  cmd->add_option("--mtbf-hours", f->simulation.mtbf_hours,
                  "Mean time between failures of one GPU, hours (default: no failures)");
  cmd->add_option("--restart-minutes", f->simulation.restart_minutes,
                  "Time to get a failed stage going again before its start-up (default 10)");
  cmd->add_option("--checkpoint-every", f->simulation.checkpoint_every,
                  "auto (Young's optimum with failures, else each epoch), epoch, or a duration "
                  "such as 30m or 2h");
  cmd->add_option("--trace", f->trace_file,
                  "Write run 0's timeline as a Chrome trace (JSON; open in Perfetto)");
  cmd->add_option("--profiles", f->profile_files, "Extra profiles JSON (repeatable)");
  cmd->add_flag("--json", f->json, "Print one JSON object");
  cmd->callback([f, &run] {
    run = [f] {
      const auto options = simulation_options(f->simulation);  // bad flags fail first
      const auto catalog = load_catalog(f->profile_files);
      const auto plan = planner::read_plan_file(f->plan_file);
      const PlanSimulation sim = simulate(catalog, plan, options);
      if (!f->trace_file.empty()) {
        const auto stages = planner::simulation_stages(catalog, plan);
        const auto timeline = costmodel::simulate_timeline(stages, sim.options, 0);
        costmodel::write_trace(
            f->trace_file, stages, timeline,
            fmt::format("trainplan simulate {} (run 0, seed {})", plan.name, sim.options.seed));
      }
      if (f->json) {
        nlohmann::ordered_json j;
        j["plan"] = plan.name;
        j.update(simulation_json(plan, sim));
        j["trace"] = f->trace_file.empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(f->trace_file);
        std::cout << j.dump(2) << "\n";
      } else {
        print_simulation(std::cout, plan, sim);
        if (!f->trace_file.empty())
          std::cout << fmt::format("\nwrote {} (run 0; open it in https://ui.perfetto.dev)\n",
                                   f->trace_file);
      }
      return 0;
    };
  });
}

}  // namespace trainplan::cli
