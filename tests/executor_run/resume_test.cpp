// Resume is exact: a run whose worker is killed with SIGKILL in mid-epoch, resumed, ends with
// the same parameters as an uninterrupted run; the launcher reports the rank within 60 s;
// no checkpoint is ever left truncated.
#include <chrono>
#include <filesystem>

#include "run_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("SIGKILL of a worker in mid-epoch, then --resume, equals an uninterrupted run") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::vector<std::string> common = {"run", plan, "--scale-to-local", "--nproc", "2",
                                           "--global-batch", "8", "--max-steps", "9",
                                           "--checkpoint-every", "2"};
  std::string out, err;
  auto with = [&](const std::vector<std::string>& extra) { return run_test::joined(common, extra); };
  REQUIRE(run_trainplan(with({"--work-dir", dir + "/straight"}), out, err) == 0);

  const auto start = std::chrono::steady_clock::now();
  const int killed = run_test::run_with_env(with({"--work-dir", dir + "/killed"}),
                                            {{"TRAINPLAN_FAULT_RANK", "1"},
                                             {"TRAINPLAN_FAULT_AFTER_STEP", "5"}},
                                            out, err);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CAPTURE(err);
  CHECK(killed == 1);
  CHECK(err.find("rank 1") != std::string::npos);
  CHECK(err.find("SIGKILL") != std::string::npos);
  CHECK(seconds < 60);
  // The last checkpoint is the one after step 4, mid-epoch.
  REQUIRE(fs::exists(dir + "/killed/last_checkpoint"));

  const int resumed = run_trainplan(with({"--work-dir", dir + "/killed", "--resume"}), out, err);
  CAPTURE(err);
  REQUIRE(resumed == 0);
  auto straight = run_test::checkpoint_parameters(dir + "/straight/checkpoints/pretrain/last.pt");
  auto again = run_test::checkpoint_parameters(dir + "/killed/checkpoints/pretrain/last.pt");
  const double diff = run_test::relative_difference(straight, again);
  CAPTURE(diff);
  MESSAGE("resumed vs uninterrupted: relative difference " << diff << "; the kill was reported after "
                                                           << seconds << " s");
  CHECK(diff <= 1e-6);
  // Every checkpoint file in both runs loads completely (none truncated, no temporaries).
  for (const auto& run : {"straight", "killed"})
    for (const auto& entry : fs::recursive_directory_iterator(dir + "/" + run + "/checkpoints")) {
      if (!entry.is_regular_file()) continue;
      CAPTURE(entry.path().string());
      CHECK(entry.path().extension() == ".pt");
      CHECK_NOTHROW(run_test::checkpoint_parameters(entry.path().string()));
    }
}
