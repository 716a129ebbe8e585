// Pins down `trainplan estimate` (DESIGN 3.4): with --json one object carrying
// seconds_per_iter, iters_per_epoch, epoch_seconds, total_seconds, per_gpu_batch,
// fits_memory (bool), breakdown (compute_s, comm_exposed_s, data_s, eval_s, overhead_s) and
// calibrated (bool), consistent with each other; without --json a readable summary.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/run_json.hpp"

namespace {

const std::vector<std::string> kCocoFinetune = {
    "estimate", "--model", "yolo-world-v2-l", "--gpu",    "v100-sxm2-32gb",
    "--gpus",   "8",       "--batch",         "128",      "--resolution",
    "640",      "--images", "118287",         "--epochs", "80"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

nlohmann::json estimate_json(const std::vector<std::string>& args) {
  return trainplan::testing::run_json(with(args, {"--json"}));
}

}  // namespace

TEST_CASE("estimate --json has the DESIGN 3.4 fields with their types") {
  const auto j = estimate_json(kCocoFinetune);
  CAPTURE(j.dump(2));
  REQUIRE(j.is_object());
  for (const char* key : {"seconds_per_iter", "epoch_seconds", "total_seconds"}) {
    CAPTURE(key);
    REQUIRE(j.contains(key));
    CHECK(j[key].is_number());
    CHECK(j[key].get<double>() > 0);
  }
  REQUIRE(j.contains("iters_per_epoch"));
  CHECK(j["iters_per_epoch"].is_number_integer());
  REQUIRE(j.contains("per_gpu_batch"));
  CHECK(j["per_gpu_batch"].is_number_integer());
  REQUIRE(j.contains("fits_memory"));
  CHECK(j["fits_memory"].is_boolean());
  REQUIRE(j.contains("calibrated"));
  CHECK(j["calibrated"].is_boolean());
  REQUIRE(j.contains("breakdown"));
  REQUIRE(j["breakdown"].is_object());
  CHECK(j["breakdown"].size() == 5);
  for (const char* key : {"compute_s", "comm_exposed_s", "data_s", "eval_s", "overhead_s"}) {
    CAPTURE(key);
    REQUIRE(j["breakdown"].contains(key));
    CHECK(j["breakdown"][key].is_number());
    CHECK(j["breakdown"][key].get<double>() >= 0);
  }
}

TEST_CASE("estimate --json values are consistent") {
  const auto j = estimate_json(kCocoFinetune);
  CHECK(j["per_gpu_batch"] == 16);
  CHECK(j["iters_per_epoch"] == 925);
  CHECK(j["fits_memory"] == true);
  CHECK(j["calibrated"] == false);
  const auto& b = j["breakdown"];
  const double parts = b["compute_s"].get<double>() + b["comm_exposed_s"].get<double>() +
                       b["data_s"].get<double>() + b["eval_s"].get<double>() +
                       b["overhead_s"].get<double>();
  CHECK(parts == doctest::Approx(j["total_seconds"].get<double>()).epsilon(1e-9));
  CHECK(j["epoch_seconds"].get<double>() * 80 <= j["total_seconds"].get<double>());
  const double hours = j["total_seconds"].get<double>() / 3600;
  CHECK(hours >= 8);
  CHECK(hours <= 14);
}

TEST_CASE("estimate flags change the JSON answer the expected way") {
  const auto base = estimate_json(kCocoFinetune);
  const auto longer = estimate_json(with(kCocoFinetune, {"--eval-images", "5000"}));
  CHECK(longer["breakdown"]["eval_s"].get<double>() > 0);
  CHECK(base["breakdown"]["eval_s"].get<double>() == 0);
  const auto fp32 = estimate_json(with(kCocoFinetune, {"--no-amp"}));
  CHECK(fp32["seconds_per_iter"].get<double>() > base["seconds_per_iter"].get<double>());
  auto multi = kCocoFinetune;
  multi[6] = "16";
  multi[8] = "256";
  const auto two_nodes = estimate_json(with(multi, {"--nodes", "2"}));
  CHECK(two_nodes["per_gpu_batch"] == 16);
  CHECK(two_nodes["total_seconds"].get<double>() < base["total_seconds"].get<double>());
}

TEST_CASE("estimate without --json prints a readable summary") {
  std::string out, err;
  REQUIRE(run_trainplan(kCocoFinetune, out, err) == 0);
  CAPTURE(out);
  CHECK(err.empty());
  CHECK(out.find("yolo-world-v2-l on 8 x v100-sxm2-32gb") != std::string::npos);
  CHECK(out.find("s/iter") != std::string::npos);
  CHECK(out.find("925 iterations") != std::string::npos);
  CHECK(out.find("breakdown") != std::string::npos);
  CHECK(out.find("fits") != std::string::npos);
  CHECK(out.find("calibrated no") != std::string::npos);
}

TEST_CASE("a wide resolution is accepted") {
  const auto square = estimate_json(kCocoFinetune);
  auto args = kCocoFinetune;
  args[10] = "1333x800";
  const auto wide = estimate_json(args);
  CHECK(wide["seconds_per_iter"].get<double>() > square["seconds_per_iter"].get<double>());
}
