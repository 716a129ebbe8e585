#pragma once
// `trainplan-executor bench-machine` (part of `trainplan probe`): this machine's rates as one
// rank sees them (one compute thread, as a launched worker runs): float32 matrix products,
// memory copies, and the data loader's time per sample of the YOLO recipe on synthetic images.
// No LibTorch types here.
#include <string>

namespace trainplan::executor {

/// The measured rates.
struct MachineRates {
  double matmul_gflops = 0;        ///< float32 1024x1024 products, one thread
  double memory_gbps = 0;          ///< a 256 MiB copy: bytes read plus written per second
  double loader_ms_per_sample = 0; ///< mosaic, affine, HSV and flip at `image_size`, one thread
  int image_size = 0;
};

/// Measures each rate for about `seconds` (at least one repetition); synthetic images go in a
/// temporary folder that is removed.
MachineRates measure_machine(double seconds, int image_size);

/// The rates as one JSON object (what bench-machine prints).
std::string to_json(const MachineRates& rates);

}  // namespace trainplan::executor
