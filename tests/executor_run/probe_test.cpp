// `trainplan probe`: measures this machine and writes a profile and measurement records that
// `estimate --profiles/--measured` read; bad flags are refused before anything runs.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

TEST_CASE("trainplan probe writes a profile and records that estimate reads") {
  const std::string dir = make_temp_dir();
  std::string out, err;
  REQUIRE(run_trainplan({"probe", "--out", dir + "/probe", "--seconds", "0.2", "--steps", "2"},
                        out, err) == 0);
  CAPTURE(out);
  CAPTURE(err);
  CHECK(out.find("GFLOP/s") != std::string::npos);
  CHECK(out.find("all-reduce between 2 ranks") != std::string::npos);
  const auto profile = nlohmann::json::parse(std::ifstream(dir + "/probe/profile.json"));
  CHECK(profile["gpus"][0]["id"] == "cpu");
  CHECK(profile["gpus"][0]["memory_bandwidth_gbps"].get<double>() > 0);
  CHECK(profile["gpus"][0]["intra_link"] == "probe-local");
  CHECK(profile["frameworks"][0]["loader_ms_per_sample"].get<double>() > 0);
  // One record per stage of the demo's plan (the stand-in pre-training and the fine-tune).
  std::ifstream records(dir + "/probe/measurements.jsonl");
  int lines = 0;
  for (std::string line; std::getline(records, line);) {
    const auto r = nlohmann::json::parse(line);
    CHECK(r["seconds_per_iter"].get<double>() > 0);
    ++lines;
  }
  CHECK(lines == 2);
  // Calibrated by them, estimate reproduces the measured step of the same scenario.
  REQUIRE(run_trainplan({"estimate", "--model", "trainplan-tiny", "--gpu", "cpu", "--gpus", "2",
                         "--batch", "16", "--resolution", "128", "--images", "384", "--epochs", "1",
                         "--framework", "libtorch-cpu", "--profiles", dir + "/probe/profile.json",
                         "--measured", dir + "/probe/measurements.jsonl"},
                        out, err) == 0);
  CHECK(out.find("s/iter") != std::string::npos);

  CHECK(run_trainplan({"probe", "--nproc", "0"}, out, err) == 2);
  CHECK(err.find("--nproc: 0 is not accepted") != std::string::npos);
  CHECK(run_trainplan({"probe", "--steps", "0"}, out, err) == 2);
}
