#pragma once
// The launch contract (DESIGN 3.8): the environment torchrun sets, or Slurm's.
#include <map>
#include <optional>
#include <string>

#include "trainplan/executor/world_info.hpp"

namespace trainplan::executor {

/// This process's place in the job, from the first launcher whose variables are set:
/// - torchrun: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, GROUP_WORLD_SIZE,
///   ROLE_WORLD_SIZE (one role), MASTER_ADDR, MASTER_PORT (default 29500),
///   TORCHELASTIC_RESTART_COUNT, TORCHELASTIC_RUN_ID, TORCHELASTIC_USE_AGENT_STORE (and
///   TORCHELASTIC_ERROR_FILE, written on failure: error_file.hpp);
/// - Slurm: SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, SLURM_NODEID, SLURM_JOB_NUM_NODES,
///   SLURM_RESTART_COUNT, SLURM_JOB_ID, SLURM_NTASKS_PER_NODE or
///   SLURM_TASKS_PER_NODE ("2(x3),1"), and the first host of SLURM_JOB_NODELIST (full hostlist
///   grammar) unless MASTER_ADDR is set;
/// - Open MPI (mpirun): OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE (the host index
///   follows from them, placement by slot); MASTER_ADDR (pass it with mpirun -x) defaults to 127.0.0.1.
/// Nothing when none is set. Throws InputError naming the variable for a malformed value.
std::optional<WorldInfo> world_from_environment(const std::map<std::string, std::string>& env);

/// The current process's environment as a map.
std::map<std::string, std::string> current_environment();

/// The first host of a Slurm node list such as "gpu[003-005,009],cpu01" -> "gpu003"
/// (expand_slurm_hostlist's first).
std::string first_slurm_host(const std::string& nodelist);

/// The variables a launcher sets for local worker `rank` of `world`.
std::map<std::string, std::string> worker_environment(const WorldInfo& world);

}  // namespace trainplan::executor
