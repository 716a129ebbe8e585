// trainplan-executor: the LibTorch half of trainplan, started by `trainplan run` / `demo` (or
// by torchrun / srun as one worker). It parses the same run flags and maps errors to the
// exit codes of DESIGN 3.9.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "comm_bench_flags.hpp"
#include "run_flags.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/comm_bench.hpp"
#include "trainplan/executor/error_file.hpp"

int main(int argc, char** argv) {
  CLI::App app{"trainplan-executor: runs a trainplan plan (started by `trainplan run`)"};
  app.require_subcommand(1);
  auto options = std::make_shared<trainplan::executor::RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a plan");
  trainplan::cli::add_run_flags(*run, options);
  auto bench = std::make_shared<trainplan::executor::CommBenchOptions>();
  CLI::App* bench_comm = app.add_subcommand(
      "bench-comm", "All-reduce and all-gather bandwidth, printed as nccl-tests prints it");
  trainplan::cli::add_comm_bench_flags(*bench_comm, bench);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    std::error_code error;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
    if (bench_comm->parsed()) {
      bench->self_path = self;
      return trainplan::executor::run_comm_bench(*bench);
    }
    options->self_path = self;
    trainplan::cli::check_run_options(*options);
    return trainplan::executor::run_plan(*options);
  } catch (const trainplan::InputError& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    trainplan::executor::record_error_for_launcher("InputError", e.what());
    return 2;
  } catch (const trainplan::PeerFailure& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    trainplan::executor::record_error_for_launcher("PeerFailure", e.what());
    return 1;
  } catch (const trainplan::RunError& e) {
    std::fprintf(stderr, "trainplan: %s\n", e.what());
    trainplan::executor::record_error_for_launcher("RunError", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainplan: internal error: %s\n", e.what());
    trainplan::executor::record_error_for_launcher("InternalError", e.what());
    return 1;
  }
}
