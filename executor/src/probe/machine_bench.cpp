#include "trainplan/executor/machine_bench.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/data/synth.hpp"
#include "trainplan/executor/data/transforms.hpp"

namespace trainplan::executor {

namespace {

using Clock = std::chrono::steady_clock;

// Repeats `work` for about `seconds` (after one warm-up call); returns seconds per call.
template <typename Work>
double seconds_per_call(double seconds, Work work) {
  work();
  int64_t calls = 0;
  const auto start = Clock::now();
  double took = 0;
  do {
    work();
    ++calls;
    took = std::chrono::duration<double>(Clock::now() - start).count();
  } while (took < seconds);
  return took / double(calls);
}

double matmul_gflops(double seconds) {
  constexpr int64_t n = 1024;
  const auto a = torch::rand({n, n}), b = torch::rand({n, n});
  auto c = torch::empty({n, n});
  const double s = seconds_per_call(seconds, [&] { torch::mm_out(c, a, b); });
  return 2.0 * n * n * n / s / 1e9;
}

double memory_gbps(double seconds) {
  constexpr int64_t floats = (256ll << 20) / 4;
  const auto from = torch::rand({floats});
  auto to = torch::empty({floats});
  const double s = seconds_per_call(seconds, [&] { to.copy_(from); });
  return 2.0 * double(floats) * 4 / s / 1e9;  // read and written
}

double loader_ms_per_sample(double seconds, int image_size) {
  std::string dir = (std::filesystem::temp_directory_path() / "trainplan-probe-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw RunError("bench-machine: cannot make a temporary folder");
  struct Remove {
    std::string dir;
    ~Remove() {
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    }
  } remove{dir};
  data::SynthOptions so;
  so.out_dir = dir + "/shapes";
  so.images = 32;
  so.size = image_size;
  so.val_fraction = 0;
  data::write_synthetic_dataset(so);
  const auto dataset = data::load_coco(so.out_dir + "/annotations/train.json", so.out_dir + "/train");
  const auto options = data::AugmentOptions::yolo_recipe(/*mosaic=*/true);
  size_t index = 0;
  const double s = seconds_per_call(seconds, [&] {
    data::make_sample(dataset, index % dataset.images.size(), image_size, options, index);
    ++index;
  });
  return s * 1e3;
}

}  // namespace

MachineRates measure_machine(double seconds, int image_size) {
  torch::set_num_threads(1);  // as each launched rank runs
  MachineRates r;
  r.image_size = image_size;
  r.matmul_gflops = matmul_gflops(seconds);
  r.memory_gbps = memory_gbps(seconds);
  r.loader_ms_per_sample = loader_ms_per_sample(seconds, image_size);
  return r;
}

std::string to_json(const MachineRates& r) {
  nlohmann::ordered_json j;
  j["matmul_gflops"] = r.matmul_gflops;
  j["memory_gbps"] = r.memory_gbps;
  j["loader_ms_per_sample"] = r.loader_ms_per_sample;
  j["image_size"] = r.image_size;
  return j.dump();
}

}  // namespace trainplan::executor
