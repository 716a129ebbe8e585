// `trainplan status` from another terminal: a running 2-rank run (position, forecast, both
// ranks' heartbeats), the same run after SIGKILL (not running), and a finished run.
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_support.hpp"

using json = nlohmann::json;

TEST_CASE("trainplan status reads a running, a killed and a finished run") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  const std::string path = run_test::unscaled_plan(dir);
  json plan = json::parse(std::ifstream(path));
  plan["stages"][0]["epochs"] = 40;  // long enough to be seen running
  std::ofstream(path) << plan.dump(2);
  const std::string work = dir + "/w";
  std::string out, err;

  const pid_t pid = run_test::spawn_trainplan(
      {"run", path, "--nproc", "2", "--data-root", dir, "--work-dir", work, "--deadline", "1h"},
      {}, dir + "/run.log");
  // Running: wait for a forecast and for rank 0's view of both ranks.
  REQUIRE(run_test::wait_for_file(work + "/health.json", 90));
  REQUIRE(run_test::wait_for_file(work + "/forecast.jsonl", 90));
  REQUIRE(run_trainplan({"status", work, "--json"}, out, err) == 0);
  json s = json::parse(out);
  CAPTURE(out);
  CHECK(s["state"] == "running");
  CHECK(s["stage"] == "finetune");
  CHECK(s["epochs"] == 40);
  CHECK(s["world_size"] == 2);
  REQUIRE(s["ranks"].size() == 2);
  for (const auto& r : s["ranks"]) CHECK_FALSE(r["stalled"].get<bool>());
  CHECK(s["forecast"]["deadline_probability"].get<double>() > 0.5);  // an hour is plenty
  REQUIRE(run_trainplan({"status", work}, out, err) == 0);
  CHECK(out.find(": running (updated") != std::string::npos);
  CHECK(out.find("rank 1:") != std::string::npos);

  // Killed: the launcher and, with it, its workers.
  kill(pid, SIGKILL);
  run_test::exit_code_of(pid);
  CHECK(run_test::left_after(work, 10) == 0);
  // A killed process takes a moment to be torn down: status says so within seconds.
  for (int tries = 0; tries < 50; ++tries) {
    REQUIRE(run_trainplan({"status", work}, out, err) == 0);
    if (out.find(": not running") != std::string::npos) break;
    usleep(200000);
  }
  CHECK(out.find(": not running") != std::string::npos);
  CHECK(out.find("--resume") != std::string::npos);

  // Finished: a short run of the same plan.
  plan["stages"][0]["epochs"] = 1;
  std::ofstream(path) << plan.dump(2);
  REQUIRE(run_trainplan({"run", path, "--data-root", dir, "--work-dir", dir + "/done"}, out, err) == 0);
  REQUIRE(run_trainplan({"status", dir + "/done", "--json"}, out, err) == 0);
  CHECK(json::parse(out)["state"] == "finished");
  CHECK(json::parse(out)["stages_done"].size() == 1);

  // Not a run directory.
  CHECK(run_trainplan({"status", dir + "/shapes"}, out, err) == 2);
  CHECK(err.find("not a run directory") != std::string::npos);
}
