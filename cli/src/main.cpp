// trainplan: plans, simulates and runs detector training (DESIGN.md). This is the only
// place that parses flags and maps errors to exit codes (DESIGN 3.9).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "trainplan/error.hpp"

namespace {

constexpr int kExitRunFailed = 1;
constexpr int kExitBadInput = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"trainplan: how long, how much, and which strategy to train YOLO-World-style "
               "detectors on the GPUs you have"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trainplan 0.1.0");
  trainplan::cli::CommandRunner run;
  trainplan::cli::add_ask_command(app, run);
  trainplan::cli::add_estimate_command(app, run);
  trainplan::cli::add_plan_commands(app, run);
  trainplan::cli::add_run_commands(app, run);
  trainplan::cli::add_data_command(app, run);
  trainplan::cli::add_simulate_command(app, run);
  trainplan::cli::add_status_command(app, run);
  trainplan::cli::add_report_command(app, run);
  trainplan::cli::add_profiles_command(app, run);
  // CLI11 reports an unknown command as a missing one; name the word instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      known = known || sub->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "trainplan: unknown command \"%s\"; commands: %s\n", argv[1],
                   names.c_str());
      return kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "trainplan: %s\nRun 'trainplan --help' or 'trainplan COMMAND --help'.\n",
                 e.what());
    return kExitBadInput;
  } catch (const trainplan::InputError& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    return kExitBadInput;
  }
  try {
    return run ? run() : kExitBadInput;
  } catch (const trainplan::InputError& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    return kExitBadInput;
  } catch (const trainplan::RunError& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    return kExitRunFailed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainplan: internal error: %s\n", e.what());
    return kExitRunFailed;
  }
}
