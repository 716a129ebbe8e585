// `trainplan run` and `trainplan demo`: checked here (plan, flags) before anything starts, then
// handed to the executor program (LibTorch stays out of this process: DESIGN section 2).
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "plan_printer.hpp"
#include "comm_bench_flags.hpp"
#include "run_flags.hpp"
#include "subprocess.hpp"
#include "trainplan/executor/run_arguments.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

namespace trainplan::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDemoQuestion = "4 GPUs, 1 day budget?";
constexpr int kDemoRanks = 2;

// Replaces this process with the executor program running `args`.
[[noreturn]] void exec_executor(std::vector<std::string> args) {
  const std::string program = executor_program();
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(program.c_str(), argv.data());
  throw RunError(fmt::format("cannot start {}: {}", program, std::strerror(errno)));
}

[[noreturn]] void hand_over(const executor::RunOptions& options) {
  exec_executor(executor::run_arguments(options));
}

}  // namespace

void add_run_commands(CLI::App& app, CommandRunner& run) {
  // `trainplan probe comm`: the executor's communication benchmark.
  CLI::App* probe = app.add_subcommand(
      "probe", "Measure this machine in under a minute: a profile and measurement records for "
               "estimate --profiles/--measured (probe comm: the all-reduce table alone)");
  probe->require_subcommand(0, 1);
  add_probe_command(*probe, run);
  auto bench = std::make_shared<executor::CommBenchOptions>();
  CLI::App* comm = probe->add_subcommand(
      "comm", "All-reduce and all-gather from 8 B to 256 MB over Gloo (NCCL with GPUs), printed "
              "as nccl-tests prints them; --profile-out saves an interconnect profile");
  add_comm_bench_flags(*comm, bench);
  comm->callback([bench, &run] {
    run = [bench]() -> int { exec_executor(executor::comm_bench_arguments(*bench)); };
  });

  auto options = std::make_shared<executor::RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a plan end to end with the data-parallel executor");
  add_run_flags(*cmd, options);
  cmd->callback([options, &run] {
    run = [options]() -> int {
      check_run_options(*options);
      planner::read_plan_file(options->plan_path);  // bad plans stop here, exit 2
      hand_over(*options);
    };
  });

  auto demo_dir = std::make_shared<std::string>();
  auto demo_steps = std::make_shared<int>(0);
  CLI::App* demo = app.add_subcommand(
      "demo", "Ask \"4 GPUs, 1 day budget?\", write the plan, and run it scaled to this machine "
              "on 2 CPU ranks over Gloo");
  demo->add_option("--work-dir", *demo_dir, "Run directory (default runs/demo[-N])");
  demo->add_option("--max-steps", *demo_steps, "Stop each stage at N optimizer steps (for tests)");
  demo->callback([demo_dir, demo_steps, &run] {
    run = [demo_dir, demo_steps]() -> int {
      if (*demo_steps < 0)
        throw InputError(fmt::format("--max-steps: {} is not accepted; expected >= 0", *demo_steps));
      std::string work = *demo_dir;
      if (work.empty()) {
        work = "runs/demo";
        for (int n = 2; fs::exists(work); ++n) work = fmt::format("runs/demo-{}", n);
      }
      fs::create_directories(work);
      const auto catalog = profiles::Catalog::embedded();
      const auto answer = planner::answer_question(catalog, planner::parse_question(kDemoQuestion));
      const planner::Plan plan = planner::plan_to_write(answer);
      const std::string plan_path = work + "/requested-plan.json";
      planner::write_plan_file(plan, plan_path);
      std::cout << fmt::format("trainplan demo: \"{}\"\n\n", kDemoQuestion);
      print_plan(std::cout, plan);
      std::cout << fmt::format("\nwrote {}; running it scaled to this machine on {} CPU ranks "
                               "over Gloo\n\n",
                               plan_path, kDemoRanks);
      executor::RunOptions options;
      options.plan_path = plan_path;
      options.nproc = kDemoRanks;
      options.scale_to_local = true;
      options.work_dir = work;
      options.max_steps = *demo_steps;
      hand_over(options);
    };
  });
}

}  // namespace trainplan::cli
