#pragma once
// Slurm's hostlist grammar ("node[01-04,07],gpu-a[1-2]b[3,5],login"), as SLURM_JOB_NODELIST
// and SLURM_TASKS_PER_NODE write them (no LibTorch: the launcher uses it too).
#include <string>
#include <vector>

namespace trainplan::executor {

/// The hosts of a Slurm host list, in order: "node[01-04,07]" -> node01 node02 node03 node04
/// node07 (zero padding kept); several bracket groups in one name expand as their product.
/// Throws InputError naming `what` and the bad text for an unbalanced bracket, a bad range or
/// a list of more than a million hosts.
std::vector<std::string> expand_slurm_hostlist(const std::string& hostlist,
                                               const std::string& what = "SLURM_JOB_NODELIST");

/// Tasks on node `node_id` from SLURM_TASKS_PER_NODE's form "2(x3),1" (2, 2, 2, then 1).
/// Throws InputError naming `what` for a malformed list or a node it does not cover.
int slurm_tasks_on_node(const std::string& tasks_per_node, int node_id,
                        const std::string& what = "SLURM_TASKS_PER_NODE");

}  // namespace trainplan::executor
