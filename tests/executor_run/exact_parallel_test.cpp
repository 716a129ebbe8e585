// Data parallelism is exact: 2 ranks with per-rank batch b end k steps with the same
// parameters as 1 rank with batch 2b (synchronized batch norm, loss normalised by global
// counts, augmentation seeded per sample).
#include "run_support.hpp"

TEST_CASE("2 ranks x 4 images equal 1 rank x 8 images after 3 steps") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  std::string out, err;
  for (int nproc : {1, 2}) {
    CAPTURE(nproc);
    const std::string work = dir + "/ranks" + std::to_string(nproc);
    int code = run_trainplan({"run", plan, "--scale-to-local", "--nproc", std::to_string(nproc),
                              "--global-batch", "8", "--max-steps", "3", "--check-sync", "1",
                              "--work-dir", work},
                             out, err);
    CAPTURE(err);
    REQUIRE(code == 0);
  }
  auto one = run_test::checkpoint_parameters(dir + "/ranks1/checkpoints/pretrain/last.pt");
  auto two = run_test::checkpoint_parameters(dir + "/ranks2/checkpoints/pretrain/last.pt");
  // Relative difference of the whole parameter vector, as the issue states it; element-wise
  // the float32 sums of the two runs add in another order, which AdamW's normalised first
  // steps turn into differences of a few 1e-6 on parameters whose gradient is near zero.
  const double diff = run_test::relative_difference(one, two);
  const double worst = run_test::max_abs_difference(one, two);
  CAPTURE(diff);
  CAPTURE(worst);
  MESSAGE("2 ranks vs 1 rank after 3 steps: relative difference " << diff
                                                                   << ", largest element difference " << worst);
  CHECK(diff <= 1e-5);
  CHECK(worst <= 1e-4);
  // And training really moved the parameters (the comparison is not of two initial states).
  auto init_dir = dir + "/ranks0";
  REQUIRE(run_trainplan({"run", plan, "--scale-to-local", "--global-batch", "8", "--max-steps",
                         "1", "--work-dir", init_dir},
                        out, err) == 0);
  auto after_one = run_test::checkpoint_parameters(init_dir + "/checkpoints/pretrain/last.pt");
  CHECK(run_test::relative_difference(one, after_one) > 1e-3);
}
