#include "reference_runs.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>

#include "trainplan/error.hpp"

namespace trainplan::bench {

namespace {

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

// One CSV row with its header, reading typed fields and naming the row and column on error.
class Row {
 public:
  Row(const std::string& path, size_t line_number, const std::map<std::string, size_t>& column,
      std::vector<std::string> fields)
      : path_(path), line_(line_number), column_(column), fields_(std::move(fields)) {}

  const std::string& text(const char* name) const {
    auto found = column_.find(name);
    if (found == column_.end()) fail(name, "column missing from the header");
    if (found->second >= fields_.size()) fail(name, "row has too few fields");
    return fields_[found->second];
  }
  std::optional<double> optional_number(const char* name) const {
    const std::string& s = text(name);
    if (s.empty()) return std::nullopt;
    size_t used = 0;
    double x = 0;
    try {
      x = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || !std::isfinite(x) || x <= 0)
      fail(name, fmt::format("\"{}\" is not a positive number", s));
    return x;
  }
  double number(const char* name) const {
    auto x = optional_number(name);
    if (!x) fail(name, "empty; a positive number is required");
    return *x;
  }
  bool flag(const char* name) const {
    const std::string& s = text(name);
    if (s == "1") return true;
    if (s == "0") return false;
    fail(name, fmt::format("\"{}\" is not accepted; expected 1 or 0", s));
  }
  [[noreturn]] void fail(const char* name, const std::string& what) const {
    throw InputError(fmt::format("{}:{}: column {}: {}", path_, line_, name, what));
  }

 private:
  const std::string& path_;
  size_t line_;
  const std::map<std::string, size_t>& column_;
  std::vector<std::string> fields_;
};

ReferenceRun parse_run(const profiles::Catalog& catalog, const Row& row) {
  ReferenceRun run;
  run.case_id = row.text("case_id");
  run.source_id = row.text("source_id");
  run.codebase = row.text("codebase");
  run.assumption = row.text("assumptions");
  const std::string measured = row.text("measured");
  if (measured == "seconds_per_iter") {
    run.measured_seconds_per_iter = row.number("seconds_per_iter");
    run.measured_data_seconds_per_iter = row.optional_number("data_seconds_per_iter");
  }
  else if (measured == "total")
    run.measured_total_hours = row.number("total_hours");
  else
    row.fail("measured", fmt::format("\"{}\" is not accepted; expected seconds_per_iter or total",
                                     measured));

  run.measured_memory_gb = row.optional_number("memory_gb");
  costmodel::Scenario& s = run.scenario;
  // Unknown ids are named with the closest known ones by the catalog.
  auto checked = [&](const char* column, auto lookup) {
    try {
      lookup(row.text(column));
    } catch (const InputError& e) {
      row.fail(column, e.what());
    }
    return row.text(column);
  };
  s.model_id = checked("model", [&](const std::string& id) { catalog.model(id); });
  s.gpu_id = checked("gpu", [&](const std::string& id) { catalog.gpu(id); });
  s.framework_id = checked("codebase", [&](const std::string& id) { catalog.framework(id); });
  const std::string dataset_id =
      checked("dataset", [&](const std::string& id) { catalog.dataset(id); });
  const auto& data = catalog.dataset(dataset_id);
  s.gpus = int(row.number("gpus"));
  const int per_node = int(row.optional_number("gpus_per_node").value_or(std::min(s.gpus, 8)));
  s.nodes = std::max(1, (s.gpus + per_node - 1) / per_node);
  s.global_batch = int(row.number("global_batch"));
  s.resolution = profiles::parse_resolution(row.text("resolution"), run.case_id + " resolution");
  s.images = row.number("images");
  s.epochs = row.number("epochs");
  s.amp = row.flag("amp");
  s.mosaic = row.flag("mosaic");
  s.optimizer = row.text("optimizer");
  if (s.optimizer != "sgd" && s.optimizer != "adamw")
    row.fail("optimizer", fmt::format("\"{}\" is not accepted; expected sgd or adamw", s.optimizer));
  s.texts_per_image = data.texts_per_image;
  s.source_image_pixels = data.mean_width_px * data.mean_height_px;
  const std::string eval_id = row.text("eval_dataset");
  if (!eval_id.empty()) {
    checked("eval_dataset", [&](const std::string& id) { catalog.dataset(id); });
    s.eval_images = catalog.dataset(eval_id).images;
    s.eval_interval_epochs = row.number("eval_interval_epochs");
  }
  // MLPerf's timed runs write no checkpoints; other codebases save one every epoch.
  if (run.codebase.rfind("mlperf", 0) == 0) s.checkpoint_interval_epochs = s.epochs + 1;
  const std::string includes = row.text("total_includes");
  s.include_startup = includes.find("startup") != std::string::npos;
  if (run.measured_total_hours && includes.find("eval") == std::string::npos) s.eval_images = 0;
  try {
    costmodel::validate(s);
  } catch (const InputError& e) {
    // The scenario's message names the flag (--gpus, --batch, --epochs) that maps to a column.
    row.fail("gpus/global_batch/images/epochs", e.what());
  }
  return run;
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
  std::map<std::string, size_t> seen;
  for (size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    Row row(csv_path, number, column, split_csv_line(line));
    runs.push_back(parse_run(catalog, row));
    if (!seen.emplace(runs.back().case_id, number).second)
      row.fail("case_id", fmt::format("\"{}\" repeats line {}", runs.back().case_id,
                                      seen[runs.back().case_id]));
  }
  return runs;
}

double measured_figure(const ReferenceRun& run) {
  return run.measured_seconds_per_iter ? *run.measured_seconds_per_iter
                                       : *run.measured_total_hours;
}

double predicted_figure(const ReferenceRun& run, const costmodel::Estimate& e) {
  return run.measured_seconds_per_iter ? e.seconds_per_iter : e.total_seconds / 3600;
}

double predicted_memory_gb(const costmodel::Estimate& e) {
  // The estimate's memory is for one micro-batch; activations grow linearly with images.
  const int micro = std::max(1, e.micro_batch);
  return e.memory.weights_gb + e.memory.activations_gb * e.per_gpu_batch / micro;
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
  r.data_seconds_per_iter = run.measured_data_seconds_per_iter;
  r.amp = run.scenario.amp;
  r.framework = run.scenario.framework_id;
  return r;
}

}  // namespace trainplan::bench
