#include "trainplan/executor/launch_env.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "trainplan/error.hpp"

extern char** environ;

namespace trainplan::executor {

namespace {

int integer(const std::map<std::string, std::string>& env, const std::string& name, int fallback,
            int minimum) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return fallback;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (*end != '\0' || v < minimum || v > 1 << 24)
    throw InputError(fmt::format("environment variable {}=\"{}\" is not accepted; expected a "
                                 "whole number >= {}",
                                 name, it->second, minimum));
  return int(v);
}

std::string text(const std::map<std::string, std::string>& env, const std::string& name,
                 const std::string& fallback) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? fallback : it->second;
}

}  // namespace

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::string first_slurm_host(const std::string& nodelist) {
  // "prefix[003-005,009],other" -> "prefix003"; "a,b" -> "a".
  auto bracket = nodelist.find('[');
  auto comma = nodelist.find(',');
  if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket))
    return nodelist.substr(0, comma);
  std::string prefix = nodelist.substr(0, bracket);
  std::string range = nodelist.substr(bracket + 1);
  auto stop = range.find_first_of("-,]");
  return prefix + range.substr(0, stop);
}

std::optional<WorldInfo> world_from_environment(const std::map<std::string, std::string>& env) {
  WorldInfo w;
  if (env.count("RANK") && env.count("WORLD_SIZE")) {
    w.world_size = integer(env, "WORLD_SIZE", 1, 1);
    w.rank = integer(env, "RANK", 0, 0);
    w.local_rank = integer(env, "LOCAL_RANK", w.rank, 0);
    w.local_world_size = integer(env, "LOCAL_WORLD_SIZE", w.world_size, 1);
    w.master_addr = text(env, "MASTER_ADDR", "127.0.0.1");
    w.master_port = integer(env, "MASTER_PORT", 29500, 1);
  } else if (env.count("SLURM_PROCID") && env.count("SLURM_NTASKS")) {
    w.world_size = integer(env, "SLURM_NTASKS", 1, 1);
    w.rank = integer(env, "SLURM_PROCID", 0, 0);
    w.local_rank = integer(env, "SLURM_LOCALID", 0, 0);
    w.local_world_size = integer(env, "SLURM_NTASKS_PER_NODE", w.world_size, 1);
    w.master_addr = text(env, "MASTER_ADDR", first_slurm_host(text(env, "SLURM_JOB_NODELIST", "127.0.0.1")));
    w.master_port = integer(env, "MASTER_PORT", 29500, 1);
  } else {
    return std::nullopt;
  }
  if (w.rank >= w.world_size)
    throw InputError(fmt::format("rank {} is not below the world size {} (RANK/WORLD_SIZE or "
                                 "SLURM_PROCID/SLURM_NTASKS)",
                                 w.rank, w.world_size));
  if (w.master_port > 65535)
    throw InputError(fmt::format("MASTER_PORT={} is not a TCP port", w.master_port));
  return w;
}

std::map<std::string, std::string> worker_environment(const WorldInfo& w) {
  return {{"RANK", std::to_string(w.rank)},
          {"LOCAL_RANK", std::to_string(w.local_rank)},
          {"WORLD_SIZE", std::to_string(w.world_size)},
          {"LOCAL_WORLD_SIZE", std::to_string(w.local_world_size)},
          {"MASTER_ADDR", w.master_addr},
          {"MASTER_PORT", std::to_string(w.master_port)},
          // One compute thread per worker: the ranks share this machine's cores.
          {"OMP_NUM_THREADS", "1"}};
}

}  // namespace trainplan::executor
