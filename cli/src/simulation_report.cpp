#include "simulation_report.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "text_format.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/plan_simulation.hpp"
#include "trainplan/planner/question.hpp"

namespace trainplan::cli {

namespace {

using costmodel::CheckpointMode;
using ojson = nlohmann::ordered_json;

// A positive finite number written in full ("5000", "0.5"); anything else is one message.
double positive_number(const std::string& text, const std::string& flag,
                       const std::string& expected) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(begin, &end);
  const bool whole_text = end != begin && *end == '\0' && !std::isspace((unsigned char)text[0]);
  if (!whole_text || errno != 0 || !std::isfinite(value) || !(value > 0))
    throw InputError(fmt::format("{}: \"{}\" is not accepted; expected {}", flag, text, expected));
  return value;
}

// A whole number of digits only, up to `most`.
unsigned long long whole_number(const std::string& text, const std::string& flag,
                                unsigned long long least, unsigned long long most,
                                const std::string& range) {
  auto bad = [&] {
    throw InputError(fmt::format("{}: \"{}\" is not accepted; expected a whole number from {}",
                                 flag, text, range));
  };
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) bad();
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || value < least || value > most) bad();
  return value;
}

costmodel::CheckpointPolicy checkpoint_policy(const std::string& text) {
  costmodel::CheckpointPolicy p;
  if (text.empty() || text == "auto") return p;
  if (text == "epoch") {
    p.mode = CheckpointMode::kEveryEpoch;
    return p;
  }
  try {
    p.interval_s = planner::parse_duration_hours(text, "--checkpoint-every") * 3600.0;
  } catch (const InputError&) {
    throw InputError(
        fmt::format("--checkpoint-every: \"{}\" is not accepted; expected auto, "
                    "epoch, or a positive duration such as 30m, 2h or 1d",
                    text));
  }
  p.mode = CheckpointMode::kInterval;
  return p;
}

std::string policy_name(const costmodel::SimulationOptions& o) {
  switch (o.checkpoint.mode) {
    case CheckpointMode::kAuto:
      return "auto";
    case CheckpointMode::kEveryEpoch:
      return "epoch";
    case CheckpointMode::kInterval:
      return "interval";
  }
  return "auto";
}

std::string checkpoint_text(const costmodel::StageSetup& s) {
  if (s.work_s <= 0) return "-";
  return s.checkpoint_each_epoch ? "each epoch" : format_duration(s.checkpoint_interval_s);
}

std::string percent(double share) { return fmt::format("{:.1f}%", 100 * share); }

ojson or_null(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }

}  // namespace

costmodel::SimulationOptions simulation_options(const SimulationFlags& f) {
  costmodel::SimulationOptions o;
  if (!f.runs.empty())
    o.runs = (long long)whole_number(f.runs, "--runs", 1, costmodel::kMaxSimulationRuns,
                                     "1 to 10,000,000");
  if (!f.seed.empty())
    o.seed = whole_number(f.seed, "--seed", 0, ~0ull, "0 to 18446744073709551615");
  if (!f.mtbf_hours.empty())
    o.mtbf_hours = positive_number(f.mtbf_hours, "--mtbf-hours",
                                   "a positive number of hours (the mean time between failures "
                                   "of one GPU), such as 5000");
  if (!f.restart_minutes.empty())
    o.restart_s = 60 * positive_number(f.restart_minutes, "--restart-minutes",
                                       "a positive number of minutes, such as 10");
  o.checkpoint = checkpoint_policy(f.checkpoint_every);
  costmodel::validate(o);
  return o;
}

std::optional<costmodel::SimulationOptions> question_simulation(
    const std::string& mtbf_hours, const std::string& restart_minutes) {
  SimulationFlags f;
  f.mtbf_hours = mtbf_hours;
  f.restart_minutes = restart_minutes;
  auto options = simulation_options(f);  // checks --restart-minutes even without an MTBF
  if (mtbf_hours.empty()) return std::nullopt;
  options.runs = kQuestionSimulationRuns;
  options.seed = kQuestionSimulationSeed;
  return options;
}

PlanSimulation simulate(const profiles::Catalog& catalog, const planner::Plan& plan,
                        const costmodel::SimulationOptions& options) {
  PlanSimulation sim;
  sim.options = planner::with_plan_defaults(plan, options);
  sim.result = planner::simulate_plan(catalog, plan, sim.options);
  return sim;
}

void print_simulation(std::ostream& out, const planner::Plan& plan, const PlanSimulation& sim) {
  const auto& o = sim.options;
  const auto& r = sim.result;
  out << fmt::format("Simulated plan {}: {} run{}, seed {}\n", plan.name,
                     format_count(double(r.runs)), r.runs == 1 ? "" : "s", r.seed);
  if (o.mtbf_hours)
    out << fmt::format(
        "  GPU failures: MTBF {:g} h per GPU, restart {} plus start-up; "
        "checkpoints {}\n",
        *o.mtbf_hours, format_duration(o.restart_s), policy_name(o));
  else
    out << "  no GPU failures (give --mtbf-hours to simulate them); checkpoints each epoch\n";
  out << fmt::format("  makespan: planned {}, mean {}, P50 {}, P90 {}, P99 {}\n",
                     format_duration(plan.summary.makespan_seconds),
                     format_duration(r.mean_makespan_s), format_duration(r.p50_makespan_s),
                     format_duration(r.p90_makespan_s), format_duration(r.p99_makespan_s));
  if (r.deadline_s)
    out << fmt::format("  deadline {}: met in {} of runs\n", format_duration(*r.deadline_s),
                       percent(*r.deadline_probability));
  else
    out << "  no deadline in the plan\n";
  out << fmt::format("  expected {:.0f} GPU-hours, {}; {:.2f} failures per run\n", r.mean_gpu_hours,
                     format_usd(r.mean_cost_usd), r.mean_failures);
  out << fmt::format("\n  {:<24} {:>5} {:>11} {:>12} {:>7} {:>9} {:>10} {:>10} {:>10}\n", "stage",
                     "GPUs", "stage MTBF", "checkpoint", "write", "fails/run", "lost/run",
                     "lost/fail", "(analytic)");
  for (const auto& s : r.stages) {
    const auto& u = s.setup;
    const bool failures = u.failure_rate_per_s > 0;
    out << fmt::format("  {:<24} {:>5} {:>11} {:>12} {:>7} {:>9.3f} {:>10} {:>10} {:>10}\n", u.id,
                       u.gpus, failures ? format_duration(1 / u.failure_rate_per_s) : "-",
                       checkpoint_text(u), format_duration(u.checkpoint_write_s),
                       s.expected_failures, format_duration(s.expected_lost_work_s),
                       s.expected_failures > 0 ? format_duration(s.lost_work_per_failure_s) : "-",
                       failures ? format_duration(u.expected_lost_per_failure_s) : "-");
  }
}

void print_simulation_paragraph(std::ostream& out, const planner::Plan& plan,
                                const PlanSimulation& sim) {
  const auto& r = sim.result;
  out << fmt::format(
      "\nWith GPU failures (MTBF {:g} h per GPU, restart {}, checkpoints {}; {} "
      "simulated runs, seed {}): P90 makespan {} against the planned {}, "
      "{:.2f} failures per run",
      *sim.options.mtbf_hours, format_duration(sim.options.restart_s), policy_name(sim.options),
      format_count(double(r.runs)), r.seed, format_duration(r.p90_makespan_s),
      format_duration(plan.summary.makespan_seconds), r.mean_failures);
  if (r.deadline_s)
    out << fmt::format("; the {} deadline is met in {} of runs", format_duration(*r.deadline_s),
                       percent(*r.deadline_probability));
  out << ".\n";
}

ojson simulation_json(const planner::Plan& plan, const PlanSimulation& sim) {
  const auto& o = sim.options;
  const auto& r = sim.result;
  ojson j;
  j["runs"] = r.runs;
  j["seed"] = r.seed;
  j["mtbf_hours"] = or_null(o.mtbf_hours);
  j["restart_minutes"] = o.restart_s / 60;
  j["checkpoint_policy"] = policy_name(o);
  j["checkpoint_interval_seconds"] = o.checkpoint.mode == CheckpointMode::kInterval
                                         ? ojson(o.checkpoint.interval_s)
                                         : ojson(nullptr);
  j["planned_makespan_seconds"] = plan.summary.makespan_seconds;
  j["failure_free_makespan_seconds"] = r.failure_free_makespan_s;
  j["makespan_seconds"] = {{"mean", r.mean_makespan_s}, {"p50", r.p50_makespan_s},
                           {"p90", r.p90_makespan_s},   {"p99", r.p99_makespan_s},
                           {"min", r.min_makespan_s},   {"max", r.max_makespan_s}};
  j["deadline_hours"] = r.deadline_s ? ojson(*r.deadline_s / 3600) : ojson(nullptr);
  j["deadline_probability"] = or_null(r.deadline_probability);
  j["gpu_hours"] = r.mean_gpu_hours;
  j["cost_usd"] = r.mean_cost_usd;
  j["failures_per_run"] = r.mean_failures;
  j["stages"] = ojson::array();
  for (const auto& s : r.stages) {
    const auto& u = s.setup;
    const bool failures = u.failure_rate_per_s > 0;
    j["stages"].push_back(
        {{"id", u.id},
         {"gpus", u.gpus},
         {"failure_rate_per_hour", u.failure_rate_per_s * 3600},
         {"checkpoint", u.checkpoint_each_epoch ? "epoch" : "interval"},
         {"checkpoint_interval_seconds",
          u.checkpoint_each_epoch ? ojson(nullptr) : ojson(u.checkpoint_interval_s)},
         {"checkpoint_write_seconds", u.checkpoint_write_s},
         {"checkpoints", u.checkpoints},
         {"evaluations", u.evaluations},
         {"failure_free_seconds", u.failure_free_s},
         {"mean_seconds", s.mean_seconds},
         {"expected_failures", s.expected_failures},
         {"expected_lost_work_seconds", s.expected_lost_work_s},
         {"lost_work_per_failure_seconds",
          s.expected_failures > 0 ? ojson(s.lost_work_per_failure_s) : ojson(nullptr)},
         {"analytic_lost_work_per_failure_seconds",
          failures ? ojson(u.expected_lost_per_failure_s) : ojson(nullptr)}});
  }
  return j;
}

}  // namespace trainplan::cli
