// DESIGN 3.11: every time trainplan quotes comes with its likely range (P10-P90 from the cost
// model's cross-validated errors): `estimate` in text and JSON, `ask` per strategy, and the
// plan file per stage and for the makespan; a plan written before ranges existed still loads.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/run_json.hpp"

using trainplan::testing::run_json;

namespace {

const std::vector<std::string> kFineTune = {
    "estimate", "--model",  "yolo-world-v2-l", "--gpu",      "v100-sxm2-32gb", "--gpus", "4",
    "--batch",  "64",       "--resolution",    "640",        "--images",       "118287",
    "--epochs", "80"};

void check_brackets(const nlohmann::json& low, const nlohmann::json& mid, const nlohmann::json& high) {
  CHECK(low.get<double>() > 0);
  CHECK(low.get<double>() < mid.get<double>());
  CHECK(high.get<double>() > mid.get<double>());
}

}  // namespace

TEST_CASE("estimate prints the likely range in text and JSON") {
  std::string out, err;
  REQUIRE(run_trainplan(kFineTune, out, err) == 0);
  CHECK(out.find("(likely ") != std::string::npos);
  auto args = kFineTune;
  args.push_back("--json");
  const auto j = run_json(args);
  check_brackets(j["total_seconds_p10"], j["total_seconds"], j["total_seconds_p90"]);
}

TEST_CASE("estimate --no-startup leaves the codebase's start-up out of the total") {
  auto args = kFineTune;
  args.push_back("--json");
  const auto with = run_json(args);
  args.push_back("--no-startup");
  const auto without = run_json(args);
  CHECK(with["startup_s"].get<double>() > 0);
  CHECK(without["startup_s"].get<double>() == 0);
  CHECK(with["total_seconds"].get<double>() - without["total_seconds"].get<double>() ==
        doctest::Approx(with["startup_s"].get<double>()));
}

TEST_CASE("a run predicted near input-bound gets a wider range than a GPU-bound one") {
  // YOLOv5-n at batch 128 on one V100 waits for its loader; YOLOv8-x at batch 16 does not.
  const auto bound = run_json({"estimate", "--model", "yolov5-n", "--gpu", "v100-sxm2-16gb",
                               "--gpus", "1", "--batch", "128", "--resolution", "640",
                               "--images", "118287", "--epochs", "1", "--json"});
  const auto gpu = run_json({"estimate", "--model", "yolov8-x", "--gpu", "v100-sxm2-16gb",
                             "--gpus", "1", "--batch", "16", "--resolution", "640", "--images",
                             "118287", "--epochs", "1", "--json"});
  auto width = [](const nlohmann::json& j) {
    return j["total_seconds_p90"].get<double>() / j["total_seconds_p10"].get<double>();
  };
  CHECK(bound["step"]["data_stall_s"].get<double>() > 0);
  CHECK(gpu["step"]["data_stall_s"].get<double>() == 0);
  CHECK(width(bound) > 1.2 * width(gpu));
}

TEST_CASE("ask gives each strategy's likely range, and the plan file each stage's") {
  const auto j = run_json({"ask", "4 GPUs, 1 day budget?", "--json"});
  int ranged = 0;
  for (const auto& s : j["strategies"]) {
    if (!s["applicable"].get<bool>() || s["total_seconds"].get<double>() == 0) continue;
    CAPTURE(s["strategy"]);
    check_brackets(s["total_seconds_p10"], s["total_seconds"], s["total_seconds_p90"]);
    const auto& plan = s["plan"];
    check_brackets(plan["summary"]["makespan_p10_seconds"], plan["summary"]["makespan_seconds"],
                   plan["summary"]["makespan_p90_seconds"]);
    for (const auto& stage : plan["stages"])
      check_brackets(stage["prediction"]["total_seconds_p10"], stage["prediction"]["total_seconds"],
                     stage["prediction"]["total_seconds_p90"]);
    ++ranged;
  }
  CHECK(ranged >= 3);
  std::string out, err;
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?"}, out, err) == 0);
  CHECK(out.find("(likely ") != std::string::npos);
}

TEST_CASE("a plan file without ranges (written before them) still validates") {
  const std::string path = make_temp_dir() + "/plan.json";
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", path}, out, err) == 0);
  nlohmann::json plan;
  {
    std::ifstream in(path);
    plan = nlohmann::json::parse(in);
  }
  plan["summary"].erase("makespan_p10_seconds");
  plan["summary"].erase("makespan_p90_seconds");
  for (auto& stage : plan["stages"]) {
    stage["prediction"].erase("total_seconds_p10");
    stage["prediction"].erase("total_seconds_p90");
  }
  {
    std::ofstream outfile(path);
    outfile << plan.dump(2);
  }
  CAPTURE(err);
  CHECK(run_trainplan({"validate", path}, out, err) == 0);
}
