#include "trainplan/executor/run_directory.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor {

namespace fs = std::filesystem;

namespace {

// Appends one whole line with a single write and fsync, so a crash leaves whole lines only.
void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw RunError(fmt::format("{}: cannot open for appending", path));
  std::string text = line + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) throw RunError(fmt::format("{}: cannot append", path));
}

// The (stage, epoch) a row names: CSV rows start with them; JSON lines have the fields. A
// line that says neither is kept.
std::optional<std::pair<std::string, int64_t>> row_position(const std::string& line, bool csv) {
  if (csv) {
    const auto first = line.find(','), second = line.find(',', first + 1);
    if (first == std::string::npos || second == std::string::npos) return std::nullopt;
    try {
      return std::make_pair(line.substr(0, first), std::stoll(line.substr(first + 1, second - first - 1)));
    } catch (const std::exception&) {
      return std::nullopt;  // the header
    }
  }
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("stage") || !j.contains("epoch") || !j["stage"].is_string() ||
      !j["epoch"].is_number_integer())
    return std::nullopt;
  return std::make_pair(j["stage"].get<std::string>(), j["epoch"].get<int64_t>());
}

}  // namespace

std::vector<std::string> RunDirectory::keep_outputs(
    const std::function<bool(const std::string&, int64_t)>& keep) const {
  std::vector<std::string> removed;
  for (const char* name : {"results.csv", "metrics.jsonl", "measurements.jsonl"}) {
    const std::string path = path_ + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string kept;
    int dropped = 0;
    for (size_t at = 0; at < text.size();) {
      const size_t end = text.find('\n', at);
      if (end == std::string::npos) {  // cut short by a crash while appending
        ++dropped;
        removed.push_back(fmt::format("{}: an incomplete last line", name));
        break;
      }
      const std::string line = text.substr(at, end - at);
      at = end + 1;
      const auto position = row_position(line, name == std::string("results.csv"));
      if (position && !keep(position->first, position->second)) {
        ++dropped;
        removed.push_back(fmt::format("{}: stage {} epoch {}", name, position->first, position->second));
        continue;
      }
      kept += line + "\n";
    }
    if (dropped) write_file_atomically(path, kept);
  }
  return removed;
}

RunDirectory RunDirectory::open(const std::string& root, const std::string& name, bool fresh) {
  std::string path = root + "/" + name;
  if (fresh)
    for (int n = 2; fs::exists(path); ++n) path = fmt::format("{}/{}-{}", root, name, n);
  std::error_code error;
  fs::create_directories(path + "/logs", error);
  fs::create_directories(path + "/checkpoints", error);
  if (error) throw RunError(fmt::format("{}: cannot create the run directory: {}", path, error.message()));
  return RunDirectory(path);
}

RunDirectory RunDirectory::existing(const std::string& path) {
  if (!fs::is_directory(path))
    throw InputError(fmt::format("{}: no such run directory to resume", path));
  return RunDirectory(path);
}

std::string RunDirectory::checkpoint_path(const std::string& stage, const std::string& which) const {
  fs::create_directories(path_ + "/checkpoints/" + stage);
  return fmt::format("{}/checkpoints/{}/{}.pt", path_, stage, which);
}

void RunDirectory::write_plan(const std::string& plan_json) const {
  write_file_atomically(path_ + "/plan.json", plan_json);
}

void RunDirectory::append_epoch(const EpochResult& r) const {
  const std::string csv = path_ + "/results.csv";
  // COCO's other figures come after the original columns: readers by position keep working.
  if (!fs::exists(csv))
    append_line(csv, "stage,epoch,train_loss,box_loss,cls_loss,map50,map50_95,seconds,"
                     "seconds_per_iter,data_seconds_per_iter,lr,map75,map_small,map_medium,"
                     "map_large,ar100");
  append_line(csv, fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.3f},{:.6f},{:.6f},{:.6g},"
                               "{:.6f},{:.6f},{:.6f},{:.6f},{:.6f}",
                               r.stage, r.epoch, r.train_loss, r.box_loss, r.cls_loss, r.map50,
                               r.map50_95, r.seconds, r.seconds_per_iter, r.data_seconds_per_iter,
                               r.lr, r.map75, r.map_small, r.map_medium, r.map_large, r.ar100));
  nlohmann::ordered_json j = {{"stage", r.stage},
                              {"epoch", r.epoch},
                              {"train_loss", r.train_loss},
                              {"box_loss", r.box_loss},
                              {"cls_loss", r.cls_loss},
                              {"map50", r.map50},
                              {"map50_95", r.map50_95},
                              {"seconds", r.seconds},
                              {"seconds_per_iter", r.seconds_per_iter},
                              {"data_seconds_per_iter", r.data_seconds_per_iter},
                              {"lr", r.lr},
                              {"map75", r.map75},
                              {"map_small", r.map_small},
                              {"map_medium", r.map_medium},
                              {"map_large", r.map_large},
                              {"ar100", r.ar100}};
  append_line(path_ + "/metrics.jsonl", j.dump());
}

void RunDirectory::append_measurement(const nlohmann::ordered_json& record) const {
  append_line(path_ + "/measurements.jsonl", record.dump());
}

void RunDirectory::set_last_checkpoint(const std::string& checkpoint) const {
  write_file_atomically(path_ + "/last_checkpoint", checkpoint + "\n");
}

std::optional<std::string> RunDirectory::last_checkpoint() const {
  std::ifstream in(path_ + "/last_checkpoint");
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return std::nullopt;
  return line;
}

}  // namespace trainplan::executor
