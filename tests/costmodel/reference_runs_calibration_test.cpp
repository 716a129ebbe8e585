// Pins down calibration against the published runs of calibration.csv (via bench/): every
// row with a measured s/iter, fitted alone, is reproduced within 1% (small and big models,
// 1 to thousands of GPUs, GPU-, input- and communication-bound), and the rows map to known
// profiles.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include "reference_runs.hpp"
#include "trainplan/costmodel/calibration.hpp"

using namespace trainplan;

TEST_CASE("the reference runs load and map to known profiles") {
  const auto c = profiles::Catalog::embedded();
  const auto runs = bench::load_reference_runs(c, TRAINPLAN_REFERENCE_RUNS);
  CHECK(runs.size() >= 20);
  std::set<int> gpu_counts;
  for (const auto& run : runs) {
    CAPTURE(run.case_id);
    CHECK_NOTHROW(c.model(run.scenario.model_id));
    CHECK_NOTHROW(c.gpu(run.scenario.gpu_id));
    CHECK_NOTHROW(costmodel::validate(run.scenario));
    gpu_counts.insert(run.scenario.gpus);
  }
  CHECK(gpu_counts.count(1) == 1);
  CHECK(gpu_counts.count(64) == 1);
}

TEST_CASE("each published run fitted alone is reproduced within 1%") {
  const auto c = profiles::Catalog::embedded();
  int fitted = 0;
  for (const auto& run : bench::load_reference_runs(c, TRAINPLAN_REFERENCE_RUNS)) {
    auto r = bench::as_record(run);
    if (!r) continue;
    CAPTURE(run.case_id);
    CAPTURE(run.scenario.model_id);
    CAPTURE(run.scenario.gpus);
    CAPTURE(r->seconds_per_iter);
    CAPTURE(costmodel::estimate(c, run.scenario).step.data_stall_s);
    const auto fit = costmodel::fit_calibration(c, {run.scenario}, {r->seconds_per_iter});
    REQUIRE(fit.residuals.size() == 1);
    CAPTURE(fit.calibration.compute_scale);
    CHECK(std::abs(fit.residuals[0].relative_error) < 0.01);
    ++fitted;
  }
  CHECK(fitted >= 15);
}

TEST_CASE("uncalibrated predictions of the YOLO-World fine-tune row are within 25%") {
  const auto c = profiles::Catalog::embedded();
  for (const auto& run : bench::load_reference_runs(c, TRAINPLAN_REFERENCE_RUNS)) {
    if (run.case_id != "YW07") continue;
    REQUIRE(run.measured_seconds_per_iter);
    const double predicted = costmodel::estimate(c, run.scenario).seconds_per_iter;
    CAPTURE(predicted);
    CHECK(predicted == doctest::Approx(*run.measured_seconds_per_iter).epsilon(0.25));
    return;
  }
  FAIL("row YW07 not found in " TRAINPLAN_REFERENCE_RUNS);
}
