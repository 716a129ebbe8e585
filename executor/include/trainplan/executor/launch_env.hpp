#pragma once
// The launch contract (DESIGN 3.8): the environment torchrun sets, or Slurm's.
#include <map>
#include <optional>
#include <string>

#include "trainplan/executor/world_info.hpp"

namespace trainplan::executor {

/// This process's place in the job, from RANK/WORLD_SIZE/LOCAL_RANK/LOCAL_WORLD_SIZE/
/// MASTER_ADDR/MASTER_PORT (default port 29500), or from SLURM_PROCID/SLURM_LOCALID/
/// SLURM_NTASKS and the first host of SLURM_JOB_NODELIST. Nothing when neither is set.
/// Throws InputError naming the variable for a malformed value.
std::optional<WorldInfo> world_from_environment(const std::map<std::string, std::string>& env);

/// The current process's environment as a map.
std::map<std::string, std::string> current_environment();

/// The first host of a Slurm node list such as "gpu[003-005,009],cpu01" -> "gpu003".
std::string first_slurm_host(const std::string& nodelist);

/// The variables a launcher sets for local worker `rank` of `world`.
std::map<std::string, std::string> worker_environment(const WorldInfo& world);

}  // namespace trainplan::executor
