// Pins down `trainplan profiles list`: models, GPUs and datasets are listed (text and JSON),
// entries from --profiles appear and replace embedded ones, and an unknown kind exits 2.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"

TEST_CASE("profiles list models lists yolo-world-v2-l") {
  std::string out, err;
  REQUIRE(run_trainplan({"profiles", "list", "models"}, out, err) == 0);
  CAPTURE(out);
  CHECK(err.empty());
  CHECK(out.find("yolo-world-v2-l") != std::string::npos);
  CHECK(out.find("yolo-world-v2-s") != std::string::npos);
}

TEST_CASE("profiles list gpus lists every DESIGN 3.1 id") {
  std::string out, err;
  REQUIRE(run_trainplan({"profiles", "list", "gpus", "--json"}, out, err) == 0);
  const auto j = nlohmann::json::parse(out);
  std::vector<std::string> ids;
  for (const auto& g : j) ids.push_back(g["id"].get<std::string>());
  for (const char* id : {"v100-sxm2-16gb", "v100-sxm2-32gb", "v100s-pcie-32gb", "a100-sxm4-40gb",
                         "a100-sxm4-80gb", "a100-pcie-80gb", "a800-sxm4-80gb", "h100-sxm5-80gb",
                         "h100-pcie-80gb", "h800-sxm5-80gb", "h200-sxm-141gb", "l40", "l40s", "l4",
                         "a30", "rtx-2080ti", "rtx-3090", "rtx-4090", "rtx-a5000", "cpu"}) {
    CAPTURE(id);
    CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
  }
}

TEST_CASE("profiles list datasets --json carries image counts") {
  std::string out, err;
  REQUIRE(run_trainplan({"profiles", "list", "datasets", "--json"}, out, err) == 0);
  bool found = false;
  for (const auto& d : nlohmann::json::parse(out)) {
    if (d["id"] == "o365v1-goldg") {
      found = true;
      CHECK(d["images"] == 1378880);
    }
  }
  CHECK(found);
}

TEST_CASE("a model from --profiles is listed and usable") {
  const std::string file = write_temp_file(
      "mine.json",
      R"({"models": [{"id": "my-detector", "params_m": 20, "gflops": 60, "gflops_resolution": "1333x800"}]})");
  std::string out, err;
  REQUIRE(run_trainplan({"profiles", "list", "models", "--profiles", file}, out, err) == 0);
  CAPTURE(out);
  CHECK(out.find("my-detector") != std::string::npos);
  CHECK(out.find("1333x800") != std::string::npos);
  REQUIRE(run_trainplan({"estimate", "--model", "my-detector", "--gpu", "l4", "--gpus", "1",
                         "--batch", "8", "--resolution", "1333x800", "--images", "1000",
                         "--epochs", "1", "--profiles", file, "--json"},
                        out, err) == 0);
  CHECK(nlohmann::json::parse(out)["total_seconds"].get<double>() > 0);
}

TEST_CASE("--profiles replaces an embedded entry") {
  const std::string file = write_temp_file(
      "price.json",
      R"({"datasets": [{"id": "coco-train2017", "images": 5000}]})");
  std::string out, err;
  REQUIRE(run_trainplan({"profiles", "list", "datasets", "--json", "--profiles", file}, out, err) == 0);
  for (const auto& d : nlohmann::json::parse(out))
    if (d["id"] == "coco-train2017") CHECK(d["images"] == 5000);
}

TEST_CASE("an unknown kind exits 2 listing the kinds") {
  std::string out, err;
  CHECK(run_trainplan({"profiles", "list", "tpus"}, out, err) == 2);
  CAPTURE(err);
  CHECK(out.empty());
  CHECK(err.find("tpus") != std::string::npos);
  CHECK(err.find("models") != std::string::npos);
}
