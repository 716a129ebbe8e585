// Pins down Catalog::merge (DESIGN 3.2 `--profiles FILE`): an entry with a known id replaces
// the embedded one, a new id is added, the rest is untouched; unknown top-level keys,
// duplicate ids and dangling references are rejected with the origin in the message.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/error.hpp"
#include "trainplan/profiles/catalog.hpp"
#include "support/input_error_of.hpp"

using trainplan::testing::input_error_of;

using nlohmann::json;
using trainplan::InputError;
using trainplan::profiles::Catalog;

namespace {

// A complete GPU entry, copied from the embedded V100 so every required field is present.
json gpu_entry(const Catalog& c, const std::string& id, double memory_gb) {
  const auto& g = c.gpu("v100-sxm2-32gb");
  return {{"id", id},
          {"name", "test card " + id},
          {"architecture", g.architecture},
          {"tensor_tflops", g.tensor_tflops},
          {"fp32_tflops", g.fp32_tflops},
          {"memory_gb", memory_gb},
          {"memory_bandwidth_gbps", g.memory_bandwidth_gbps},
          {"intra_link", g.intra_link},
          {"intra_link_bandwidth_gbps", g.intra_link_bandwidth_gbps},
          {"price_per_gpu_hour_usd", 1.25},
          {"host_cpu_cores_per_gpu", g.host_cpu_cores_per_gpu},
          {"default_network", g.default_network},
          {"source", "unit test"},
          {"price_source", "unit test"}};
}

}  // namespace

TEST_CASE("merge replaces an entry with a known id") {
  Catalog c = Catalog::embedded();
  const size_t before = c.gpus().size();
  c.merge(json{{"gpus", json::array({gpu_entry(c, "v100-sxm2-32gb", 64)})}}, "override.json");
  CHECK(c.gpus().size() == before);
  CHECK(c.gpu("v100-sxm2-32gb").memory_gb == 64);
  CHECK(c.gpu("v100-sxm2-32gb").price_per_gpu_hour_usd == 1.25);
  CHECK(c.gpu("v100-sxm2-32gb").name == "test card v100-sxm2-32gb");
  // Other entries are untouched.
  CHECK(c.gpu("v100-sxm2-16gb").memory_gb == 16);
}

TEST_CASE("merge adds an entry with a new id") {
  Catalog c = Catalog::embedded();
  const size_t gpus_before = c.gpus().size();
  const size_t models_before = c.models().size();
  const size_t datasets_before = c.datasets().size();
  json doc = {{"gpus", json::array({gpu_entry(c, "my-card", 48)})},
              {"models", json::array({{{"id", "my-detector"},
                                       {"params_m", 10.0},
                                       {"gflops", 30.0},
                                       {"gflops_resolution", 640}}})},
              {"datasets", json::array({{{"id", "my-data"}, {"images", 5000}}})}};
  c.merge(doc, "mine.json");
  CHECK(c.gpus().size() == gpus_before + 1);
  CHECK(c.models().size() == models_before + 1);
  CHECK(c.datasets().size() == datasets_before + 1);
  CHECK(c.gpu("my-card").memory_gb == 48);
  CHECK(c.model("my-detector").gflops == 30.0);
  CHECK(c.dataset("my-data").images == 5000);
  CHECK(c.gpu("v100-sxm2-32gb").memory_gb == 32);
}

TEST_CASE("merge_file reads a file and names it in messages") {
  Catalog c = Catalog::embedded();
  std::string path = (std::filesystem::temp_directory_path() /
                      ("trainplan-merge-test-" + std::to_string(::getpid()) + ".json"))
                         .string();
  {
    std::ofstream out(path);
    out << json{{"datasets", json::array({{{"id", "from-file"}, {"images", 42}}})}}.dump(2);
  }
  c.merge_file(path);
  CHECK(c.dataset("from-file").images == 42);
  {
    std::ofstream out(path);
    out << R"({"datasets": [{"id": "from-file", "images": -1}]})";
  }
  std::string msg = input_error_of([&] { c.merge_file(path); });
  CAPTURE(msg);
  CHECK(msg.find(path) != std::string::npos);
  CHECK(msg.find("$.datasets[0].images") != std::string::npos);
  std::remove(path.c_str());
  CHECK_THROWS_AS(c.merge_file(path + ".missing"), InputError);
}

TEST_CASE("merge rejects unknown top-level keys, non-arrays and duplicate ids") {
  Catalog c = Catalog::embedded();
  std::string msg = input_error_of([&] { c.merge(json{{"gpu", json::array()}}, "typo.json"); });
  CAPTURE(msg);
  CHECK(msg.find("typo.json") != std::string::npos);
  CHECK(msg.find("$.gpu") != std::string::npos);
  CHECK_THROWS_AS(c.merge(json{{"gpus", json::object()}}, "x.json"), InputError);
  CHECK_THROWS_AS(c.merge(json::array(), "x.json"), InputError);
  json twice = {{"datasets", json::array({{{"id", "d"}, {"images", 1}}, {{"id", "d"}, {"images", 2}}})}};
  std::string dup = input_error_of([&] { c.merge(twice, "dup.json"); });
  CAPTURE(dup);
  CHECK(dup.find("duplicate") != std::string::npos);
  CHECK(dup.find("$.datasets[1]") != std::string::npos);
}

TEST_CASE("merge rejects a reference to an unknown profile") {
  Catalog c = Catalog::embedded();
  json card = gpu_entry(c, "linkless", 24);
  card["intra_link"] = "nvlink9";
  std::string msg = input_error_of([&] { c.merge(json{{"gpus", json::array({card})}}, "refs.json"); });
  CAPTURE(msg);
  CHECK(msg.find("refs.json") != std::string::npos);
  CHECK(msg.find("nvlink9") != std::string::npos);
  json model = {{"id", "m"}, {"params_m", 1}, {"gflops", 1}, {"gflops_resolution", 640},
                {"framework", "no-such-framework"}};
  CHECK_THROWS_AS(c.merge(json{{"models", json::array({model})}}, "refs.json"), InputError);
}
