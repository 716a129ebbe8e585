// Monte Carlo over independent timelines (docs/simulator.md section 6): makespan mean and
// percentiles, the chance of meeting the deadline, expected GPU-hours, cost and lost work.
#include <algorithm>
#include <cmath>

#include "simulation_engine.hpp"

namespace trainplan::costmodel {

namespace {

// Never fails; gives the failure-free timeline.
class NoFailures : public detail::FailureSource {
 public:
  TimeNs next_failure(std::size_t, TimeNs, TimeNs) override { return -1; }
};

// Nearest-rank percentile (the smallest value with at least p of the runs at or below it):
// always one of the simulated makespans, never an interpolation between two.
double percentile(std::vector<TimeNs>& values, double p) {
  const std::size_t n = values.size();
  std::size_t rank = std::size_t(std::ceil(p * double(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  std::nth_element(values.begin(), values.begin() + (rank - 1), values.end());
  return ns_to_seconds(values[rank - 1]);
}

}  // namespace

SimulationResult simulate(const std::vector<SimStage>& stages, const SimulationOptions& options) {
  const detail::Prepared prepared = detail::prepare(stages, options);
  const std::size_t n = prepared.stages.size();
  detail::Engine engine(prepared);
  SimulationResult r;
  r.runs = options.runs;
  r.seed = options.seed;
  r.deadline_s = options.deadline_s;
  NoFailures none;
  r.failure_free_makespan_s = ns_to_seconds(engine.run(none, nullptr));

  // Sums in integer nanoseconds (exact) and GPU-nanoseconds as double (may exceed int64).
  std::vector<TimeNs> makespans(std::size_t(options.runs));
  std::vector<double> stage_ns(n, 0), lost_ns(n, 0), failures(n, 0);
  double gpu_ns = 0;
  long long on_time = 0;
  const TimeNs deadline_ns = options.deadline_s ? seconds_to_ns(*options.deadline_s) : 0;
  detail::RandomFailures random(prepared, options.seed);
  for (long long run = 0; run < options.runs; ++run) {
    random.start_run(run);
    const TimeNs makespan = engine.run(random, nullptr);
    makespans[std::size_t(run)] = makespan;
    if (options.deadline_s && makespan <= deadline_ns) ++on_time;
    const auto& runs = engine.stage_runs();
    for (std::size_t s = 0; s < n; ++s) {
      const double held_ns = double(runs[s].end_ns - runs[s].start_ns);
      stage_ns[s] += held_ns;
      gpu_ns += held_ns * prepared.stages[s].setup.gpus;
      lost_ns[s] += double(runs[s].lost_ns);
      failures[s] += runs[s].failures;
    }
  }

  const double runs = double(options.runs);
  double sum = 0;
  for (TimeNs m : makespans) sum += double(m);
  r.mean_makespan_s = sum / runs * 1e-9;
  r.min_makespan_s = ns_to_seconds(*std::min_element(makespans.begin(), makespans.end()));
  r.max_makespan_s = ns_to_seconds(*std::max_element(makespans.begin(), makespans.end()));
  r.p50_makespan_s = percentile(makespans, 0.50);
  r.p90_makespan_s = percentile(makespans, 0.90);
  r.p99_makespan_s = percentile(makespans, 0.99);
  if (options.deadline_s) r.deadline_probability = double(on_time) / runs;
  // Every stage bills all its GPUs from its start to its end, restarts included (the cost
  // model bills whole wall time the same way).
  r.mean_gpu_hours = gpu_ns / runs * 1e-9 / 3600.0;
  r.mean_cost_usd = r.mean_gpu_hours * options.price_per_gpu_hour_usd.value_or(0.0);
  for (std::size_t s = 0; s < n; ++s) {
    StageStatistics st;
    st.setup = prepared.stages[s].setup;
    st.mean_seconds = stage_ns[s] / runs * 1e-9;
    st.expected_failures = failures[s] / runs;
    st.expected_lost_work_s = lost_ns[s] / runs * 1e-9;
    st.lost_work_per_failure_s = failures[s] > 0 ? lost_ns[s] / failures[s] * 1e-9 : 0.0;
    r.mean_failures += st.expected_failures;
    r.stages.push_back(st);
  }
  return r;
}

}  // namespace trainplan::costmodel
