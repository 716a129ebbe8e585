#pragma once
// `trainplan run --nproc N`: starts N local workers with the launch environment, watches them,
// and when one fails stops the others and reports which rank failed, how, and the last lines
// of its log (torchrun's elastic agent does the same for one node).
#include <string>
#include <vector>

namespace trainplan::executor {

/// How to start the workers.
struct LaunchOptions {
  int nproc = 1;
  std::vector<std::string> worker_argv;  ///< program and arguments of each worker
  std::string log_dir;                   ///< worker r writes log_dir/rank<r>.log
  std::string master_addr = "127.0.0.1";
  int master_port = 0;                   ///< 0 = a free port on this machine (racy: see agent_store)
  /// The launcher hosts the rendezvous store at master_port (a port it holds open, so nothing
  /// can take it in between); every worker, rank 0 included, joins it as a client.
  bool agent_store = false;
  int stop_grace_seconds = 5;            ///< SIGTERM, then SIGKILL after this long
  /// After the launcher gets SIGINT/SIGTERM, forwarded to the workers: how long they get to
  /// finish their step and checkpoint before SIGKILL. A second SIGINT kills at once.
  double term_grace_seconds = 30;
  bool rank0_to_terminal = true;         ///< rank 0's standard output also goes to ours
};

/// What happened to the workers.
struct LaunchResult {
  bool ok = true;
  int failed_rank = -1;
  std::string how;      ///< "exited with code 3" or "was killed by signal 9 (SIGKILL)"
  std::string message;  ///< the whole report, with the last log lines
  int stop_signal = 0;  ///< SIGINT/SIGTERM that stopped the run (forwarded to the workers)
};

/// Starts the workers and waits for them. Never throws for a worker failure: the result says.
/// Workers die with the launcher (PR_SET_PDEATHSIG); SIGINT/SIGTERM to the launcher are
/// forwarded to them (install_stop_handlers() must have been called).
LaunchResult launch_local_workers(const LaunchOptions& options);

/// A TCP port that is free on this machine now; the socket is closed, so another program may
/// take it before it is used (tests hand it to ranks they start; the launcher hosts a store).
int free_tcp_port();

}  // namespace trainplan::executor
