// `trainplan probe comm` (issue 12): the nccl-tests table over Gloo at 2 ranks, an interconnect
// profile that `estimate --profiles` reads, and NCCL refused before any worker starts where no
// GPU is visible (`run --backend nccl` too).
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"
#include "trainplan/executor/communicator.hpp"

TEST_CASE("probe comm prints the nccl-tests table for Gloo at 2 ranks and writes a profile estimate reads") {
  const std::string dir = make_temp_dir();
  std::string out, err;
  const int code = run_trainplan({"probe", "comm", "--nproc", "2", "--max-bytes", "4096",
                                  "--seconds-per-size", "0.01", "--profile-out", dir + "/net.json"},
                                 out, err);
  CAPTURE(out);
  CAPTURE(err);
  REQUIRE(code == 0);
  CHECK(out.find("# all_reduce") != std::string::npos);
  CHECK(out.find("# all_gather") != std::string::npos);
  CHECK(out.find("busbw") != std::string::npos);
  // Every size from 8 B to 4 KiB, doubling, twice (all_reduce, all_gather), none wrong.
  int rows = 0, wrong = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    double size, count, time, algbw, busbw, bad;
    std::string type, redop;
    if (fields >> size >> count >> type >> redop >> time >> algbw >> busbw >> bad) {
      ++rows;
      wrong += int(bad);
      CHECK(time > 0);
    }
  }
  CHECK(rows == 2 * 10);
  CHECK(wrong == 0);
  const auto profile = nlohmann::json::parse(std::ifstream(dir + "/net.json"));
  CHECK(profile["interconnects"][0]["id"] == "measured-gloo-2");
  CHECK(profile["interconnects"][0]["bandwidth_gbps"].get<double>() > 0);
  // estimate reads it as a network between nodes.
  REQUIRE(run_trainplan({"estimate", "--model", "yolo-world-v2-s", "--gpu", "a100-sxm4-80gb",
                         "--gpus", "16", "--nodes", "2", "--batch", "256", "--resolution", "640",
                         "--images", "118287", "--epochs", "1", "--network", "measured-gloo-2",
                         "--profiles", dir + "/net.json"},
                        out, err) == 0);
  CHECK(out.find("all-reduce") != std::string::npos);
}

TEST_CASE("NCCL without a visible GPU is refused before any worker starts, exit 2") {
  const std::string why = trainplan::executor::nccl_unavailable_reason();
  if (why.empty()) {
    MESSAGE("a GPU is visible: NCCL is usable here, nothing to refuse");
    return;
  }
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  std::string out, err;
  CHECK(run_trainplan({"run", plan, "--scale-to-local", "--nproc", "2", "--backend", "nccl",
                       "--work-dir", dir + "/w"},
                      out, err) == 2);
  CAPTURE(err);
  CHECK(err.find("--backend nccl") != std::string::npos);
  CHECK(err.find("--backend gloo") != std::string::npos);
  CHECK(!std::ifstream(dir + "/w/logs/rank0.log"));  // no worker started
  CHECK(run_trainplan({"probe", "comm", "--backend", "nccl"}, out, err) == 2);
  CHECK(run_trainplan({"run", plan, "--scale-to-local", "--device", "cuda"}, out, err) == 2);
  CHECK(err.find("--device cuda") != std::string::npos);
  CHECK(run_trainplan({"run", plan, "--backend", "mpi"}, out, err) == 2);
  CHECK(err.find("auto, nccl or gloo") != std::string::npos);
}
