// Pins down `trainplan estimate --measured FILE` (DESIGN 3.3, 3.4): a JSON-lines or JSON-list
// file of the same model's runs sets calibrated to true and the estimate of the measured
// configuration reproduces the record within 1%; other configurations are predicted from
// the fit; bad files and records of other models exit 2 naming the file and line.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/run_json.hpp"

using trainplan::testing::run_json;

namespace {

const std::vector<std::string> kEightV100 = {
    "estimate", "--model", "yolo-world-v2-l", "--gpu",    "v100-sxm2-32gb",
    "--gpus",   "8",       "--batch",         "128",      "--resolution",
    "640",      "--images", "118287",         "--epochs", "80",  "--json"};

const char* kRecord =
    R"({"model": "yolo-world-v2-l", "gpu": "v100-sxm2-32gb", "gpus": 8, "global_batch": 128, "resolution": 640, "seconds_per_iter": 0.80})";

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("--measured with JSON lines calibrates and reproduces the record") {
  const std::string file = write_temp_file("measurements.jsonl", std::string(kRecord) + "\n");
  const auto j = run_json(with(kEightV100, {"--measured", file}));
  CHECK(j["calibrated"] == true);
  const double s = j["seconds_per_iter"].get<double>();
  CAPTURE(s);
  CHECK(std::abs(s / 0.80 - 1) < 0.01);
  // The fit is reported with its residual.
  REQUIRE(j.contains("calibration"));
  REQUIRE(j["calibration"]["residuals"].size() == 1);
  CHECK(std::abs(j["calibration"]["residuals"][0]["relative_error"].get<double>()) < 0.01);
  CHECK(j["calibration"]["compute_scale"].get<double>() > 1);
  // Without the file the same configuration is uncalibrated and different.
  const auto plain = run_json(kEightV100);
  CHECK(plain["calibrated"] == false);
  CHECK(std::abs(plain["seconds_per_iter"].get<double>() - s) > 0.005);
}

TEST_CASE("--measured accepts a JSON list") {
  const std::string file = write_temp_file("measurements.json", "[\n  " + std::string(kRecord) + "\n]\n");
  const auto j = run_json(with(kEightV100, {"--measured", file}));
  CHECK(j["calibrated"] == true);
  CHECK(std::abs(j["seconds_per_iter"].get<double>() / 0.80 - 1) < 0.01);
}

TEST_CASE("the fit carries over to other GPU counts") {
  const std::string file = write_temp_file("measurements.jsonl", std::string(kRecord) + "\n");
  auto four = kEightV100;
  four[6] = "4";
  four[8] = "64";
  const auto calibrated = run_json(with(four, {"--measured", file}));
  const auto plain = run_json(four);
  CHECK(calibrated["calibrated"] == true);
  // The record was slower than the profiles predict, so the prediction for 4 GPUs is too.
  CHECK(calibrated["seconds_per_iter"].get<double>() > plain["seconds_per_iter"].get<double>());
}

TEST_CASE("--measured with only another model's records exits 2") {
  const std::string file = write_temp_file(
      "other.jsonl",
      R"({"model": "yolov8-s", "gpu": "v100-sxm2-32gb", "gpus": 8, "global_batch": 128, "resolution": 640, "seconds_per_iter": 0.2})"
      "\n");
  std::string out, err;
  CHECK(run_trainplan(with(kEightV100, {"--measured", file}), out, err) == 2);
  CAPTURE(err);
  CHECK(out.empty());
  CHECK(err.find("yolo-world-v2-l") != std::string::npos);
  CHECK(err.find("yolov8-s") != std::string::npos);
}

TEST_CASE("--measured with an unknown field exits 2 naming file and line") {
  const std::string file = write_temp_file(
      "bad.jsonl", std::string(kRecord) + "\n" +
                       R"({"model": "yolo-world-v2-l", "gpu": "v100-sxm2-32gb", "gpus": 8, "global_batch": 128, "resolution": 640, "seconds_per_iter": 0.6, "speed": 3})" +
                       "\n");
  std::string out, err;
  CHECK(run_trainplan(with(kEightV100, {"--measured", file}), out, err) == 2);
  CAPTURE(err);
  CHECK(out.empty());
  CHECK(err.find(file) != std::string::npos);
  CHECK(err.find("line 2") != std::string::npos);
  CHECK(err.find("speed") != std::string::npos);
}

TEST_CASE("--measured with a missing file exits 2") {
  std::string out, err;
  CHECK(run_trainplan(with(kEightV100, {"--measured", "/nonexistent/trainplan/m.jsonl"}), out, err) == 2);
  CHECK(out.empty());
  CHECK(err.find("/nonexistent/trainplan/m.jsonl") != std::string::npos);
}
