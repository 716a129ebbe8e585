#pragma once
// Where a process sits in a data-parallel job (no LibTorch: the launcher uses it too).
#include <string>

namespace trainplan::executor {

/// Rank, world size and the rendezvous address (DESIGN 3.8).
struct WorldInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int node_rank = 0;          ///< this host's index (torchrun GROUP_RANK, SLURM_NODEID)
  int node_count = 1;         ///< hosts in the job (torchrun GROUP_WORLD_SIZE, SLURM_JOB_NUM_NODES)
  /// How often the launcher restarted the job (torchrun's TORCHELASTIC_RESTART_COUNT, Slurm's
  /// SLURM_RESTART_COUNT after a requeue): above 0, a run continues from its last checkpoint.
  int restart_count = 0;
  std::string run_id;         ///< torchrun's TORCHELASTIC_RUN_ID or SLURM_JOB_ID (messages)
  /// The store at master_addr:master_port is hosted by the launcher (torchrun's agent store,
  /// TORCHELASTIC_USE_AGENT_STORE): rank 0 joins it as a client instead of creating it.
  bool agent_store = false;
  std::string launcher = "trainplan";  ///< torchrun, slurm, mpirun or trainplan (for messages)
};

}  // namespace trainplan::executor
