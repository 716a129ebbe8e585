// Runs that behave on real clusters (issue 11): SIGTERM to the launcher (what scancel, timeout
// and schedulers send) stops the workers at a step, checkpointed, and --resume ends where an
// uninterrupted run ends; SIGKILL of the launcher leaves no worker behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "run_support.hpp"

namespace fs = std::filesystem;

using run_test::left_after;
using run_test::processes_with;
using run_test::wait_exit;
using run_test::wait_for_file;

TEST_CASE("SIGTERM to the launcher: workers checkpoint and exit, --resume equals an uninterrupted run") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::vector<std::string> common = {"run", plan, "--scale-to-local", "--nproc", "2",
                                           "--global-batch", "8", "--max-steps", "14",
                                           "--checkpoint-every", "2", "--term-grace", "20"};
  auto with = [&](const std::vector<std::string>& extra) { return run_test::joined(common, extra); };
  std::string out, err;
  REQUIRE(run_trainplan(with({"--work-dir", dir + "/straight"}), out, err) == 0);

  const std::string work = dir + "/stopped";
  const pid_t launcher = run_test::spawn_trainplan(with({"--work-dir", work}), {}, dir + "/stopped.log");
  // The first mid-epoch checkpoint (step 2) shows training is under way.
  REQUIRE(wait_for_file(work + "/last_checkpoint", 120));
  kill(launcher, SIGTERM);
  double took = 0;
  const int status = wait_exit(launcher, 20 + 10, &took);
  std::ifstream log(dir + "/stopped.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CAPTURE(text);
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  CHECK(text.find("SIGTERM") != std::string::npos);
  CHECK(left_after(work, 5) == 0);
  MESSAGE("the launcher exited " << took << " s after SIGTERM");

  const int resumed = run_trainplan(with({"--work-dir", work, "--resume"}), out, err);
  CAPTURE(err);
  REQUIRE(resumed == 0);
  const double diff = run_test::relative_difference(
      run_test::checkpoint_parameters(dir + "/straight/checkpoints/pretrain/last.pt"),
      run_test::checkpoint_parameters(work + "/checkpoints/pretrain/last.pt"));
  CAPTURE(diff);
  CHECK(diff <= 1e-6);
}

TEST_CASE("SIGKILL of the launcher: every worker is gone within 10 s") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::string work = dir + "/killed";
  const pid_t launcher = run_test::spawn_trainplan({"run", plan, "--scale-to-local", "--nproc", "2",
                                          "--global-batch", "8", "--max-steps", "400",
                                          "--checkpoint-every", "2", "--work-dir", work},
                                         {}, dir + "/killed.log");
  REQUIRE(wait_for_file(work + "/last_checkpoint", 120));
  REQUIRE(processes_with(work) >= 2);
  kill(launcher, SIGKILL);
  CHECK(wait_exit(launcher, 10) != -1);
  CHECK(left_after(work, 10) == 0);
}
