// Pins down the strict JSON reading behind every profile (DESIGN 2: a message names the file,
// the field and the bad value, and what would be accepted): syntax errors give
// file:line:column, unknown fields give their JSON path, missing fields and bad numbers give
// path + reason.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"
#include "trainplan/profiles/catalog.hpp"
#include "support/input_error_of.hpp"

using trainplan::testing::contains;
using trainplan::testing::input_error_of;

using nlohmann::json;
using trainplan::InputError;
using trainplan::JsonObjectReader;
using trainplan::parse_json_text;
using trainplan::profiles::Catalog;

namespace {

// A complete, valid GPU entry (the embedded V100's fields).
json valid_gpu() {
  Catalog c = Catalog::embedded();
  const auto& g = c.gpu("v100-sxm2-32gb");
  return {{"id", "test-gpu"},          {"name", "Test GPU"},
          {"architecture", g.architecture},
          {"tensor_tflops", 100.0},    {"fp32_tflops", 10.0},
          {"memory_gb", 24.0},         {"memory_bandwidth_gbps", 900.0},
          {"intra_link", g.intra_link}, {"intra_link_bandwidth_gbps", 32.0},
          {"price_per_gpu_hour_usd", 1.0}, {"host_cpu_cores_per_gpu", 8.0},
          {"default_network", g.default_network}, {"source", "test"},
          {"price_source", "test"}};
}

std::string merge_error(const json& gpu) {
  Catalog c = Catalog::embedded();
  return input_error_of([&] { c.merge(json{{"gpus", json::array({gpu})}}, "user.json"); });
}

}  // namespace

TEST_CASE("a JSON syntax error gives origin:line:column") {
  // The stray '?' is on line 3, column 8.
  const std::string text = "{\n  \"a\": 1,\n  \"b\": ?\n}\n";
  std::string msg = input_error_of([&] { parse_json_text(text, "my-profiles.json"); });
  CAPTURE(msg);
  CHECK(contains(msg, "my-profiles.json:3:8:"));
  CHECK(contains(msg, "invalid JSON"));
}

TEST_CASE("a syntax error on the first line and a truncated document") {
  std::string first = input_error_of([&] { parse_json_text("[1, 2,, 3]", "one-line.json"); });
  CAPTURE(first);
  CHECK(contains(first, "one-line.json:1:7:"));
  std::string cut = input_error_of([&] { parse_json_text("{\n  \"gpus\": [\n", "cut.json"); });
  CAPTURE(cut);
  CHECK(contains(cut, "cut.json:"));
  CHECK_FALSE(contains(cut, "cut.json:1:"));
}

TEST_CASE("valid JSON text parses") {
  json v = parse_json_text("{\"gpus\": [1, 2]}", "ok.json");
  CHECK(v.at("gpus").size() == 2);
}

TEST_CASE("the valid GPU entry used below is accepted") {
  Catalog c = Catalog::embedded();
  CHECK_NOTHROW(c.merge(json{{"gpus", json::array({valid_gpu()})}}, "user.json"));
  CHECK(c.gpu("test-gpu").memory_gb == 24.0);
}

TEST_CASE("an unknown field is named by its JSON path") {
  json gpu = valid_gpu();
  gpu["bogus"] = 1;
  std::string msg = merge_error(gpu);
  CAPTURE(msg);
  CHECK(contains(msg, "user.json"));
  CHECK(contains(msg, "$.gpus[0].bogus"));
  CHECK(contains(msg, "unknown field"));
  // It lists what is accepted.
  CHECK(contains(msg, "memory_gb"));
}

TEST_CASE("an unknown field in a later entry names that entry's index") {
  Catalog c = Catalog::embedded();
  json datasets = json::array({{{"id", "a"}, {"images", 10}},
                               {{"id", "b"}, {"images", 10}, {"imagez", 3}}});
  std::string msg = input_error_of([&] { c.merge(json{{"datasets", datasets}}, "user.json"); });
  CAPTURE(msg);
  CHECK(contains(msg, "$.datasets[1].imagez"));
}

TEST_CASE("a missing required field gives path and reason") {
  json gpu = valid_gpu();
  gpu.erase("memory_gb");
  std::string msg = merge_error(gpu);
  CAPTURE(msg);
  CHECK(contains(msg, "$.gpus[0].memory_gb"));
  CHECK(contains(msg, "missing"));
}

TEST_CASE("a negative or zero number gives path, value and reason") {
  json gpu = valid_gpu();
  gpu["memory_gb"] = -16;
  std::string msg = merge_error(gpu);
  CAPTURE(msg);
  CHECK(contains(msg, "$.gpus[0].memory_gb"));
  CHECK(contains(msg, "-16"));
  CHECK(contains(msg, "> 0"));
  gpu["memory_gb"] = 0;
  CHECK(contains(merge_error(gpu), "$.gpus[0].memory_gb"));
}

TEST_CASE("a wrong type gives path and the value") {
  json gpu = valid_gpu();
  gpu["tensor_tflops"] = "fast";
  std::string msg = merge_error(gpu);
  CAPTURE(msg);
  CHECK(contains(msg, "$.gpus[0].tensor_tflops"));
  CHECK(contains(msg, "fast"));
  gpu = valid_gpu();
  gpu["name"] = "";
  CHECK(contains(merge_error(gpu), "$.gpus[0].name"));
}

TEST_CASE("JsonObjectReader reads, defaults and rejects") {
  json v = {{"n", 2.5}, {"zero", 0}, {"s", "text"}, {"b", true}, {"kind", "sgd"}};
  JsonObjectReader in(v, "file.json", "$.x");
  CHECK(in.number("n") == 2.5);
  CHECK(in.number("zero", /*positive=*/false) == 0);
  CHECK(in.string("s") == "text");
  CHECK(in.boolean_or("b", false));
  CHECK(in.number_or("absent", 7.0) == 7.0);
  CHECK_FALSE(in.optional_number("also-absent").has_value());
  CHECK(in.path_of("n") == "$.x.n");
  std::string bad = input_error_of([&] { in.one_of("kind", {"adamw", "lamb"}); });
  CAPTURE(bad);
  CHECK(contains(bad, "$.x.kind"));
  CHECK(contains(bad, "adamw"));
  CHECK_NOTHROW(in.reject_unknown_keys());
  CHECK_THROWS_AS(JsonObjectReader(json::array(), "file.json", "$"), InputError);
}
