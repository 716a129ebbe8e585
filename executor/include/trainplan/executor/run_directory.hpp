#pragma once
// The run directory (DESIGN 3.7): runs/<plan-name>[-N]/ with a copy of the plan, results.csv
// (one row per epoch), metrics.jsonl, measurements.jsonl (DESIGN 3.3 records),
// checkpoints/<stage>/{last,best}.pt and the last_checkpoint pointer used by --resume.
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace trainplan::executor {

/// One epoch's row of results.csv.
struct EpochResult {
  std::string stage;
  int64_t epoch = 0;           ///< 1-based
  double train_loss = 0;
  double box_loss = 0;
  double cls_loss = 0;
  double map50 = 0;
  double map50_95 = 0;
  double map75 = 0;
  double map_small = -1;       ///< -1: no small object in the validation split (pycocotools)
  double map_medium = -1;
  double map_large = -1;
  double ar100 = 0;            ///< recall with 100 detections per image, IoU 0.50:0.95
  double seconds = 0;          ///< wall time of the epoch
  double seconds_per_iter = 0;
  double data_seconds_per_iter = 0;
  double lr = 0;
};

/// Paths and writers of one run. Only rank 0 writes.
class RunDirectory {
 public:
  /// Uses `path` as it is (for --resume and workers) or, with `fresh`, the first of
  /// `root/name`, `root/name-2`, ... that does not exist yet, and creates it.
  static RunDirectory open(const std::string& root, const std::string& name, bool fresh);
  /// The directory of an existing run, for --resume: `path` itself.
  static RunDirectory existing(const std::string& path);

  const std::string& path() const { return path_; }
  std::string checkpoint_path(const std::string& stage, const std::string& which) const;
  std::string log_dir() const { return path_ + "/logs"; }

  /// Copies the plan (atomically) as plan.json.
  void write_plan(const std::string& plan_json) const;
  /// Appends a row to results.csv (writing the header first) and a line to metrics.jsonl.
  void append_epoch(const EpochResult& result) const;
  /// Appends one DESIGN 3.3 record to measurements.jsonl.
  void append_measurement(const nlohmann::ordered_json& record) const;
  /// Keeps only the rows of results.csv, metrics.jsonl and measurements.jsonl for which
  /// `keep(stage, epoch)` holds, and drops a last line a crash cut short: a resumed run first
  /// removes what was written after its checkpoint, so no row is ever counted twice. Each
  /// file is rewritten atomically; returns the rows removed, as "stage epoch N" lines.
  std::vector<std::string> keep_outputs(
      const std::function<bool(const std::string& stage, int64_t epoch)>& keep) const;
  /// Points last_checkpoint at `checkpoint` (atomically).
  void set_last_checkpoint(const std::string& checkpoint) const;
  /// The last checkpoint, if a run wrote one.
  std::optional<std::string> last_checkpoint() const;

 private:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace trainplan::executor
