// Pins down the measurement record (DESIGN 3.3): `--measured FILE` accepts a JSON list or
// JSON lines, `nodes` defaults to 1, optional fields are optional, unknown fields and
// missing required ones are rejected naming the file and line (or list index), and to_json
// writes a record that parses back to the same values.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/costmodel/measurement.hpp"
#include "trainplan/error.hpp"
#include "support/input_error_of.hpp"

using trainplan::testing::contains;
using trainplan::testing::input_error_of;

using namespace trainplan::costmodel;
using trainplan::InputError;

namespace {

const char* kDesignExample =
    R"({"model": "retinanet-x50", "gpu": "h100-sxm5-80gb", "gpus": 8, "nodes": 1, )"
    R"("global_batch": 256, "resolution": 800, "seconds_per_iter": 0.1147})";

}  // namespace

TEST_CASE("the DESIGN 3.3 example parses") {
  auto records = parse_measurements(kDesignExample, "m.jsonl");
  REQUIRE(records.size() == 1);
  const auto& r = records[0];
  CHECK(r.model == "retinanet-x50");
  CHECK(r.gpu == "h100-sxm5-80gb");
  CHECK(r.gpus == 8);
  CHECK(r.nodes == 1);
  CHECK(r.global_batch == 256);
  CHECK(r.resolution.width_px == 800);
  CHECK(r.resolution.height_px == 800);
  CHECK(r.seconds_per_iter == 0.1147);
  CHECK_FALSE(r.images.has_value());
  CHECK_FALSE(r.epochs.has_value());
  CHECK(r.amp);
}

TEST_CASE("a JSON list and JSON lines give the same records") {
  const std::string a = R"({"model": "m", "gpu": "g", "gpus": 8, "global_batch": 128, "resolution": 640, "seconds_per_iter": 0.5})";
  const std::string b = R"({"model": "m", "gpu": "g", "gpus": 16, "nodes": 2, "global_batch": 256, "resolution": "1333x800", "seconds_per_iter": 0.6, "images": 1000, "epochs": 3, "amp": false, "data_seconds_per_iter": 0.01})";
  auto list = parse_measurements("[\n" + a + ",\n" + b + "\n]\n", "list.json");
  auto lines = parse_measurements(a + "\n\n" + b + "\n", "lines.jsonl");
  REQUIRE(list.size() == 2);
  REQUIRE(lines.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(to_json(list[i]) == to_json(lines[i]));
  }
  CHECK(lines[0].nodes == 1);  // the default
  CHECK(lines[1].nodes == 2);
  CHECK(lines[1].resolution.width_px == 1333);
  CHECK(lines[1].resolution.height_px == 800);
  CHECK(lines[1].images == 1000);
  CHECK(lines[1].epochs == 3);
  CHECK_FALSE(lines[1].amp);
  CHECK(lines[1].data_seconds_per_iter == 0.01);
}

TEST_CASE("an unknown field names the line it is on") {
  const std::string good = R"({"model": "m", "gpu": "g", "gpus": 1, "global_batch": 16, "resolution": 640, "seconds_per_iter": 0.5})";
  const std::string bad = R"({"model": "m", "gpu": "g", "gpus": 1, "global_batch": 16, "resolution": 640, "seconds_per_iter": 0.5, "gpu_type": "v100"})";
  std::string msg = input_error_of([&] { parse_measurements(good + "\n" + good + "\n" + bad + "\n", "runs.jsonl"); });
  CAPTURE(msg);
  CHECK(contains(msg, "runs.jsonl"));
  CHECK(contains(msg, "line 3"));
  CHECK(contains(msg, "gpu_type"));
  // In a list the index is named instead.
  std::string in_list = input_error_of([&] { parse_measurements("[" + good + "," + bad + "]", "runs.json"); });
  CAPTURE(in_list);
  CHECK(contains(in_list, "$[1].gpu_type"));
}

TEST_CASE("missing and invalid fields are rejected with their name") {
  nlohmann::json base = nlohmann::json::parse(kDesignExample);
  for (const char* key : {"model", "gpu", "gpus", "global_batch", "resolution", "seconds_per_iter"}) {
    CAPTURE(key);
    nlohmann::json r = base;
    r.erase(key);
    std::string msg = input_error_of([&] { parse_measurements(r.dump(), "m.jsonl"); });
    CAPTURE(msg);
    CHECK(contains(msg, key));
    CHECK(contains(msg, "line 1"));
  }
  for (auto [key, value] : {std::pair<const char*, nlohmann::json>{"gpus", 0},
                            {"gpus", 2.5},
                            {"global_batch", -16},
                            {"seconds_per_iter", 0},
                            {"seconds_per_iter", "fast"},
                            {"resolution", "640x"},
                            {"nodes", 0}}) {
    CAPTURE(key);
    nlohmann::json r = base;
    r[key] = value;
    std::string msg = input_error_of([&] { parse_measurements(r.dump(), "m.jsonl"); });
    CAPTURE(msg);
    CHECK(contains(msg, key));
  }
}

TEST_CASE("syntax errors and empty input are rejected") {
  std::string msg = input_error_of([&] { parse_measurements("{\"model\": }\n", "m.jsonl"); });
  CAPTURE(msg);
  CHECK(contains(msg, "m.jsonl"));
  CHECK_THROWS_AS(parse_measurements("", "m.jsonl"), InputError);
  CHECK_THROWS_AS(parse_measurements("  \n\n", "m.jsonl"), InputError);
  CHECK_THROWS_AS(parse_measurements("[]", "m.json"), InputError);
  CHECK_THROWS_AS(parse_measurements("[1, 2]", "m.json"), InputError);
}

TEST_CASE("to_json round-trips and keeps the DESIGN 3.3 field order") {
  MeasurementRecord r;
  r.model = "yolo-world-v2-l";
  r.gpu = "a100-sxm4-80gb";
  r.gpus = 16;
  r.nodes = 2;
  r.global_batch = 256;
  r.resolution = {1333, 800};
  r.seconds_per_iter = 0.4321;
  r.images = 118287;
  r.epochs = 80;
  r.amp = false;
  r.data_seconds_per_iter = 0.002;
  const auto j = to_json(r);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  REQUIRE(keys.size() >= 7);
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 7) ==
        std::vector<std::string>{"model", "gpu", "gpus", "nodes", "global_batch", "resolution",
                                 "seconds_per_iter"});
  const auto back = parse_measurements(j.dump(), "round-trip");
  REQUIRE(back.size() == 1);
  CHECK(to_json(back[0]) == j);
  CHECK(back[0].resolution == r.resolution);
  CHECK(back[0].seconds_per_iter == r.seconds_per_iter);
  CHECK(back[0].data_seconds_per_iter == r.data_seconds_per_iter);
  // A square resolution is written as a number.
  r.resolution = {640, 640};
  CHECK(to_json(r)["resolution"].is_number());
}

TEST_CASE("read_measurements reads a file and names it") {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("trainplan-measurements-" + std::to_string(::getpid()) + ".jsonl"))
                        .string();
  {
    std::ofstream out(path);
    out << kDesignExample << "\n";
  }
  auto records = read_measurements(path);
  CHECK(records.size() == 1);
  std::filesystem::remove(path);
  std::string msg = input_error_of([&] { read_measurements(path); });
  CHECK(contains(msg, path));
}

TEST_CASE("scenario_for takes the record's figures and the base's data") {
  auto r = parse_measurements(kDesignExample, "m")[0];
  r.images = 5000;
  Scenario base;
  base.texts_per_image = 7;
  base.eval_images = 123;
  const Scenario s = scenario_for(r, base);
  CHECK(s.model_id == "retinanet-x50");
  CHECK(s.gpu_id == "h100-sxm5-80gb");
  CHECK(s.gpus == 8);
  CHECK(s.nodes == 1);
  CHECK(s.global_batch == 256);
  CHECK(s.resolution.width_px == 800);
  CHECK(s.images == 5000);
  CHECK(s.texts_per_image == 7);
  CHECK(s.eval_images == 123);
}
