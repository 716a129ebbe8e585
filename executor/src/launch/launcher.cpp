#include "trainplan/executor/launcher.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

#include "trainplan/error.hpp"
#include "trainplan/executor/launch_env.hpp"
#include "trainplan/executor/root_cause.hpp"
#include "trainplan/executor/stop_signal.hpp"

namespace trainplan::executor {

namespace {

constexpr int kLogTailLines = 15;

std::string log_path(const LaunchOptions& o, int rank) {
  return fmt::format("{}/rank{}.log", o.log_dir, rank);
}

// Where worker `rank` records its error (torchrun's TORCHELASTIC_ERROR_FILE), for root_cause().
std::string error_path(const LaunchOptions& o, int rank) {
  return fmt::format("{}/rank{}.error.json", o.log_dir, rank);
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > size_t(kLogTailLines)) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += "    " + l + "\n";
  return out.empty() ? "    (empty log)\n" : out;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return fmt::format("was killed by signal {} ({})", sig, sigabbrev_np(sig) ? std::string("SIG") + sigabbrev_np(sig) : "?");
  }
  return "stopped";
}

// Everything a worker's exec needs, built before fork: the launcher has threads (its
// rendezvous store), so the child may only make async-signal-safe calls.
struct WorkerExec {
  std::string log;
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;
  bool output_to_log = true;
};

WorkerExec worker_exec(const LaunchOptions& o, const WorldInfo& world) {
  WorkerExec w;
  w.log = log_path(o, world.rank);
  w.args = o.worker_argv;
  auto variables = current_environment();
  for (const auto& [k, v] : worker_environment(world)) variables[k] = v;
  variables["TORCHELASTIC_ERROR_FILE"] = error_path(o, world.rank);
  for (const auto& [k, v] : variables) w.env.push_back(k + "=" + v);
  for (auto& a : w.args) w.argv.push_back(a.data());
  w.argv.push_back(nullptr);
  for (auto& e : w.env) w.envp.push_back(e.data());
  w.envp.push_back(nullptr);
  w.output_to_log = !(o.rank0_to_terminal && world.rank == 0);
  return w;
}

void write_error(const char* what, const char* program) {
  // write(2) only: no stdio after fork in a threaded process.
  const char* reason = strerror(errno);
  for (const char* part : {"cannot execute ", program, ": ", reason, " (", what, ")\n"})
    if (::write(STDERR_FILENO, part, strlen(part)) < 0) break;
}

pid_t start_worker(const WorkerExec& w, int rank) {
  const pid_t launcher = getpid();
  pid_t pid = fork();
  if (pid < 0) throw RunError(fmt::format("cannot start worker {}: {}", rank, std::strerror(errno)));
  if (pid > 0) return pid;
  // Child: its own process group, so the launcher can stop it with everything it started; and
  // it dies with the launcher, even a SIGKILLed one (no orphans training on).
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != launcher) _exit(1);  // the launcher died before prctl
  // The launcher's stop handlers are not the worker's until it installs its own.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  int fd = open(w.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    dup2(fd, STDERR_FILENO);
    if (w.output_to_log) dup2(fd, STDOUT_FILENO);
  }
  execve(w.argv[0], w.argv.data(), w.envp.data());
  write_error("execve", w.argv[0]);
  _exit(127);
}

// The report of a failed run: the root cause's rank, its error and its log's last lines, and
// the rank that was seen to fail first when that was another.
std::string failure_report(const LaunchOptions& o, int seen_rank, const std::string& seen_how) {
  std::vector<std::string> paths;
  for (int r = 0; r < o.nproc; ++r) paths.push_back(error_path(o, r));
  const auto cause = root_cause(read_rank_errors(paths));
  if (!cause || cause->rank == seen_rank)
    return fmt::format("worker rank {} of {} {}; the other workers were stopped. Last lines of "
                       "{}:\n{}",
                       seen_rank, o.nproc, seen_how, log_path(o, seen_rank),
                       tail_of(log_path(o, seen_rank)));
  return fmt::format("worker rank {} of {} failed first: {}\n(rank {} {} after it; the other "
                     "workers were stopped.) Last lines of {}:\n{}",
                     cause->rank, o.nproc, cause->message, seen_rank, seen_how,
                     log_path(o, cause->rank), tail_of(log_path(o, cause->rank)));
}

void stop_all(std::vector<pid_t>& pids, int grace_seconds) {
  for (pid_t p : pids)
    if (p > 0) kill(-p, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  for (pid_t& p : pids) {
    while (p > 0) {
      int status;
      pid_t r = waitpid(p, &status, WNOHANG);
      if (r == p || r < 0) {
        p = 0;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill(-p, SIGKILL);
        waitpid(p, &status, 0);
        p = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace

int free_tcp_port() {  // closes the socket: another program may take the port before its use
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 29500;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

LaunchResult launch_local_workers(const LaunchOptions& o) {
  std::vector<pid_t> pids(o.nproc, 0);
  const int port = o.master_port > 0 ? o.master_port : free_tcp_port();
  std::vector<WorkerExec> execs;
  for (int r = 0; r < o.nproc; ++r) {
    WorldInfo w;
    w.rank = w.local_rank = r;
    w.world_size = w.local_world_size = o.nproc;
    w.master_addr = o.master_addr;
    w.master_port = port;
    w.agent_store = o.agent_store;
    execs.push_back(worker_exec(o, w));
    std::ofstream(log_path(o, r), std::ios::trunc);  // a fresh log per run
    std::remove(error_path(o, r).c_str());          // and no error from an earlier one
  }
  for (int r = 0; r < o.nproc; ++r) pids[r] = start_worker(execs[r], r);
  LaunchResult result;
  int running = o.nproc;
  set_stop_deferred(true);  // from here a stop signal is forwarded to the workers
  int forwarded = 0;  // the stop signal sent on to the workers
  auto kill_deadline = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    // Forward SIGINT/SIGTERM once; a second SIGINT, or the grace running out, kills.
    if (const int sig = stop_signal(); sig && !forwarded) {
      forwarded = sig;
      for (pid_t p : pids)
        if (p > 0) kill(-p, sig);
      kill_deadline = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(int64_t(o.term_grace_seconds * 1000));
    }
    if (forwarded && (stop_signal_count() > 1 || std::chrono::steady_clock::now() > kill_deadline)) {
      for (pid_t p : pids)
        if (p > 0) kill(-p, SIGKILL);
      kill_deadline = std::chrono::steady_clock::time_point::max();
    }
    int status = 0;
    // Polled, so that a signal arriving just before the wait is still forwarded at once.
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    int rank = int(std::find(pids.begin(), pids.end(), pid) - pids.begin());
    if (rank >= o.nproc) continue;
    pids[rank] = 0;
    --running;
    if (forwarded) continue;  // stopping: every worker checkpoints and exits
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    // The first failure seen ends the run; the others are stopped so nothing hangs on a dead
    // peer. It need not be the cause: a peer of the failing rank may exit first.
    result.ok = false;
    result.failed_rank = rank;
    result.how = describe(status);
    stop_all(pids, o.stop_grace_seconds);
    result.message = failure_report(o, rank, result.how);
    break;
  }
  if (forwarded && result.ok) {
    result.ok = false;
    result.stop_signal = forwarded;
    result.how = "stopped by " + signal_name(forwarded);
    result.message = fmt::format("stopped by {}: the {} workers finished their step and wrote a "
                                 "checkpoint (or were killed after {:g} s); continue with --resume\n",
                                 signal_name(forwarded), o.nproc, o.term_grace_seconds);
  }
  return result;
}

}  // namespace trainplan::executor
