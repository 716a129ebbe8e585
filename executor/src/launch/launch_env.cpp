#include "trainplan/executor/launch_env.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "trainplan/error.hpp"
#include "trainplan/executor/slurm_hostlist.hpp"

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
  return expand_slurm_hostlist(nodelist).front();
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
    w.node_rank = integer(env, "GROUP_RANK", 0, 0);
    w.node_count = integer(env, "GROUP_WORLD_SIZE", w.world_size / w.local_world_size, 1);
    w.restart_count = integer(env, "TORCHELASTIC_RESTART_COUNT", 0, 0);
    w.run_id = text(env, "TORCHELASTIC_RUN_ID", "");
    // One role (torchrun's default): its ranks are the job's.
    if (integer(env, "ROLE_WORLD_SIZE", w.world_size, 1) != w.world_size)
      throw InputError(fmt::format("ROLE_WORLD_SIZE={} differs from WORLD_SIZE={}: trainplan runs "
                                   "one role (torchrun's default)",
                                   env.at("ROLE_WORLD_SIZE"), w.world_size));
    // torchrun's static rendezvous: its agent already serves the store at MASTER_PORT.
    const std::string agent = text(env, "TORCHELASTIC_USE_AGENT_STORE", "False");
    w.agent_store = agent == "True" || agent == "true" || agent == "1";
    w.launcher = "torchrun";
  } else if (env.count("SLURM_PROCID") && env.count("SLURM_NTASKS")) {
    w.world_size = integer(env, "SLURM_NTASKS", 1, 1);
    w.rank = integer(env, "SLURM_PROCID", 0, 0);
    w.local_rank = integer(env, "SLURM_LOCALID", 0, 0);
    w.node_rank = integer(env, "SLURM_NODEID", 0, 0);
    w.node_count = integer(env, "SLURM_JOB_NUM_NODES", integer(env, "SLURM_NNODES", 1, 1), 1);
    w.restart_count = integer(env, "SLURM_RESTART_COUNT", 0, 0);  // set after a requeue
    w.run_id = text(env, "SLURM_JOB_ID", "");
    // SLURM_NTASKS_PER_NODE is set only with --ntasks-per-node; SLURM_TASKS_PER_NODE always,
    // in the compressed form "2(x3),1".
    if (env.count("SLURM_NTASKS_PER_NODE"))
      w.local_world_size = integer(env, "SLURM_NTASKS_PER_NODE", w.world_size, 1);
    else if (env.count("SLURM_TASKS_PER_NODE"))
      w.local_world_size = slurm_tasks_on_node(env.at("SLURM_TASKS_PER_NODE"), w.node_rank);
    else
      w.local_world_size = w.world_size;
    w.master_addr = text(env, "MASTER_ADDR", "");
    if (w.master_addr.empty())
      w.master_addr = env.count("SLURM_JOB_NODELIST") && !env.at("SLURM_JOB_NODELIST").empty()
                          ? first_slurm_host(env.at("SLURM_JOB_NODELIST"))
                          : "127.0.0.1";
    w.master_port = integer(env, "MASTER_PORT", 29500, 1);
    w.launcher = "slurm";
  } else if (env.count("OMPI_COMM_WORLD_RANK") && env.count("OMPI_COMM_WORLD_SIZE")) {
    w.world_size = integer(env, "OMPI_COMM_WORLD_SIZE", 1, 1);
    w.rank = integer(env, "OMPI_COMM_WORLD_RANK", 0, 0);
    w.local_rank = integer(env, "OMPI_COMM_WORLD_LOCAL_RANK", w.rank, 0);
    w.local_world_size = integer(env, "OMPI_COMM_WORLD_LOCAL_SIZE", w.world_size, 1);
    // Open MPI exports no host index (OMPI_COMM_WORLD_NODE_RANK is the rank among all the
    // processes on this host); with the default placement by slot the hosts fill in order.
    w.node_rank = (w.rank - w.local_rank) / w.local_world_size;
    w.node_count = (w.world_size + w.local_world_size - 1) / w.local_world_size;
    w.master_addr = text(env, "MASTER_ADDR", "127.0.0.1");
    w.master_port = integer(env, "MASTER_PORT", 29500, 1);
    w.launcher = "mpirun";
  } else {
    return std::nullopt;
  }
  if (w.rank >= w.world_size)
    throw InputError(fmt::format("rank {} is not below the world size {} ({}'s variables: "
                                 "RANK/WORLD_SIZE, SLURM_PROCID/SLURM_NTASKS or "
                                 "OMPI_COMM_WORLD_RANK/_SIZE)",
                                 w.rank, w.world_size, w.launcher));
  if (w.local_rank >= w.local_world_size)
    throw InputError(fmt::format("local rank {} is not below the {} ranks on this host ({})",
                                 w.local_rank, w.local_world_size, w.launcher));
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
          {"TORCHELASTIC_USE_AGENT_STORE", w.agent_store ? "True" : "False"},
          // One compute thread per worker: the ranks share this machine's cores.
          {"OMP_NUM_THREADS", "1"}};
}

}  // namespace trainplan::executor
