// trainplan-executor: the LibTorch half of trainplan, started by `trainplan run` / `demo` (or
// by torchrun / srun as one worker). It parses the same run flags and maps errors to the
// exit codes of DESIGN 3.9.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <cstdio>
#include <filesystem>

#include "comm_bench_flags.hpp"
#include "run_flags.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/comm_bench.hpp"
#include "trainplan/executor/error_file.hpp"
#include "trainplan/executor/machine_bench.hpp"

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
  double machine_seconds = 1.0;
  int machine_image_size = 128;
  CLI::App* bench_machine = app.add_subcommand(
      "bench-machine", "One rank's matrix-product, memory-copy and loader rates, as JSON");
  bench_machine->add_option("--seconds", machine_seconds, "Measuring time per rate (default 1)");
  bench_machine->add_option("--image-size", machine_image_size, "Loader image side (default 128)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    std::error_code error;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
    if (bench_machine->parsed()) {
      if (!(machine_seconds > 0 && machine_seconds <= 60))
        throw trainplan::InputError(fmt::format("--seconds: {} is not accepted; expected 0 < s <= 60", machine_seconds));
      if (machine_image_size < 32 || machine_image_size > 1024 || machine_image_size % 32)
        throw trainplan::InputError(fmt::format("--image-size: {} is not accepted; expected a multiple of 32 in 32..1024", machine_image_size));
      std::printf("%s\n", trainplan::executor::to_json(
                              trainplan::executor::measure_machine(machine_seconds, machine_image_size)).c_str());
      return 0;
    }
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
