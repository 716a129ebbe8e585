// bench/estimate_throughput: how fast the library estimates configurations on one core.
// Sweeps 100,000 distinct configurations (model x GPU x GPU count x resolution x batch) and
// repeats the sweep; prints each repetition and the median. Target: under 1 s per sweep.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"

using namespace trainplan;

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 5;
  const auto catalog = profiles::Catalog::embedded();
  // Configurations: every model x 10 GPUs x 10 GPU counts x 10 resolutions x 10 per-GPU
  // batches, cut at 100,000.
  std::vector<costmodel::Scenario> scenarios;
  const int gpu_counts[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  for (const auto& model : catalog.models())
    for (size_t g = 0; g < 10 && g < catalog.gpus().size(); ++g)
      for (int gpus : gpu_counts)
        for (int res = 320; res < 320 + 10 * 96; res += 96)
          for (int per_gpu = 1; per_gpu <= 32; per_gpu += 3 + per_gpu / 4) {
            if (scenarios.size() == 100000) break;
            costmodel::Scenario s;
            s.model_id = model.id;
            s.gpu_id = catalog.gpus()[g].id;
            s.gpus = gpus;
            s.nodes = gpus > 8 ? gpus / 8 : 1;
            s.global_batch = per_gpu * gpus;
            s.resolution = {double(res), double(res)};
            s.images = 118287;
            s.epochs = 80;
            s.eval_images = 5000;
            s.texts_per_image = 80;
            scenarios.push_back(s);
          }
  // Fill up to 100,000 by varying epochs if the grid came out smaller.
  for (size_t i = 0; scenarios.size() < 100000; ++i) {
    auto s = scenarios[i];
    s.epochs = 81 + double(i % 200);
    scenarios.push_back(s);
  }

  std::vector<double> seconds;
  double checksum = 0;
  fmt::print("{:>10} {:>14} {:>16}\n", "repeat", "configs", "seconds");
  for (int r = 0; r < repetitions; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (const auto& s : scenarios) checksum += costmodel::estimate(catalog, s).total_seconds;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds.push_back(elapsed);
    fmt::print("{:>10} {:>14} {:>16.3f}\n", r + 1, scenarios.size(), elapsed);
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  fmt::print("{}: {} configurations in {:.3f} s median ({:.2f} us each; target < 1 s) "
             "[checksum {:.6g}]\n",
             median < 1.0 ? "OK" : "FAILED", scenarios.size(), median,
             median / scenarios.size() * 1e6, checksum);
  return median < 1.0 ? 0 : 1;
}
