#include "run_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace run_test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<std::string> joined(std::vector<std::string> common, const std::vector<std::string>& extra) {
  common.insert(common.end(), extra.begin(), extra.end());
  return common;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_exit(pid_t pid, double seconds, double* took) {
  const auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      if (took) *took = std::chrono::duration<double>(Clock::now() - start).count();
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

bool wait_for_file(const std::string& path, double seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int processes_with(const std::string& marker) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(marker) != std::string::npos && std::to_string(getpid()) != name) ++count;
  }
  return count;
}

int left_after(const std::string& marker, double seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  int left = processes_with(marker);
  while (left > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = processes_with(marker);
  }
  return left;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int run_with_env(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 std::string& out, std::string& err) {
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  int code = run_trainplan(args, out, err);
  for (const auto& [k, v] : env) unsetenv(k.c_str());
  return code;
}

pid_t spawn_trainplan(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                     const std::string& log) {
  std::vector<std::string> entries;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) entries.push_back(entry);
  }
  for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    std::vector<char*> argv = {const_cast<char*>(TRAINPLAN_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : entries) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}


std::string make_plan(const std::string& dir, const std::string& question, const std::string& strategy) {
  std::string out, err;
  std::vector<std::string> args = {"plan", question, "-o", dir + "/plan.json"};
  if (!strategy.empty()) args.insert(args.end(), {"--strategy", strategy});
  REQUIRE(run_trainplan(args, out, err) == 0);
  return dir + "/plan.json";
}

std::string unscaled_plan(const std::string& dir, const std::string& init) {
  const std::string generated = make_plan(dir, "4 GPUs, 1 day budget?");
  nlohmann::json plan = nlohmann::json::parse(std::ifstream(generated));
  auto& stage = plan["stages"][0];
  stage["model"] = "yolo-world-v2-n";
  stage["dataset"] = "shapes";
  stage["eval_dataset"] = "";  // evaluated on the val split of "shapes" (the planner names COCO's)
  stage["init"] = init;
  stage["resolution"] = 128;
  stage["epochs"] = 1;
  stage["global_batch"] = 8;
  stage["gpus"] = 1;
  plan["question"]["model"] = "yolo-world-v2-n";
  std::ofstream(dir + "/unscaled.json") << plan.dump(2);
  return dir + "/unscaled.json";
}

void synth_shapes(const std::string& root) {
  std::string out, err;
  REQUIRE(run_trainplan({"data", "synth", "--out", root + "/shapes", "--images", "40", "--size", "128"},
                        out, err) == 0);
}

std::map<std::string, torch::Tensor> train_scaled(const std::string& plan, const std::string& work,
                                                  int nproc, const std::vector<std::string>& extra,
                                                  std::string* out) {
  std::vector<std::string> args = {"run", plan, "--scale-to-local", "--nproc", std::to_string(nproc),
                                   "--global-batch", "8", "--work-dir", work};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string stdout_text, err;
  CAPTURE(nproc);
  CAPTURE(err);
  REQUIRE(run_trainplan(args, stdout_text, err) == 0);
  if (out) *out = stdout_text;
  return checkpoint_parameters(work + "/checkpoints/pretrain/last.pt");
}

std::map<std::string, torch::Tensor> checkpoint_parameters(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  std::map<std::string, torch::Tensor> params;
  for (const auto& key : archive.keys()) {
    if (key.rfind("model.", 0) != 0) continue;
    torch::Tensor t;
    archive.read(key, t);
    params[key] = t;
  }
  return params;
}

double relative_difference(const std::map<std::string, torch::Tensor>& a,
                           const std::map<std::string, torch::Tensor>& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE_FALSE(a.empty());
  double diff = 0, norm = 0;
  for (const auto& [name, x] : a) {
    auto it = b.find(name);
    REQUIRE(it != b.end());
    auto dx = x.to(torch::kFloat64), dy = it->second.to(torch::kFloat64);
    diff += (dx - dy).pow(2).sum().item<double>();
    norm += dx.pow(2).sum().item<double>();
  }
  return std::sqrt(diff / std::max(norm, 1e-300));
}

double max_abs_difference(const std::map<std::string, torch::Tensor>& a,
                          const std::map<std::string, torch::Tensor>& b) {
  double worst = 0;
  for (const auto& [name, x] : a) {
    auto it = b.find(name);
    REQUIRE(it != b.end());
    worst = std::max(worst, (x.to(torch::kFloat64) - it->second.to(torch::kFloat64)).abs().max().item<double>());
  }
  return worst;
}

double last_result(const std::string& run_dir, const std::string& stage, const std::string& column) {
  std::ifstream in(run_dir + "/results.csv");
  std::string header, line;
  REQUIRE(std::getline(in, header));
  std::vector<std::string> names;
  std::stringstream hs(header);
  for (std::string c; std::getline(hs, c, ',');) names.push_back(c);
  double value = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    if (cells.empty() || cells[0] != stage) continue;
    for (size_t i = 0; i < names.size() && i < cells.size(); ++i)
      if (names[i] == column) value = std::stod(cells[i]);
  }
  return value;
}

}  // namespace run_test
