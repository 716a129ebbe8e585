// Plans from the planner, simulated: without failures the simulated makespan is the planner's
// critical-path schedule (acceptance 1), and each stage's parts add up to its prediction.
#include "trainplan/planner/plan_simulation.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "trainplan/costmodel/run_constants.hpp"
#include "trainplan/planner/answer.hpp"

using namespace trainplan;
using namespace trainplan::planner;

namespace {

const profiles::Catalog& catalog() {
  static const auto c = profiles::Catalog::embedded();
  return c;
}

Plan recommended(const std::string& text) {
  Question q = parse_question(text);
  return answer_question(catalog(), q).plan();
}

Plan three_stage_plan() {
  Question q = parse_question("32 GPUs, 3 days, new model head");
  q.targets = {"cars", "birds"};
  return answer_question(catalog(), q).plan();
}

}  // namespace

TEST_CASE("without failures the simulated makespan is the planner's schedule (within 1%)") {
  for (const std::string text : {"4 GPUs, 1 day budget?", "32 GPUs, 3 days, new model head",
                                 "8 GPUs, 1 day, two target datasets"}) {
    CAPTURE(text);
    const Plan plan = recommended(text);
    REQUIRE(plan.summary.makespan_seconds > 0);
    costmodel::SimulationOptions o;
    o.runs = 10;
    const auto r = simulate_plan(catalog(), plan, o);
    CHECK(std::fabs(r.failure_free_makespan_s / plan.summary.makespan_seconds - 1) < 0.01);
    CHECK(std::fabs(r.p99_makespan_s / plan.summary.makespan_seconds - 1) < 0.01);
    // In fact exact to the nanosecond rounding of each part.
    CHECK(r.mean_makespan_s == doctest::Approx(plan.summary.makespan_seconds).epsilon(1e-9));
    CHECK(r.mean_gpu_hours == doctest::Approx(plan.summary.gpu_hours).epsilon(1e-9));
    CHECK(r.deadline_probability.value_or(-1) == 1.0);
  }
}

TEST_CASE("a three-stage 32-GPU plan: stages, GPU sets and the schedule carry over") {
  const Plan plan = three_stage_plan();
  REQUIRE(plan.stages.size() == 3);
  const auto stages = simulation_stages(catalog(), plan);
  REQUIRE(stages.size() == 3);
  CHECK(stages[0].depends_on.empty());
  CHECK(stages[1].depends_on == std::vector<std::size_t>{0});
  CHECK(stages[2].depends_on == std::vector<std::size_t>{0});
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    const auto& p = plan.stages[i];
    CHECK(stages[i].gpus == p.gpus);
    CHECK(stages[i].gpu_offset == p.prediction.gpu_offset);
  }
  costmodel::SimulationOptions o;
  o.runs = 1;
  const auto t = costmodel::simulate_timeline(stages, o, 0);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(costmodel::ns_to_seconds(t.stage_start_ns[i]) ==
          doctest::Approx(plan.stages[i].prediction.start_seconds).epsilon(1e-9));
    CHECK(costmodel::ns_to_seconds(t.stage_end_ns[i]) ==
          doctest::Approx(plan.stages[i].prediction.end_seconds).epsilon(1e-9));
  }
}

TEST_CASE("each stage's parts add up to its predicted total, the recipe's eval interval returns") {
  const Plan plan = three_stage_plan();
  const auto stages = simulation_stages(catalog(), plan);
  const auto setups = costmodel::resolve_stages(stages, costmodel::SimulationOptions{});
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i];
    CAPTURE(s.id);
    // The codebase's fitted start-up, split as launch and loader warm-up.
    const auto& codebase = catalog().framework(catalog().model(plan.stages[i].model).framework);
    CHECK(s.startup_s + s.warmup_s == doctest::Approx(codebase.startup_s));
    CHECK(s.epoch_train_s == doctest::Approx(plan.stages[i].prediction.seconds_per_iter *
                                             plan.stages[i].prediction.iters_per_epoch));
    CHECK(s.checkpoint_write_s > costmodel::kCheckpointFixedS);
    // An evaluation pass is the forward passes plus the codebase's fixed metric time.
    CHECK(s.eval_s > codebase.eval_fixed_s);
    CHECK(setups[i].failure_free_s ==
          doctest::Approx(plan.stages[i].prediction.total_seconds).epsilon(1e-12));
    CHECK(setups[i].checkpoints == int(plan.stages[i].epochs));
  }
  // Pre-training data is evaluated every 10 epochs, fine-tunes every 5 (recipes.json).
  CHECK(stages[0].eval_interval_epochs == 10);
  CHECK(stages[1].eval_interval_epochs == 5);
}

TEST_CASE("with failures: slower than planned, P50 <= P90 <= P99, lost work where failures are") {
  const Plan plan = three_stage_plan();
  costmodel::SimulationOptions o;
  o.mtbf_hours = 200;
  o.runs = 2000;
  const auto r = simulate_plan(catalog(), plan, o);
  CHECK(r.mean_makespan_s > plan.summary.makespan_seconds * 0.999);
  CHECK(r.p50_makespan_s <= r.p90_makespan_s);
  CHECK(r.p90_makespan_s <= r.p99_makespan_s);
  CHECK(r.p99_makespan_s <= r.max_makespan_s);
  CHECK(r.mean_failures > 0.5);
  REQUIRE(r.deadline_probability);
  CHECK(*r.deadline_probability >= 0);
  CHECK(*r.deadline_probability <= 1);
  CHECK(r.mean_cost_usd ==
        doctest::Approx(r.mean_gpu_hours * plan.question.price_per_gpu_hour_usd));
  for (const auto& s : r.stages) {
    CAPTURE(s.setup.id);
    CHECK_FALSE(s.setup.checkpoint_each_epoch);
    CHECK(s.setup.checkpoint_interval_s ==
          doctest::Approx(costmodel::young_interval_s(s.setup.checkpoint_write_s,
                                                      1 / s.setup.failure_rate_per_s)));
    CHECK(s.expected_failures > 0);
    CHECK(s.expected_lost_work_s > 0);
    // Lost work per failure is near its closed form (start-up failures and evaluations that
    // delay a checkpoint move it a little).
    CHECK(std::fabs(s.lost_work_per_failure_s / s.setup.expected_lost_per_failure_s - 1) < 0.25);
  }
}

TEST_CASE("a zero-shot plan simulates to nothing") {
  const Plan plan = recommended("general detection, no training time");
  const auto r = simulate_plan(catalog(), plan, costmodel::SimulationOptions{});
  CHECK(r.mean_makespan_s == 0);
  CHECK(r.mean_gpu_hours == 0);
}
