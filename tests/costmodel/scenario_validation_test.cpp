// Pins down the checks estimate() makes before any work (DESIGN 3.9: bad input is an
// InputError with one message naming the flag, the bad value and what is accepted), and the
// DESIGN 3.4 fields of an Estimate's JSON.
#include <doctest/doctest.h>

#include <string>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/estimate_json.hpp"
#include "trainplan/error.hpp"

using namespace trainplan::costmodel;
using trainplan::InputError;
using trainplan::profiles::Catalog;

namespace {

std::string error_of(const Scenario& s) {
  try {
    estimate(Catalog::embedded(), s);
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

Scenario valid() {
  Scenario s;
  s.gpus = 4;
  s.global_batch = 64;
  return s;
}

}  // namespace

TEST_CASE("the default scenario is valid") {
  CHECK_NOTHROW(validate(valid()));
  CHECK_NOTHROW(estimate(Catalog::embedded(), valid()));
}

TEST_CASE("GPU and node counts are checked") {
  Scenario s = valid();
  s.gpus = 0;
  CHECK(error_of(s).find("--gpus") != std::string::npos);
  s.gpus = -3;
  CHECK(error_of(s).find("-3") != std::string::npos);
  s = valid();
  s.nodes = 3;
  std::string msg = error_of(s);
  CAPTURE(msg);
  CHECK(msg.find("--nodes") != std::string::npos);
  s.nodes = 0;
  CHECK(error_of(s).find("--nodes") != std::string::npos);
}

TEST_CASE("a batch not divisible by the GPUs is rejected with examples") {
  Scenario s = valid();
  s.gpus = 3;
  std::string msg = error_of(s);
  CAPTURE(msg);
  CHECK(msg.find("--batch") != std::string::npos);
  CHECK(msg.find("64") != std::string::npos);
  CHECK(msg.find("3 GPUs") != std::string::npos);
  CHECK(msg.find("63") != std::string::npos);
  s = valid();
  s.global_batch = 0;
  CHECK(error_of(s).find("--batch") != std::string::npos);
}

TEST_CASE("images, epochs and optimizer are checked") {
  Scenario s = valid();
  s.images = 0;
  CHECK(error_of(s).find("--images") != std::string::npos);
  s = valid();
  s.epochs = 0;
  CHECK(error_of(s).find("--epochs") != std::string::npos);
  s = valid();
  s.optimizer = "lion";
  CHECK(error_of(s).find("lion") != std::string::npos);
}

TEST_CASE("unknown ids are InputErrors naming the closest ids") {
  Scenario s = valid();
  s.gpu_id = "v100";
  CHECK(error_of(s).find("v100-sxm2-") != std::string::npos);
  s = valid();
  s.model_id = "yolo-world-l";
  CHECK(error_of(s).find("yolo-world-v2-l") != std::string::npos);
  s = valid();
  s.network_id = "infiniband-xdr";
  CHECK_THROWS_AS(estimate(Catalog::embedded(), s), InputError);
}

TEST_CASE("the estimate JSON starts with the DESIGN 3.4 fields") {
  const Estimate e = estimate(Catalog::embedded(), valid());
  const auto j = to_json(e);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  const std::vector<std::string> design = {"seconds_per_iter", "iters_per_epoch", "epoch_seconds",
                                           "total_seconds",    "per_gpu_batch",   "fits_memory",
                                           "breakdown",        "calibrated"};
  REQUIRE(keys.size() >= design.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + design.size()) == design);
  CHECK(j["fits_memory"].is_boolean());
  CHECK(j["calibrated"].is_boolean());
  CHECK(j["iters_per_epoch"].is_number_integer());
  CHECK(j["per_gpu_batch"] == 16);
  CHECK(j["seconds_per_iter"].get<double>() == e.seconds_per_iter);
  CHECK(j["total_seconds"].get<double>() == e.total_seconds);
  for (const char* part : {"compute_s", "comm_exposed_s", "data_s", "eval_s", "overhead_s"}) {
    CAPTURE(part);
    REQUIRE(j["breakdown"].contains(part));
    CHECK(j["breakdown"][part].is_number());
  }
  CHECK(j["breakdown"].size() == 5);
  // DESIGN 3.11: the likely range brackets the estimate.
  CHECK(j["total_seconds_p10"].get<double>() < e.total_seconds);
  CHECK(j["total_seconds_p90"].get<double>() > e.total_seconds);
}
