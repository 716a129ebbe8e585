// `trainplan status RUN_DIR [--json]`: progress, forecast and health of a running or finished
// run, read from another terminal. It only reads the run directory: status.json (rank 0's
// position and process), health.json (rank 0's view of every rank's heartbeat), forecast.jsonl,
// results.csv and last_checkpoint.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A status.json older than this, of a process that cannot be checked (another host), is taken
// as a run that is no longer going.
constexpr double kStaleSeconds = 120;

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "";
}

// A JSON file of the run directory, or null when missing; malformed is bad input.
json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  try {
    return json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
}

// forecast.jsonl's last forecast, decisions and stage ends (a cut last line is skipped: the
// run may be writing it).
struct ForecastLog {
  json last_forecast;
  std::vector<json> decisions, stage_ends;
};

ForecastLog read_forecasts(const std::string& path) {
  ForecastLog log;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    json r;
    try {
      r = json::parse(line);
    } catch (const std::exception&) {
      continue;
    }
    const std::string kind = r.value("kind", "");
    if (kind == "forecast") log.last_forecast = r;
    if (kind == "decision") log.decisions.push_back(r);
    if (kind == "stage_end") log.stage_ends.push_back(r);
  }
  return log;
}

std::string duration_text(double s) {
  const long t = std::lround(std::max(0.0, s));
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, t / 60 % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

std::string clock_text(double unix_s) {
  const std::time_t t = std::time_t(unix_s);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return text;
}

// Whether process `pid` of this host lives: it exists, is not a zombie (a killed worker whose
// parent died stays one where nothing reaps orphans, as in many containers), and is not being
// torn down (its command line is gone once its memory is released).
bool alive(int pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return true;  // no /proc: trust kill()
  const size_t close = line.rfind(')');  // "pid (name) S ...": the name may hold spaces
  if (close != std::string::npos && close + 2 < line.size() &&
      (line[close + 2] == 'Z' || line[close + 2] == 'X'))
    return false;
  std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid));
  return cmdline.peek() != std::ifstream::traits_type::eof();
}

// The run's state from status.json: finished, stopped or failed as it says, running while its
// process lives (same host) or it was updated lately (another host), else "not running".
std::string state_of(const json& status, bool all_stages_ended, double* age) {
  // A run from before status.json: its forecasts tell whether every stage ended.
  if (status.is_null()) return all_stages_ended ? "finished" : "not running";
  *age = now_s() - status.value("updated", 0.0);
  const std::string said = status.value("state", "");
  if (said != "running") return said;
  if (status.value("host", "") == host_name()) {
    return alive(status.value("pid", 0)) ? "running" : "not running";
  }
  return *age < kStaleSeconds ? "running" : "not running";
}

json status_of(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw InputError(fmt::format("{}: no such run directory", dir));
  if (!fs::is_regular_file(dir + "/plan.json"))
    throw InputError(fmt::format("{}: not a run directory (no plan.json; `trainplan run` writes "
                                 "runs/<plan-name>/)",
                                 dir));
  const json status = read_json(dir + "/status.json");
  const json health = read_json(dir + "/health.json");
  const ForecastLog forecasts = read_forecasts(dir + "/forecast.jsonl");
  json out;
  out["run_dir"] = dir;
  // Every stage of the plan has its stage_end record.
  bool all_ended = true;
  const json plan = read_json(dir + "/plan.json");
  for (const auto& stage : plan.value("stages", json::array())) {
    bool ended = false;
    for (const auto& e : forecasts.stage_ends) ended = ended || e["stage"] == stage.value("id", "");
    all_ended = all_ended && ended;
  }
  double age = 0;
  out["state"] = state_of(status, all_ended, &age);
  out["updated_s_ago"] = status.is_null() ? json(nullptr) : json(age);
  for (const char* key : {"stage", "step", "steps", "epoch", "epochs", "stages", "pid", "host",
                          "world_size", "message"})
    if (!status.is_null() && status.contains(key)) out[key] = status[key];
  // Health: a rank without a heartbeat or progress for longer than the hang timeout's half is
  // stalling (the run ends it at the full timeout).
  json ranks = json::array();
  if (!health.is_null()) {
    const double limit = health.value("hang_timeout_s", 45.0) / 2;
    const double health_age = now_s() - health.value("updated", 0.0);
    for (const auto& r : health["ranks"]) {
      json rank = r;
      rank["stalled"] = r.value("phase", "") != "collective" && r.value("phase", "") != "finished" &&
                        (r.value("progress_age_s", 0.0) > limit || r.value("heartbeat_age_s", 0.0) > limit);
      ranks.push_back(rank);
    }
    out["health_updated_s_ago"] = health_age;
  }
  out["ranks"] = ranks;
  if (!forecasts.last_forecast.is_null()) {
    const json& f = forecasts.last_forecast;
    const double started = f.value("time", 0.0) - f.value("elapsed_s", 0.0);
    out["forecast"] = {{"made_s_ago", now_s() - f.value("time", 0.0)},
                       {"finish_p10_s", f["finish_p10_s"]},
                       {"finish_p50_s", f["finish_p50_s"]},
                       {"finish_p90_s", f["finish_p90_s"]},
                       {"finish_p50_at", clock_text(started + f.value("finish_p50_s", 0.0))},
                       {"deadline_s", f["deadline_s"]},
                       {"deadline_probability", f["deadline_probability"]},
                       {"stage", f["stage"]},
                       {"stage_forecast_s", f["stage_forecast_s"]}};
  }
  out["decisions"] = forecasts.decisions;
  out["stages_done"] = forecasts.stage_ends;
  std::ifstream last(dir + "/last_checkpoint");
  std::string checkpoint;
  if (std::getline(last, checkpoint)) out["last_checkpoint"] = checkpoint;
  return out;
}

void print_status(const json& s) {
  std::cout << fmt::format("run {}: {}", s["run_dir"].get<std::string>(), s["state"].get<std::string>());
  if (!s["updated_s_ago"].is_null())
    std::cout << fmt::format(" (updated {} ago{})", duration_text(s["updated_s_ago"].get<double>()),
                             s.contains("host") ? fmt::format(", pid {} on {}", s["pid"].get<int>(),
                                                              s["host"].get<std::string>())
                                                : "");
  std::cout << "\n";
  if (s.contains("message")) std::cout << "  " << s["message"].get<std::string>() << "\n";
  if (s.contains("stage") && !s["stage"].get<std::string>().empty()) {
    const auto& stages = s["stages"];
    size_t index = 0;
    for (size_t i = 0; i < stages.size(); ++i)
      if (stages[i] == s["stage"]) index = i;
    std::cout << fmt::format("  stage {} of {}: \"{}\", epoch {}/{}, step {}/{}\n", index + 1,
                             stages.size(), s["stage"].get<std::string>(), s["epoch"].get<int64_t>(),
                             s["epochs"].get<int>(), s["step"].get<int64_t>(), s["steps"].get<int64_t>());
  }
  for (const auto& e : s["stages_done"])
    std::cout << fmt::format("  done: \"{}\" in {} (forecast at 20%: {})\n", e["stage"].get<std::string>(),
                             duration_text(e["measured_s"].get<double>()),
                             e["stage_refit_forecast_s"].is_null()
                                 ? "-"
                                 : duration_text(e["stage_refit_forecast_s"].get<double>()));
  if (s.contains("forecast") && s["state"] == "running") {
    const auto& f = s["forecast"];
    std::cout << fmt::format("  forecast: the run ends at {} (likely {}-{} after its start)",
                             f["finish_p50_at"].get<std::string>(),
                             duration_text(f["finish_p10_s"].get<double>()),
                             duration_text(f["finish_p90_s"].get<double>()));
    if (!f["deadline_probability"].is_null())
      std::cout << fmt::format("; {:.0f}% odds of meeting the deadline of {}",
                               100 * f["deadline_probability"].get<double>(),
                               duration_text(f["deadline_s"].get<double>()));
    std::cout << "\n";
  }
  for (const auto& d : s["decisions"])
    std::cout << fmt::format("  deadline ({}): {}\n", d["action"].get<std::string>(),
                             d["message"].get<std::string>());
  if (!s["ranks"].empty()) {
    std::cout << "  ranks:\n";
    for (const auto& r : s["ranks"])
      std::cout << fmt::format("    rank {}: {}{}, last heartbeat {} ago, progress {} ago{}\n",
                               r["rank"].get<int>(), r["phase"].get<std::string>(),
                               r["stage"].get<std::string>().empty()
                                   ? ""
                                   : fmt::format(" (\"{}\" step {})", r["stage"].get<std::string>(),
                                                 r["step"].get<int64_t>()),
                               duration_text(r["heartbeat_age_s"].get<double>()),
                               duration_text(r["progress_age_s"].get<double>()),
                               r["stalled"].get<bool>() ? "  <- STALLED" : "");
  }
  if (s.contains("last_checkpoint"))
    std::cout << "  last checkpoint: " << s["last_checkpoint"].get<std::string>() << "\n";
  if (s["state"] == "not running" || s["state"] == "stopped" || s["state"] == "failed")
    std::cout << fmt::format("  continue with: trainplan run {0}/plan.json --work-dir {0} --resume\n",
                             s["run_dir"].get<std::string>());
}

}  // namespace

void add_status_command(CLI::App& app, CommandRunner& run) {
  auto dir = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "status", "Progress, forecast and health of a running or finished run (its run directory)");
  cmd->add_option("run_dir", *dir, "The run directory (runs/<plan-name>[-N])")->required();
  cmd->add_flag("--json", *as_json, "Print JSON");
  cmd->callback([dir, as_json, &run] {
    run = [dir, as_json] {
      const json s = status_of(*dir);
      if (*as_json)
        std::cout << s.dump(2) << "\n";
      else
        print_status(s);
      return 0;
    };
  });
}

}  // namespace trainplan::cli
