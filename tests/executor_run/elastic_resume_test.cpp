// Resume that is safe and elastic (issue 11): a run interrupted on 2 ranks and resumed on 1
// ends with the parameters of the uninterrupted 2-rank run (the global batch, not the number
// of ranks, decides the data order and the averaged gradient); a resume that would change the
// training (another global batch, seed or stage) exits 2 naming the field.
#include <filesystem>

#include "run_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("interrupted on 2 ranks, resumed on 1: the uninterrupted run's parameters") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::vector<std::string> common = {"run", plan, "--scale-to-local", "--global-batch", "8",
                                           "--max-steps", "7", "--checkpoint-every", "2"};
  auto with = [&](const std::vector<std::string>& extra) { return run_test::joined(common, extra); };
  std::string out, err;
  REQUIRE(run_trainplan(with({"--nproc", "2", "--work-dir", dir + "/straight"}), out, err) == 0);
  // Rank 1 dies after step 5; the last checkpoint is after step 4, mid-epoch.
  CHECK(run_test::run_with_env(with({"--nproc", "2", "--work-dir", dir + "/elastic"}),
                               {{"TRAINPLAN_FAULT_RANK", "1"}, {"TRAINPLAN_FAULT_AFTER_STEP", "5"}},
                               out, err) == 1);
  REQUIRE(fs::exists(dir + "/elastic/last_checkpoint"));

  // Another global batch would change the training: refused before any work, naming it.
  CHECK(run_trainplan({"run", plan, "--scale-to-local", "--global-batch", "4", "--max-steps", "7",
                       "--work-dir", dir + "/elastic", "--resume"},
                      out, err) == 2);
  CHECK(err.find("global batch of 8") != std::string::npos);
  CHECK(run_trainplan(with({"--nproc", "1", "--seed", "7", "--work-dir", dir + "/elastic", "--resume"}),
                      out, err) == 2);
  CHECK(err.find("seed") != std::string::npos);

  const int resumed = run_trainplan(with({"--nproc", "1", "--work-dir", dir + "/elastic", "--resume"}), out, err);
  CAPTURE(err);
  REQUIRE(resumed == 0);
  const auto straight = run_test::checkpoint_parameters(dir + "/straight/checkpoints/pretrain/last.pt");
  const auto elastic = run_test::checkpoint_parameters(dir + "/elastic/checkpoints/pretrain/last.pt");
  const double diff = run_test::relative_difference(straight, elastic);
  const double worst = run_test::max_abs_difference(straight, elastic);
  CAPTURE(diff);
  CAPTURE(worst);
  MESSAGE("2 ranks, interrupted, resumed on 1 vs uninterrupted 2 ranks: relative difference "
          << diff << ", largest element difference " << worst);
  // The bounds of the 2-rank vs 1-rank exactness test (exact_parallel_test.cpp).
  CHECK(diff <= 1e-5);
  CHECK(worst <= 5e-3);
}
