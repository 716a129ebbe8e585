#pragma once
// The subcommands of `trainplan`. Each registers its flags on the app and returns the
// function that runs it once parsing succeeded; the function returns the exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "trainplan/profiles/catalog.hpp"

namespace trainplan::cli {

/// A parsed command, ready to run.
using CommandRunner = std::function<int()>;

/// `--profiles FILE` (repeatable): the embedded catalog with the user's files merged in.
profiles::Catalog load_catalog(const std::vector<std::string>& profile_files);

void add_estimate_command(CLI::App& app, CommandRunner& run);
void add_ask_command(CLI::App& app, CommandRunner& run);
void add_profiles_command(CLI::App& app, CommandRunner& run);
/// `run` and `demo` (handed over to the executor program).
void add_run_commands(CLI::App& app, CommandRunner& run);
/// `data synth` and `data check`.
void add_data_command(CLI::App& app, CommandRunner& run);
/// `plan`, `validate` and `explain`.
void add_plan_commands(CLI::App& app, CommandRunner& run);
/// `simulate`: Monte Carlo timelines of a plan with failures, checkpoints and restarts.
void add_simulate_command(CLI::App& app, CommandRunner& run);
/// `probe` itself (machine rates, all-reduce, training steps into a profile and records).
void add_probe_command(CLI::App& probe, CommandRunner& run);
/// `status`: progress, forecast and health of a run, from its run directory.
void add_status_command(CLI::App& app, CommandRunner& run);
/// `report`: one self-contained HTML page of charts for a plan file or a run directory.
void add_report_command(CLI::App& app, CommandRunner& run);

}  // namespace trainplan::cli
