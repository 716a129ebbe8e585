// Data parallelism is exact: 2 ranks with per-rank batch b end k steps with the same
// parameters as 1 rank with batch 2b (synchronized batch norm, loss normalised by global
// counts, augmentation seeded per sample), with the plan's mosaic off and on.
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

namespace {

// The pre-training plan with its stages' augmentation set as `mosaic` says (trainplan writes
// the recipe's; the test does not depend on it). No close-mosaic epochs: a scaled stage may
// have a single epoch, which would then train without mosaic.
std::string plan_with_mosaic(const std::string& dir, bool mosaic) {
  const std::string generated = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  nlohmann::json plan = nlohmann::json::parse(std::ifstream(generated));
  for (auto& stage : plan["stages"])
    stage["augment"] = {{"mosaic", mosaic}, {"close_mosaic_epochs", 0}};
  const std::string path = dir + (mosaic ? "/mosaic.json" : "/no-mosaic.json");
  std::ofstream(path) << plan.dump(2);
  return path;
}

void check_exact(bool mosaic) {
  const std::string dir = make_temp_dir();
  const std::string plan = plan_with_mosaic(dir, mosaic);
  const std::vector<std::string> steps = {"--max-steps", "3", "--check-sync", "1"};
  std::string out;
  auto one = run_test::train_scaled(plan, dir + "/ranks1", 1, steps, &out);
  CAPTURE(out);
  CHECK((out.find("mosaic on") != std::string::npos) == mosaic);
  auto two = run_test::train_scaled(plan, dir + "/ranks2", 2, steps);
  // Relative difference of the whole parameter vector, as the issue states it. Element-wise
  // the float32 sums of the two runs add in another order, which AdamW's normalised first
  // steps (close to lr * sign(g)) can turn into a difference of up to 2 lr = 4e-3 on a
  // parameter whose gradient is within rounding of zero: measured 6.4e-7 here, but another
  // CPU's BLAS rounds differently, so the element bound allows one such sign.
  const double diff = run_test::relative_difference(one, two);
  const double worst = run_test::max_abs_difference(one, two);
  CAPTURE(diff);
  CAPTURE(worst);
  MESSAGE(std::string(mosaic ? "mosaic on" : "mosaic off") << ": 2 ranks vs 1 rank after 3 steps: relative difference "
                    << diff << ", largest element difference " << worst);
  CHECK(diff <= 1e-5);
  CHECK(worst <= 5e-3);
  // And training really moved the parameters (the comparison is not of two initial states).
  auto after_one = run_test::train_scaled(plan, dir + "/ranks0", 1, {"--max-steps", "1"});
  CHECK(run_test::relative_difference(one, after_one) > 1e-3);
}

}  // namespace

TEST_CASE("2 ranks x 4 images equal 1 rank x 8 images after 3 steps") { check_exact(false); }

TEST_CASE("2 ranks x 4 images equal 1 rank x 8 images after 3 steps with mosaic on") {
  check_exact(true);
}
