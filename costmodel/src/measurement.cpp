#include "trainplan/costmodel/measurement.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::costmodel {

namespace {

int whole_number(JsonObjectReader& in, const std::string& key, int fallback) {
  if (!in.has(key)) {
    in.number_or(key, 1);  // marks the key as known
    return fallback;
  }
  double v = in.number(key);
  if (v != std::floor(v) || v > 1e9) in.fail(key, fmt::format("expected a whole number >= 1, got {}", v));
  return int(v);
}

MeasurementRecord parse_record(JsonObjectReader in) {
  MeasurementRecord r;
  r.model = in.string("model");
  r.gpu = in.string("gpu");
  r.gpus = whole_number(in, "gpus", 0);
  if (r.gpus == 0) in.fail("gpus", "missing required field");
  r.nodes = whole_number(in, "nodes", 1);
  r.global_batch = whole_number(in, "global_batch", 0);
  if (r.global_batch == 0) in.fail("global_batch", "missing required field");
  if (!in.has("resolution")) in.fail("resolution", "missing required field");
  r.resolution = profiles::resolution_from_json(in.raw("resolution"),
                                                in.origin() + ": " + in.path_of("resolution"));
  r.seconds_per_iter = in.number("seconds_per_iter");
  r.images = in.optional_number("images");
  r.epochs = in.optional_number("epochs");
  r.amp = in.boolean_or("amp", true);
  r.data_seconds_per_iter = in.optional_number("data_seconds_per_iter", /*positive=*/false);
  r.framework = in.string_or("framework", "");
  // Where in a trainplan run it was measured: a resumed run drops the records written after
  // its checkpoint by these (no record counted twice).
  r.stage = in.string_or("stage", "");
  if (in.has("epoch")) r.epoch = whole_number(in, "epoch", 1);
  in.reject_unknown_keys();
  return r;
}

}  // namespace

std::vector<MeasurementRecord> parse_measurements(const std::string& text,
                                                  const std::string& origin) {
  std::vector<MeasurementRecord> records;
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw InputError(fmt::format("{}: no measurement records", origin));
  if (text[first] == '[') {
    auto list = parse_json_text(text, origin);
    for (size_t i = 0; i < list.size(); ++i)
      records.push_back(parse_record(JsonObjectReader(list[i], origin, fmt::format("$[{}]", i))));
  } else {
    // JSON lines: one object per non-empty line.
    std::istringstream lines(text);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string where = fmt::format("{} line {}", origin, number);
      auto value = parse_json_text(line, where);
      records.push_back(parse_record(JsonObjectReader(value, where, "$")));
    }
  }
  if (records.empty()) throw InputError(fmt::format("{}: no measurement records", origin));
  return records;
}

std::vector<MeasurementRecord> read_measurements(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_measurements(buffer.str(), path);
}

nlohmann::ordered_json to_json(const MeasurementRecord& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["gpu"] = r.gpu;
  j["gpus"] = r.gpus;
  j["nodes"] = r.nodes;
  j["global_batch"] = r.global_batch;
  if (r.resolution.width_px == r.resolution.height_px)
    j["resolution"] = r.resolution.width_px;
  else
    j["resolution"] = r.resolution.to_string();
  j["seconds_per_iter"] = r.seconds_per_iter;
  if (r.images) j["images"] = *r.images;
  if (r.epochs) j["epochs"] = *r.epochs;
  j["amp"] = r.amp;
  if (r.data_seconds_per_iter) j["data_seconds_per_iter"] = *r.data_seconds_per_iter;
  if (!r.framework.empty()) j["framework"] = r.framework;
  if (!r.stage.empty()) j["stage"] = r.stage;
  if (r.epoch) j["epoch"] = *r.epoch;
  return j;
}

Scenario scenario_for(const MeasurementRecord& r, const Scenario& base) {
  Scenario s = base;
  s.model_id = r.model;
  s.gpu_id = r.gpu;
  s.gpus = r.gpus;
  s.nodes = r.nodes;
  s.global_batch = r.global_batch;
  s.resolution = r.resolution;
  s.amp = r.amp;
  if (!r.framework.empty()) s.framework_id = r.framework;
  if (r.images) s.images = *r.images;
  if (r.epochs) s.epochs = *r.epochs;
  return s;
}

}  // namespace trainplan::costmodel
