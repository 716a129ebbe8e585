// The failure model's closed forms (docs/simulator.md sections 3-4) and the checks on the
// simulation options.
#include <fmt/format.h>

#include <cmath>

#include "trainplan/costmodel/simulation.hpp"
#include "trainplan/error.hpp"

namespace trainplan::costmodel {

double young_interval_s(double checkpoint_write_s, double stage_mtbf_s) {
  // Young (1974): with checkpoints of cost C every tau and failures at rate 1/M, the time
  // lost per unit of work is about C/tau + tau/(2M); it is smallest at tau = sqrt(2 C M).
  return std::sqrt(2.0 * checkpoint_write_s * stage_mtbf_s);
}

double expected_lost_work_per_failure_s(double failure_rate_per_s, double period_s) {
  if (!(period_s > 0)) return 0;
  const double x = failure_rate_per_s * period_s;
  // For tiny lambda T the closed form cancels catastrophically; its series is
  // T (1/2 - x/12 + x^3/720).
  if (x < 1e-4) return period_s * (0.5 - x / 12.0);
  // A failure in a period of length T strikes at t ~ Exp(lambda) conditioned on t < T:
  // E[t | t < T] = 1/lambda - T exp(-lambda T) / (1 - exp(-lambda T)) = 1/lambda - T / (e^x - 1).
  return 1.0 / failure_rate_per_s - period_s / std::expm1(x);
}

void validate(const SimulationOptions& o) {
  if (o.runs < 1 || o.runs > kMaxSimulationRuns)
    throw InputError(
        fmt::format("--runs: {} is not accepted; expected a whole number from 1 to "
                    "10,000,000",
                    o.runs));
  if (o.mtbf_hours && !(std::isfinite(*o.mtbf_hours) && *o.mtbf_hours > 0))
    throw InputError(
        fmt::format("--mtbf-hours: {} is not accepted; expected a positive number of "
                    "hours (the mean time between failures of one GPU), such as 5000",
                    *o.mtbf_hours));
  if (!(std::isfinite(o.restart_s) && o.restart_s > 0))
    throw InputError(
        fmt::format("--restart-minutes: {} is not accepted; expected a positive "
                    "number of minutes, such as 10",
                    o.restart_s / 60));
  if (o.checkpoint.mode == CheckpointMode::kInterval &&
      !(std::isfinite(o.checkpoint.interval_s) && o.checkpoint.interval_s > 0))
    throw InputError(
        fmt::format("--checkpoint-every: {} s is not accepted; expected auto, epoch, "
                    "or a positive duration such as 30m or 2h",
                    o.checkpoint.interval_s));
  if (o.deadline_s && !(*o.deadline_s >= 0))
    throw InputError(
        fmt::format("deadline: {} s is not accepted; expected 0 or more", *o.deadline_s));
  if (o.price_per_gpu_hour_usd && !(*o.price_per_gpu_hour_usd >= 0))
    throw InputError(fmt::format("price: {} USD per GPU-hour is not accepted; expected 0 or more",
                                 *o.price_per_gpu_hour_usd));
}

}  // namespace trainplan::costmodel
