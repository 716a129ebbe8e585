#include "reference_runs.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "trainplan/error.hpp"

namespace trainplan::bench {

namespace {

// How each row's free-text model and GPU map to profiles, and what had to be assumed.
struct RowMapping {
  const char* model;
  const char* gpu;
  const char* dataset;
  const char* eval_dataset;
  double eval_interval_epochs;
  int gpus_if_missing;
  int batch_if_missing;
  const char* assumption;
  const char* framework = "";  ///< "" = the model's usual codebase
};

const std::map<std::string, RowMapping>& mappings() {
  static const std::map<std::string, RowMapping> m = {
      {"YW01", {"yolo-world-v2-m", "v100-sxm2-32gb", "o365v1-goldg", "lvis-minival", 10, 0, 0, "V100 32GB per the paper"}},
      {"YW02", {"yolo-world-v1-l", "v100-sxm2-32gb", "o365v1-goldg", "lvis-minival", 10, 0, 0, "V100 32GB (27 GB peak)"}},
      {"YW03", {"yolo-world-v2-m", "v100-sxm2-32gb", "o365v1-goldg", "lvis-minival", 10, 0, 0, "S/M/L range midpoint taken as M"}},
      {"YW04", {"yolo-world-v2-l", "v100-sxm2-32gb", "o365v1-goldg", "lvis-minival", 10, 0, 0, "size unspecified: L; V100"}},
      {"YW05", {"yolo-world-v2-l", "rtx-2080ti", "o365v1-goldg", "lvis-minival", 10, 0, 0, "GPU unknown: 10 images per GPU \"due to memory\" at 7.7-8.6 GB implies an 11 GB card (RTX 2080 Ti)"}},
      {"YW06", {"yolo-world-v2-s", "v100-sxm2-32gb", "objects365v1", "", 1, 0, 0, "GPU unknown: V100 32GB"}},
      {"YW07", {"yolo-world-v2-l", "v100-sxm2-32gb", "coco-train2017", "coco-val2017", 5, 0, 0, "GPU unknown: V100 32GB; size L"}},
      {"YW08", {"yolo-world-v1-l", "a800-sxm4-80gb", "coco-train2017", "coco-val2017", 5, 0, 0, ""}},
      {"YW09", {"yolo-world-v2-l", "v100-sxm2-32gb", "coco-train2017", "coco-val2017", 5, 8, 128, "8 GPUs x 16 (the config); V100"}},
      {"YW10", {"yolo-world-v2-l", "v100-sxm2-32gb", "coco-train2017", "coco-val2017", 5, 0, 0, "GPU unknown: V100 32GB; an upper bound"}},
      {"MM01", {"yolov5-s", "a100-sxm4-80gb", "coco-train2017", "coco-val2017", 10, 0, 0, "mmyolo codebase", "mmyolo"}},
      {"MM02", {"yolov5-m", "a100-sxm4-80gb", "coco-train2017", "coco-val2017", 10, 0, 0, "mmyolo codebase", "mmyolo"}},
      {"MM03", {"rtmdet-m", "a100-sxm4-80gb", "coco-train2017", "coco-val2017", 10, 0, 0, "A100 assumed"}},
      {"MM04", {"rtmdet-s", "a100-sxm4-80gb", "coco-train2017", "coco-val2017", 10, 0, 0, ""}},
      {"UL01", {"yolov5-n", "v100-sxm2-16gb", "coco-train2017", "coco-val2017", 1, 0, 0, ""}},
      {"UL02", {"yolov5-s", "v100-sxm2-16gb", "coco-train2017", "coco-val2017", 1, 0, 0, ""}},
      {"UL03", {"yolov5-m", "v100-sxm2-16gb", "coco-train2017", "coco-val2017", 1, 0, 0, ""}},
      {"UL04", {"yolov5-l", "v100-sxm2-16gb", "coco-train2017", "coco-val2017", 1, 0, 0, ""}},
      {"UL05", {"yolov5-x", "v100-sxm2-16gb", "coco-train2017", "coco-val2017", 1, 0, 0, ""}},
      {"MLR01", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR02", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR03", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR04", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR05", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR06", {"retinanet-x50", "h200-sxm-141gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR07", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
      {"MLR08", {"retinanet-x50", "h100-sxm5-80gb", "openimages-mlperf", "", 1, 0, 0, ""}},
  };
  return m;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::optional<double> number_or_none(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::stod(s);
}

}  // namespace

std::vector<ReferenceRun> load_reference_runs(const profiles::Catalog& catalog,
                                              const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw InputError(fmt::format("{}: cannot open file", csv_path));
  std::string line;
  std::getline(in, line);
  auto header = split_csv_line(line);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  std::vector<ReferenceRun> runs;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_csv_line(line);
    auto field = [&](const char* name) { return f.at(column.at(name)); };
    ReferenceRun run;
    run.case_id = field("case_id");
    run.measured_seconds_per_iter = number_or_none(field("measured_seconds_per_iter"));
    run.measured_total_hours = number_or_none(field("measured_total_hours"));
    if (!run.measured_seconds_per_iter && !run.measured_total_hours) continue;
    auto found = mappings().find(run.case_id);
    if (found == mappings().end())
      throw InputError(fmt::format("{}: row {} has no mapping in bench/reference_runs.cpp",
                                   csv_path, run.case_id));
    const RowMapping& m = found->second;
    costmodel::Scenario& s = run.scenario;
    s.model_id = m.model;
    s.gpu_id = m.gpu;
    s.gpus = field("gpus").empty() ? m.gpus_if_missing : std::stoi(field("gpus"));
    s.nodes = std::max(1, s.gpus / 8);
    s.global_batch =
        field("global_batch").empty() ? m.batch_if_missing : std::stoi(field("global_batch"));
    s.resolution = profiles::parse_resolution(field("resolution"), run.case_id + " resolution");
    s.images = std::stod(field("images"));
    s.epochs = std::stod(field("epochs"));
    const auto& data = catalog.dataset(m.dataset);
    s.texts_per_image = data.texts_per_image;
    s.source_image_pixels = data.mean_width_px * data.mean_height_px;
    s.framework_id = *m.framework ? m.framework : catalog.model(s.model_id).framework;
    s.mosaic = s.framework_id != "mlperf-nvidia";
    // YOLOv5 trains with SGD in both codebases; YOLO-World, RTMDet and MLPerf with AdamW-like.
    const auto& family = catalog.model(s.model_id).family;
    s.optimizer = family == "yolov5" || family == "yolov8" ? "sgd" : "adamw";
    if (*m.eval_dataset) {
      s.eval_images = catalog.dataset(m.eval_dataset).images;
      s.eval_interval_epochs = m.eval_interval_epochs;
    }
    run.group = s.model_id + "/" + s.framework_id;
    run.assumption = m.assumption;
    runs.push_back(run);
  }
  return runs;
}

std::optional<costmodel::MeasurementRecord> as_record(const ReferenceRun& run) {
  if (!run.measured_seconds_per_iter) return std::nullopt;
  costmodel::MeasurementRecord r;
  r.model = run.scenario.model_id;
  r.gpu = run.scenario.gpu_id;
  r.gpus = run.scenario.gpus;
  r.nodes = run.scenario.nodes;
  r.global_batch = run.scenario.global_batch;
  r.resolution = run.scenario.resolution;
  r.seconds_per_iter = *run.measured_seconds_per_iter;
  r.amp = run.scenario.amp;
  r.framework = run.scenario.framework_id;
  return r;
}

}  // namespace trainplan::bench
