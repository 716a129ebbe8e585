// Single recorded timelines: one Monte Carlo run, or failures at given times.
#include "simulation_engine.hpp"

namespace trainplan::costmodel {

namespace {

Timeline play(const detail::Prepared& prepared, detail::FailureSource& failures) {
  detail::Engine engine(prepared);
  Timeline t;
  t.makespan_ns = engine.run(failures, &t.spans);
  for (const auto& run : engine.stage_runs()) {
    t.stage_start_ns.push_back(run.start_ns);
    t.stage_end_ns.push_back(run.end_ns);
    t.stage_failures.push_back(run.failures);
  }
  return t;
}

}  // namespace

Timeline simulate_timeline(const std::vector<SimStage>& stages, const SimulationOptions& options,
                           long long run_index) {
  const detail::Prepared prepared = detail::prepare(stages, options);
  detail::RandomFailures failures(prepared, options.seed);
  failures.start_run(run_index);
  return play(prepared, failures);
}

Timeline replay_timeline(const std::vector<SimStage>& stages, const SimulationOptions& options,
                         const std::vector<std::vector<double>>& failure_times_s) {
  const detail::Prepared prepared = detail::prepare(stages, options);
  std::vector<std::vector<TimeNs>> times(failure_times_s.size());
  for (std::size_t s = 0; s < failure_times_s.size(); ++s)
    for (double t : failure_times_s[s]) times[s].push_back(seconds_to_ns(t));
  detail::ScriptedFailures failures(std::move(times));
  return play(prepared, failures);
}

}  // namespace trainplan::costmodel
