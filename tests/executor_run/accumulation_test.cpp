// Gradient accumulation (--accumulate, or what the plan's memory prediction needs): each
// rank's batch passes in equal micro-batches and only the last backward all-reduces; it stays
// exact across world sizes, and an unscaled plan whose predicted micro-batch is smaller than
// the per-rank batch gets its micro-batches without a flag.
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

TEST_CASE("with --accumulate 2, 2 ranks x 4 images equal 1 rank x 8 images after 3 steps") {
  // Rank r's micro-batch k holds the images that the single rank's micro-batch k holds on
  // that rank's share (the sampler interleaves ranks), so accumulation stays exact; and it
  // really accumulates: the result differs from whole-batch steps.
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::vector<std::string> steps = {"--accumulate", "2", "--max-steps", "3"};
  std::string out;
  auto one = run_test::train_scaled(plan, dir + "/ranks1", 1, steps, &out);
  CHECK(out.find("in 2 micro-batches of 4") != std::string::npos);
  auto two = run_test::train_scaled(plan, dir + "/ranks2", 2, steps, &out);
  CHECK(out.find("in 2 micro-batches of 2") != std::string::npos);
  auto whole = run_test::train_scaled(plan, dir + "/whole", 1, {"--max-steps", "3"});
  const double diff = run_test::relative_difference(one, two);
  MESSAGE("--accumulate 2, 2 ranks vs 1 rank after 3 steps: relative difference " << diff);
  CHECK(diff <= 1e-5);
  CHECK(run_test::relative_difference(one, whole) > 1e-5);
}

TEST_CASE("an unscaled plan whose micro-batch is below the per-rank batch accumulates") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  const std::string path = run_test::unscaled_plan(dir);
  nlohmann::json plan = nlohmann::json::parse(std::ifstream(path));
  plan["stages"][0]["prediction"]["micro_batch"] = 3;  // 8 images: 3 equal parts do not exist
  std::ofstream(path) << plan.dump(2);
  std::string out, err;
  CAPTURE(err);
  REQUIRE(run_trainplan({"run", path, "--data-root", dir, "--max-steps", "1", "--work-dir",
                         dir + "/w"},
                        out, err) == 0);
  CHECK(out.find("8 images per rank and step in 4 micro-batches of 2") != std::string::npos);
  // --accumulate overrides the plan.
  REQUIRE(run_trainplan({"run", path, "--data-root", dir, "--max-steps", "1", "--accumulate",
                         "1", "--work-dir", dir + "/w1"},
                        out, err) == 0);
  CHECK(out.find("micro-batches") == std::string::npos);
}
