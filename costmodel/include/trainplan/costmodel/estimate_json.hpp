#pragma once
// An Estimate as JSON: the `trainplan estimate --json` object (DESIGN 3.4) and the
// prediction stored with each plan stage.
#include <nlohmann/json.hpp>

#include "trainplan/costmodel/estimate.hpp"

namespace trainplan::costmodel {

/// DESIGN 3.4 fields first (seconds_per_iter, iters_per_epoch, epoch_seconds, total_seconds,
/// per_gpu_batch, fits_memory, breakdown, calibrated), then the details.
nlohmann::ordered_json to_json(const Estimate& estimate);

}  // namespace trainplan::costmodel
