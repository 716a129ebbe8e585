#include "trainplan/costmodel/estimate_json.hpp"

namespace trainplan::costmodel {

nlohmann::ordered_json to_json(const Estimate& e) {
  nlohmann::ordered_json j;
  j["seconds_per_iter"] = e.seconds_per_iter;
  j["iters_per_epoch"] = e.iters_per_epoch;
  j["epoch_seconds"] = e.epoch_seconds;
  j["total_seconds"] = e.total_seconds;
  j["per_gpu_batch"] = e.per_gpu_batch;
  j["fits_memory"] = e.fits_memory;
  j["breakdown"] = {{"compute_s", e.breakdown.compute_s},
                    {"comm_exposed_s", e.breakdown.comm_exposed_s},
                    {"data_s", e.breakdown.data_s},
                    {"eval_s", e.breakdown.eval_s},
                    {"overhead_s", e.breakdown.overhead_s}};
  j["calibrated"] = e.calibrated;
  // DESIGN 3.11: the likely range of the total, from the cross-validated residuals.
  j["total_seconds_p10"] = e.total_seconds_p10;
  j["total_seconds_p90"] = e.total_seconds_p90;
  j["startup_s"] = e.startup_s;
  j["micro_batch"] = e.micro_batch;
  j["accumulation_steps"] = e.accumulation_steps;
  j["step"] = {{"compute_s", e.step.compute_s},
               {"comm_s", e.step.comm_s},
               {"comm_exposed_s", e.step.comm_exposed_s},
               {"loader_s", e.step.loader_s},
               {"data_stall_s", e.step.data_stall_s},
               {"overhead_s", e.step.overhead_s}};
  j["memory_gb"] = {{"weights", e.memory.weights_gb},
                    {"activations", e.memory.activations_gb},
                    {"reserved", e.memory.reserved_gb},
                    {"total", e.memory.total_gb},
                    {"capacity", e.memory.capacity_gb}};
  j["gpu_hours"] = e.gpu_hours;
  j["cost_usd"] = e.cost_usd;
  return j;
}

}  // namespace trainplan::costmodel
