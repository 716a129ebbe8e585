// Runs that behave on real clusters (issue 11): a rank stuck in its data loader is named by
// rank and phase within --hang-timeout; a crash between an epoch's output rows and its
// checkpoint duplicates no row after --resume; and ranks whose hosts share no file system
// (each its own run directory) train and resume from rank 0's checkpoint alone.
// A job torchrun restarts continues from its checkpoint; a failing rank writes torchrun's error file.
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"
#include "trainplan/executor/launcher.hpp"

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "stage:epoch" of every row of an output file, in order.
std::vector<std::string> rows_of(const std::string& path) {
  std::vector<std::string> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (path.size() > 4 && path.substr(path.size() - 4) == ".csv") {
      if (line.rfind("stage,", 0) == 0) continue;  // the header
      const auto first = line.find(','), second = line.find(',', first + 1);
      rows.push_back(line.substr(0, first) + ":" + line.substr(first + 1, second - first - 1));
    } else {
      const auto j = nlohmann::json::parse(line);
      rows.push_back(j.at("stage").get<std::string>() + ":" + std::to_string(j.at("epoch").get<int>()));
    }
  }
  return rows;
}

// The path last_checkpoint names.
std::string last_checkpoint_of(const std::string& work) {
  std::ifstream in(work + "/last_checkpoint");
  std::string path;
  std::getline(in, path);
  return path;
}

}  // namespace

TEST_CASE("a rank stuck in its data loader is named by rank and phase within --hang-timeout") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::string work = dir + "/hung";
  std::string out, err;
  const auto start = std::chrono::steady_clock::now();
  // Rank 1's loader stalls for an hour after step 2; the collectives would wait 120 s.
  const int code = run_test::run_with_env(
      {"run", plan, "--scale-to-local", "--nproc", "2", "--global-batch", "8", "--max-steps", "40",
       "--timeout", "120", "--hang-timeout", "3", "--work-dir", work},
      {{"TRAINPLAN_FAULT_HANG_RANK", "1"}, {"TRAINPLAN_FAULT_HANG_AFTER_STEP", "2"}}, out, err);
  const double took = seconds_since(start);
  CAPTURE(err);
  CHECK(code == 1);
  CHECK(err.find("rank 1 hangs") != std::string::npos);
  CHECK(err.find("phase \"loader\"") != std::string::npos);
  CHECK(err.find("step 2") != std::string::npos);
  // Start-up (data synthesis, rendezvous) takes a few seconds; the report comes 3 s after the
  // stall, far before the 120 s collective timeout.
  CHECK(took < 60);
  CHECK(run_test::left_after(work, 10) == 0);
  MESSAGE("a stalled loader with --hang-timeout 3 ended the run after " << took << " s in all");
}

TEST_CASE("a crash between an epoch's rows and its checkpoint: --resume leaves every row once") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir + "/data");
  const std::string one_epoch = run_test::unscaled_plan(dir);
  nlohmann::json plan = nlohmann::json::parse(std::ifstream(one_epoch));
  plan["stages"][0]["epochs"] = 3;
  const std::string path = dir + "/three-epochs.json";
  std::ofstream(path) << plan.dump(2);
  const std::vector<std::string> common = {"run", path, "--data-root", dir + "/data"};
  auto with = [&](const std::vector<std::string>& extra) { return run_test::joined(common, extra); };
  std::string out, err;
  REQUIRE(run_trainplan(with({"--work-dir", dir + "/straight"}), out, err) == 0);

  const std::string work = dir + "/crashed";
  // Killed after epoch 2's rows are written, before its checkpoint: the checkpoint is epoch 1's.
  CHECK(run_test::run_with_env(with({"--work-dir", work}), {{"TRAINPLAN_FAULT_AFTER_EPOCH_ROW", "2"}},
                               out, err) != 0);
  REQUIRE(rows_of(work + "/results.csv").size() == 2);
  // And a line cut short by the crash.
  std::ofstream(work + "/results.csv", std::ios::app) << "cut,3,0.12";
  const int resumed = run_trainplan(with({"--work-dir", work, "--resume"}), out, err);
  CAPTURE(out);
  CAPTURE(err);
  REQUIRE(resumed == 0);
  CHECK(out.find("dropped") != std::string::npos);
  for (const char* file : {"results.csv", "metrics.jsonl", "measurements.jsonl"}) {
    CAPTURE(file);
    const auto straight = rows_of(dir + "/straight/" + file);
    CHECK(straight.size() == 3);
    CHECK(rows_of(work + "/" + file) == straight);
  }
  const double diff = run_test::relative_difference(
      run_test::checkpoint_parameters(last_checkpoint_of(dir + "/straight")),
      run_test::checkpoint_parameters(last_checkpoint_of(work)));
  CAPTURE(diff);
  CHECK(diff <= 1e-6);
}

TEST_CASE("hosts without a shared file system: each prepares its data, resume needs rank 0's disk only") {
  // Two torchrun-style ranks, each with its own run directory (as on two machines without a
  // shared file system): rank 1's host gets no checkpoint; the fine-tune's pre-trained weights
  // and the resumed state come from rank 0, broadcast.
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "finetune");
  const std::vector<std::string> common = {"run", plan, "--scale-to-local", "--global-batch", "8",
                                           "--max-steps", "4", "--checkpoint-every", "2"};
  auto with = [&](const std::vector<std::string>& extra) { return run_test::joined(common, extra); };
  std::string out, err;
  REQUIRE(run_trainplan(with({"--nproc", "2", "--work-dir", dir + "/one-disk"}), out, err) == 0);

  auto run_two_hosts = [&](bool resume, const std::map<std::string, std::string>& fault,
                           int& code0, int& code1) {
    const std::string port = std::to_string(trainplan::executor::free_tcp_port());
    pid_t pids[2];
    for (int rank : {1, 0}) {
      std::map<std::string, std::string> env = {
          {"RANK", std::to_string(rank)}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "0"},
          {"LOCAL_WORLD_SIZE", "1"},      {"GROUP_RANK", std::to_string(rank)},
          {"MASTER_ADDR", "127.0.0.1"},   {"MASTER_PORT", port}};
      env.insert(fault.begin(), fault.end());
      auto args = with({"--work-dir", dir + "/host" + std::to_string(rank)});
      if (resume) args.push_back("--resume");
      pids[rank] = run_test::spawn_trainplan(
          args, env, dir + "/host" + std::to_string(rank) + (resume ? "-resume" : "") + ".log");
    }
    code0 = run_test::exit_code_of(pids[0]);
    code1 = run_test::exit_code_of(pids[1]);
  };
  int code0 = 0, code1 = 0;
  // Rank 1 dies after the third step of the local pre-training; the checkpoint is step 2's.
  run_two_hosts(false, {{"TRAINPLAN_FAULT_RANK", "1"}, {"TRAINPLAN_FAULT_AFTER_STEP", "3"}}, code0, code1);
  const std::string log0 = run_test::file_text(dir + "/host0.log");
  const std::string log1 = run_test::file_text(dir + "/host1.log");
  CAPTURE(log0);
  CAPTURE(log1);
  CHECK(code0 == 1);
  CHECK(code1 == 128 + SIGKILL);
  REQUIRE(fs::exists(dir + "/host0/last_checkpoint"));
  CHECK(log1.find("does not share rank 0's run directory") != std::string::npos);

  run_two_hosts(true, {}, code0, code1);
  const std::string resumed0 = run_test::file_text(dir + "/host0-resume.log");
  const std::string resumed1 = run_test::file_text(dir + "/host1-resume.log");
  CAPTURE(resumed0);
  CAPTURE(resumed1);
  REQUIRE(code0 == 0);
  REQUIRE(code1 == 0);
  // Rank 1's host wrote its own data and never a checkpoint.
  CHECK(!fs::exists(dir + "/host1/last_checkpoint"));
  CHECK(!fs::exists(dir + "/host1/pretrained"));
  const std::string final_checkpoint = last_checkpoint_of(dir + "/one-disk");
  const std::string stage_file = final_checkpoint.substr(final_checkpoint.find("/checkpoints/"));
  const auto one_disk = run_test::checkpoint_parameters(final_checkpoint);
  const auto two_hosts = run_test::checkpoint_parameters(dir + "/host0" + stage_file);
  const double diff = run_test::relative_difference(one_disk, two_hosts);
  const double worst = run_test::max_abs_difference(one_disk, two_hosts);
  CAPTURE(diff);
  CAPTURE(worst);
  MESSAGE("two hosts without a shared disk, interrupted and resumed, vs one: relative difference "
          << diff);
  CHECK(diff <= 1e-5);
  CHECK(worst <= 5e-3);
}

TEST_CASE("a job torchrun restarts continues from its checkpoint, and a failing rank writes torchrun's error file") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::vector<std::string> args = {"run", plan, "--scale-to-local", "--global-batch", "8",
                                         "--max-steps", "7", "--checkpoint-every", "2",
                                         "--work-dir", dir + "/w"};
  std::string out, err;
  REQUIRE(run_trainplan({"run", plan, "--scale-to-local", "--global-batch", "8", "--max-steps", "7",
                         "--nproc", "2", "--work-dir", dir + "/straight"},
                        out, err) == 0);
  // What torchrun sets for attempt `restart` of a 2-rank job; rank 1 dies after step 5 in the
  // first attempt, as a failing node would.
  auto attempt = [&](int restart, const std::map<std::string, std::string>& extra, int& code0,
                     int& code1) {
    const std::string port = std::to_string(trainplan::executor::free_tcp_port());
    pid_t pids[2];
    for (int rank : {0, 1}) {
      std::map<std::string, std::string> env = {
          {"RANK", std::to_string(rank)}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", std::to_string(rank)},
          {"LOCAL_WORLD_SIZE", "2"}, {"GROUP_RANK", "0"}, {"GROUP_WORLD_SIZE", "1"},
          {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port},
          {"TORCHELASTIC_RESTART_COUNT", std::to_string(restart)},
          {"TORCHELASTIC_RUN_ID", "restart-test"},
          {"TORCHELASTIC_ERROR_FILE", fmt::format("{}/error-{}-{}.json", dir, restart, rank)}};
      env.insert(extra.begin(), extra.end());
      pids[rank] = run_test::spawn_trainplan(args, env, fmt::format("{}/attempt{}-rank{}.log", dir, restart, rank));
    }
    code0 = run_test::exit_code_of(pids[0]);
    code1 = run_test::exit_code_of(pids[1]);
  };
  int code0 = 0, code1 = 0;
  attempt(0, {{"TRAINPLAN_FAULT_RANK", "1"}, {"TRAINPLAN_FAULT_AFTER_STEP", "5"}}, code0, code1);
  CHECK(code0 == 1);
  CHECK(code1 == 128 + SIGKILL);
  // Rank 0's collective failed: torchrun's failure summary reads this file.
  const auto error = nlohmann::json::parse(run_test::file_text(dir + "/error-0-0.json"));
  CHECK(error["message"]["message"].get<std::string>().rfind("PeerFailure: rank 0:", 0) == 0);
  CHECK(error["message"]["extraInfo"]["timestamp"].is_string());

  attempt(1, {}, code0, code1);
  const std::string log0 = run_test::file_text(dir + "/attempt1-rank0.log");
  CAPTURE(log0);
  REQUIRE(code0 == 0);
  REQUIRE(code1 == 0);
  CHECK(log0.find("torchrun restarted the job (restart 1): continuing from") != std::string::npos);
  const double diff = run_test::relative_difference(
      run_test::checkpoint_parameters(dir + "/straight/checkpoints/pretrain/last.pt"),
      run_test::checkpoint_parameters(dir + "/w/checkpoints/pretrain/last.pt"));
  CAPTURE(diff);
  CHECK(diff <= 1e-6);
}
