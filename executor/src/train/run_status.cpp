#include "run_status.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "trainplan/atomic_file.hpp"

namespace trainplan::executor {

namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace

RunStatus::RunStatus(std::string run_dir, int world_size, std::vector<std::string> stages)
    : path_(std::move(run_dir) + "/status.json"), world_size_(world_size), stages_(std::move(stages)) {}

void RunStatus::at(const std::string& stage, int64_t step, int64_t steps, int64_t epoch, int epochs,
                   bool now) {
  stage_ = stage;
  step_ = step;
  steps_ = steps;
  epoch_ = epoch;
  epochs_ = epochs;
  const auto t = std::chrono::steady_clock::now();
  if (!now && t - last_write_ < std::chrono::seconds(1)) return;
  last_write_ = t;
  write("running", "");
}

void RunStatus::end(const std::string& state, const std::string& message) { write(state, message); }

void RunStatus::write(const std::string& state, const std::string& message) {
  nlohmann::ordered_json j;
  j["updated"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  j["state"] = state;
  j["pid"] = int(getpid());
  j["host"] = host_name();
  j["world_size"] = world_size_;
  j["stages"] = stages_;
  j["stage"] = stage_;
  j["step"] = step_;
  j["steps"] = steps_;
  j["epoch"] = epoch_;
  j["epochs"] = epochs_;
  if (!message.empty()) j["message"] = message;
  try {
    write_file_atomically(path_, j.dump() + "\n");
  } catch (const std::exception&) {
    // A full disk must not end the training; `status` then reads an older file.
  }
}

}  // namespace trainplan::executor
