// `trainplan report PLAN_OR_RUN_DIR -o report.html` (docs/report.md): one self-contained HTML
// page with the plan's charts and, for a run directory, the run's.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "report_chart_library.hpp"
#include "report_inputs.hpp"
#include "report_page.hpp"
#include "report_plan_charts.hpp"
#include "report_run_charts.hpp"
#include "simulation_report.hpp"
#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

// Every run's makespan goes into the page: beyond this the page outgrows its 2 MB.
constexpr long long kMaxReportRuns = 20'000;
// The report's own defaults: a distribution needs failures to have any spread, so the report
// assumes the MTBF the docs use in their examples unless told otherwise.
constexpr const char* kDefaultRuns = "2000";
constexpr const char* kDefaultMtbfHours = "2000";

struct ReportFlags {
  std::string input, output;
  SimulationFlags simulation{kDefaultRuns, "", kDefaultMtbfHours, "", ""};
  std::vector<std::string> profile_files;
};

PageHeader header_of(const ReportInputs& in) {
  const auto& p = in.plan;
  const auto& q = p.question;
  PageHeader h;
  h.title = fmt::format("trainplan report: {}", in.run_dir ? "run " + *in.run_dir : p.name);
  if (!q.text.empty()) h.facts.push_back(fmt::format("Question: \"{}\"", q.text));
  h.facts.push_back(fmt::format("Plan {} ({}), strategy {}: {} stage{} on {} x {}", p.name,
                                in.plan_path, p.strategy, p.stages.size(),
                                p.stages.size() == 1 ? "" : "s", q.gpus, q.gpu));
  h.facts.push_back(
      fmt::format("Predicted: {:.2f} h (likely {:.2f}-{:.2f} h), {:.1f} GPU-hours, ${:.0f}{}{}",
                  p.summary.makespan_seconds / 3600, p.summary.makespan_p10_seconds / 3600,
                  p.summary.makespan_p90_seconds / 3600, p.summary.gpu_hours, p.summary.cost_usd,
                  q.deadline_hours ? fmt::format("; deadline {:g} h", *q.deadline_hours) : "",
                  q.max_cost_usd ? fmt::format("; budget ${:g}", *q.max_cost_usd) : ""));
  if (in.run_dir)
    h.facts.push_back(
        fmt::format("Run: {} epoch record{} in metrics.jsonl; {}", in.metrics.size(),
                    in.metrics.size() == 1 ? "" : "s",
                    in.forecast ? fmt::format("{} record{} in forecast.jsonl", in.forecast->size(),
                                              in.forecast->size() == 1 ? "" : "s")
                                : std::string("no forecast.jsonl")));
  return h;
}

}  // namespace

void add_report_command(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write one self-contained HTML page of charts for a plan file or a run directory");
  cmd->add_option("input", f->input,
                  "Plan file (trainplan plan -o plan.json) or run directory (runs/<name>/)")
      ->required();
  cmd->add_option("-o,--output", f->output, "HTML file to write")->required();
  cmd->add_option("--runs", f->simulation.runs,
                  "Monte Carlo runs for the finish-time chart, 1 to 20,000 (default 2000)");
  cmd->add_option("--seed", f->simulation.seed, "Random seed of the simulation (default 1)");
  cmd->add_option("--mtbf-hours", f->simulation.mtbf_hours,
                  "Mean time between failures of one GPU, hours (default 2000 in reports)");
  cmd->add_option("--restart-minutes", f->simulation.restart_minutes,
                  "Time to get a failed stage going again (default 10)");
  cmd->add_option("--profiles", f->profile_files, "Extra profiles JSON (repeatable)");
  cmd->callback([f, &run] {
    run = [f] {
      auto options = simulation_options(f->simulation);  // bad flags fail first
      if (options.runs > kMaxReportRuns)
        throw InputError(fmt::format("--runs: {} is more than a report holds; accepted: 1 to {}",
                                     options.runs, kMaxReportRuns));
      // Inputs first: bad input is exit 2 whatever the build.
      const auto inputs = read_report_inputs(f->input);
      const auto libraries = chart_library();
      if (libraries.empty())
        throw RunError(
            "this build of trainplan has no chart library (npm and node were not found when it was "
            "configured, or TRAINPLAN_REPORT_CHARTS was off): install npm and rebuild to use "
            "trainplan report");
      const auto catalog = load_catalog(f->profile_files);
      const auto simulation = simulate_for_report(catalog, inputs.plan, options);
      auto charts = plan_charts(catalog, inputs.plan, simulation);
      if (inputs.run_dir)
        for (auto& c : run_charts(inputs)) charts.push_back(std::move(c));
      const std::string page = render_page(header_of(inputs), charts, libraries);
      write_file_atomically(f->output, page);
      int drawn = 0;
      for (const auto& c : charts) drawn += c.spec ? 1 : 0;
      std::cout << fmt::format("wrote {} ({:.0f} KB): {} of {} charts", f->output,
                               double(page.size()) / 1024, drawn, charts.size());
      for (const auto& c : charts)
        if (!c.spec) std::cout << fmt::format("\n  no chart \"{}\": {}", c.title, c.missing);
      std::cout << "\n";
      return 0;
    };
  });
}

}  // namespace trainplan::cli
