// `trainplan probe [--nproc N]`: measures this machine in under a minute and writes what the
// cost model needs to predict runs here: a profile (this host's memory bandwidth, the
// all-reduce between local ranks, the loader's cost per sample) and measurement records of a
// few real training steps of the demo's stages, which `estimate --profiles/--measured` read.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "subprocess.hpp"
#include "trainplan/atomic_file.hpp"
#include "trainplan/costmodel/calibration.hpp"
#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/measurement.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

namespace trainplan::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// Below this a single core's float32 matrix products are not using an optimized BLAS.
constexpr double kOptimizedBlasGflops = 20;

struct ProbeOptions {
  int nproc = 2;
  std::string out = "probe";
  double seconds = 1;
  int steps = 30;
};

// Runs the executor with `args`; a failure is a RunError naming the log.
std::string run_executor(std::vector<std::string> args, const std::string& log, bool capture) {
  args.insert(args.begin(), executor_program());
  std::string out;
  const int code = run_program(args, log, capture ? &out : nullptr);
  if (code != 0)
    throw RunError(fmt::format("probe: `{}` failed (exit {}); see {}", args[1], code, log));
  return out;
}

// The libtorch-cpu loader cost the cost model wants (core-ms per sample of its reference: four
// 640x480 images into a 640 mosaic) from one measured at `size` on synthetic images.
double reference_loader_ms(const profiles::Catalog& embedded, double measured_ms, int size) {
  profiles::Catalog unit = embedded;
  profiles::FrameworkProfile f = unit.framework("libtorch-cpu");
  f.loader_ms_per_sample = 1;
  unit.put(f);
  costmodel::Scenario s;
  s.model_id = "trainplan-n";
  s.gpu_id = "cpu";
  s.framework_id = "libtorch-cpu";
  s.gpus = 1;
  s.global_batch = 1;
  s.resolution = {double(size), double(size)};
  s.source_image_pixels = double(size) * size;
  s.mosaic = true;
  s.amp = false;
  s.cpu_cores_per_gpu = 1;
  const double seconds_at_one_ms = costmodel::estimate(unit, s).step.loader_s;
  return seconds_at_one_ms > 0 ? measured_ms / (seconds_at_one_ms * 1e3) : f.loader_ms_per_sample;
}

// The executor's time for one evaluation pass in the probe's run: each stage's one (partial)
// epoch took `seconds` for its steps and the evaluation after them (metrics.jsonl), its steps
// `step` (forecast.jsonl's stage_end) of `seconds_per_iter` each. The mean over the stages.
double measured_evaluation_s(const std::string& run_dir) {
  std::map<std::string, int64_t> steps;
  std::ifstream forecasts(run_dir + "/forecast.jsonl");
  for (std::string line; std::getline(forecasts, line);) {
    const auto r = json::parse(line);
    if (r["kind"] == "stage_end") steps[r["stage"]] = r["step"].get<int64_t>();
  }
  double sum = 0;
  int count = 0;
  std::ifstream metrics(run_dir + "/metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    const auto r = json::parse(line);
    const auto found = steps.find(r["stage"].get<std::string>());
    if (found == steps.end()) continue;
    sum += std::max(0.0, r["seconds"].get<double>() -
                             double(found->second) * r["seconds_per_iter"].get<double>());
    ++count;
  }
  return count ? sum / count : -1;
}

// eval_fixed_s for the libtorch-cpu profile so that the calibrated model's evaluation pass of
// the probe's first stage takes what was measured (at least 0: the per-image part stays).
double fitted_eval_fixed_s(const profiles::Catalog& catalog, const std::string& records_path,
                           double measured_pass_s) {
  const auto records = costmodel::read_measurements(records_path);
  if (records.empty() || measured_pass_s < 0) return catalog.framework("libtorch-cpu").eval_fixed_s;
  costmodel::Scenario base;
  base.framework_id = "libtorch-cpu";
  base.cpu_cores_per_gpu = 1;
  base.mosaic = true;
  base.amp = false;
  const auto fit = costmodel::fit_calibration(catalog, records, base);
  costmodel::Scenario s = costmodel::scenario_for(records.front(), base);
  s.epochs = 1;
  s.eval_images = 96;  // any count: only the fixed part is solved for
  const auto e = costmodel::estimate(catalog, s, fit.calibration);
  const double image_part = e.breakdown.eval_s - catalog.framework("libtorch-cpu").eval_fixed_s;
  return std::max(0.0, measured_pass_s - image_part);
}

json gpu_json(const profiles::GpuProfile& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"architecture", g.architecture},
          {"tensor_tflops", g.tensor_tflops},
          {"fp32_tflops", g.fp32_tflops},
          {"memory_gb", g.memory_gb},
          {"memory_bandwidth_gbps", g.memory_bandwidth_gbps},
          {"intra_link", g.intra_link},
          {"intra_link_bandwidth_gbps", g.intra_link_bandwidth_gbps},
          {"price_per_gpu_hour_usd", g.price_per_gpu_hour_usd},
          {"host_cpu_cores_per_gpu", g.host_cpu_cores_per_gpu},
          {"default_network", g.default_network},
          {"source", g.source},
          {"price_source", g.price_source}};
}

json framework_json(const profiles::FrameworkProfile& f) {
  json j = {{"id", f.id},
          {"name", f.name},
          {"loader_ms_per_sample", f.loader_ms_per_sample},
          {"loader_workers_per_gpu", f.loader_workers_per_gpu},
          {"step_overhead_ms", f.step_overhead_ms},
          {"compute_efficiency", f.compute_efficiency},
          {"startup_s", f.startup_s},
          {"eval_fixed_s", f.eval_fixed_s},
          {"source", f.source}};
  if (f.checkpoint_fixed_s >= 0) j["checkpoint_fixed_s"] = f.checkpoint_fixed_s;
  return j;
}

int run_probe(const ProbeOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  fs::create_directories(o.out);
  const std::string log = o.out + "/probe.log";
  std::ofstream(log, std::ios::trunc);
  const auto embedded = profiles::Catalog::embedded();
  constexpr int kSize = 128;  // the demo's scaled input

  std::cout << "probe: one rank's rates (matrix products, memory, loader) ..." << std::endl;
  const json rates = json::parse(run_executor(
      {"bench-machine", "--seconds", fmt::format("{}", o.seconds), "--image-size", std::to_string(kSize)},
      log, true));

  json interconnects = json::array();
  if (o.nproc > 1) {
    std::cout << fmt::format("probe: all-reduce between {} local ranks ...", o.nproc) << std::endl;
    const std::string file = o.out + "/interconnect.json";
    run_executor({"bench-comm", "--nproc", std::to_string(o.nproc), "--max-bytes",
                  std::to_string(16 << 20), "--seconds-per-size", "0.05", "--max-iters", "10",
                  "--op", "all_reduce", "--profile-out", file, "--profile-id", "probe-local"},
                 log, false);
    interconnects = json::parse(std::ifstream(file))["interconnects"];
  }

  std::cout << fmt::format("probe: {} training steps of each stage of the demo's plan on {} "
                           "rank(s) ...",
                           o.steps, o.nproc)
            << std::endl;
  const auto answer = planner::answer_question(embedded, planner::parse_question("4 GPUs, 1 day budget?"));
  const std::string plan = o.out + "/plan.json";
  planner::write_plan_file(planner::plan_to_write(answer), plan);
  const std::string run_dir = o.out + "/run";
  fs::remove_all(run_dir);
  run_executor({"run", plan, "--scale-to-local", "--nproc", std::to_string(o.nproc), "--max-steps",
                std::to_string(o.steps), "--work-dir", run_dir, "--data-root", o.out + "/data"},
               log, false);
  fs::copy_file(run_dir + "/measurements.jsonl", o.out + "/measurements.jsonl",
                fs::copy_options::overwrite_existing);

  // The profile: the embedded cpu and libtorch-cpu entries with what was measured here.
  profiles::GpuProfile gpu = embedded.gpu("cpu");
  gpu.memory_bandwidth_gbps = rates["memory_gbps"].get<double>();
  if (!interconnects.empty()) {
    gpu.intra_link = interconnects[0]["id"];
    gpu.intra_link_bandwidth_gbps = interconnects[0]["bandwidth_gbps"];
  }
  gpu.source = fmt::format("trainplan probe: one rank's 256 MiB copy {:.1f} GB/s; float32 "
                           "1024x1024 products {:.1f} GFLOP/s (reported only: the compute peak "
                           "stays the prior's, the measurement records calibrate it); {} ",
                           rates["memory_gbps"].get<double>(), rates["matmul_gflops"].get<double>(),
                           interconnects.empty() ? std::string("one rank, no all-reduce")
                                                 : interconnects[0]["source"].get<std::string>());
  profiles::FrameworkProfile framework = embedded.framework("libtorch-cpu");
  framework.loader_ms_per_sample =
      reference_loader_ms(embedded, rates["loader_ms_per_sample"].get<double>(), kSize);
  const double evaluation_s = measured_evaluation_s(run_dir);
  framework.eval_fixed_s = fitted_eval_fixed_s(embedded, o.out + "/measurements.jsonl", evaluation_s);
  framework.source = fmt::format("trainplan probe: {:.2f} ms per sample (mosaic, affine, HSV, "
                                 "flip) at {} px on one thread, scaled to the cost model's "
                                 "reference sample; eval_fixed_s from an evaluation pass of {:.2f} s",
                                 rates["loader_ms_per_sample"].get<double>(), kSize, evaluation_s);
  json profile;
  profile["gpus"] = json::array({gpu_json(gpu)});
  if (!interconnects.empty()) profile["interconnects"] = interconnects;
  profile["frameworks"] = json::array({framework_json(framework)});
  write_file_atomically(o.out + "/profile.json", profile.dump(2) + "\n");
  std::ofstream(o.out + "/rates.json") << rates.dump(2) << "\n";

  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format(
      "\nthis machine, one rank: float32 products {:.1f} GFLOP/s, memory copy {:.1f} GB/s, "
      "loader {:.2f} ms per {} px sample\n",
      rates["matmul_gflops"].get<double>(), rates["memory_gbps"].get<double>(),
      rates["loader_ms_per_sample"].get<double>(), kSize);
  if (!interconnects.empty())
    std::cout << fmt::format("all-reduce between {} ranks: {:.2f} GB/s link, {:.0f} us latency\n",
                             o.nproc, interconnects[0]["bandwidth_gbps"].get<double>(),
                             interconnects[0]["latency_us"].get<double>());
  if (rates["matmul_gflops"].get<double>() < kOptimizedBlasGflops)
    std::cout << fmt::format(
        "note: {:.1f} GFLOP/s is far below a core's peak: LibTorch is likely using the reference "
        "BLAS; an optimized one (apt-get install libopenblas0-pthread) makes CPU training faster\n",
        rates["matmul_gflops"].get<double>());
  std::cout << fmt::format(
      "wrote {0}/profile.json and {0}/measurements.jsonl in {1:.0f} s; use them with\n"
      "  trainplan estimate ... --gpu cpu --profiles {0}/profile.json --measured {0}/measurements.jsonl\n",
      o.out, took);
  return 0;
}

}  // namespace

void add_probe_command(CLI::App& probe, CommandRunner& run) {
  auto o = std::make_shared<ProbeOptions>();
  probe.add_option("--nproc", o->nproc, "Local ranks for the all-reduce and the steps (default 2)");
  probe.add_option("--out", o->out, "Folder for profile.json and measurements.jsonl (default probe)");
  probe.add_option("--seconds", o->seconds, "Measuring time per rate (default 1)");
  probe.add_option("--steps", o->steps, "Training steps per stage (default 30)");
  probe.callback([o, &probe, &run] {
    if (probe.get_subcommands().size() > 0) return;  // `probe comm`
    run = [o] {
      if (o->nproc < 1 || o->nproc > 64)
        throw InputError(fmt::format("--nproc: {} is not accepted; expected 1..64", o->nproc));
      if (!(o->seconds > 0 && o->seconds <= 60))
        throw InputError(fmt::format("--seconds: {} is not accepted; expected 0 < s <= 60", o->seconds));
      if (o->steps < 1 || o->steps > 1000)
        throw InputError(fmt::format("--steps: {} is not accepted; expected 1..1000", o->steps));
      return run_probe(*o);
    };
  });
}

}  // namespace trainplan::cli
