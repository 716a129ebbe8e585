// `trainplan run` under real launchers on this one machine (issue 11): srun and sbatch on a
// one-node Slurm cluster the test starts, Open MPI's mpirun, and two ranks in two network
// namespaces joined by a veth pair with torchrun's variables. Each run must end with the
// parameters of the one-host `--nproc 2` run. A launcher that cannot run here (not installed,
// not root, no namespaces) makes its test print "LAUNCHER TEST SKIPPED: <why>", which CTest
// reports as skipped (SKIP_REGULAR_EXPRESSION).
#include "trainplan/executor/launcher.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "run_support.hpp"

namespace {

const std::string kScripts = TRAINPLAN_LAUNCHER_SCRIPTS;
const std::string kSbatch = TRAINPLAN_SBATCH_SCRIPT;
// The run every launcher repeats: 6 optimizer steps of the scaled pretrain stage, global batch 8.
const std::vector<std::string> kRunArgs = {"--scale-to-local",
                                           "--global-batch",
                                           "8",
                                           "--max-steps",
                                           "6",
                                           "--timeout",
                                           "60",
                                           "--rdzv-timeout",
                                           "60"};

void skip(const std::string& why) { MESSAGE("LAUNCHER TEST SKIPPED: " << why); }

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string join_quoted(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + quote(w);
  return s;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// `sh -c COMMAND`, standard output and error into `log`, in its own process group.
pid_t spawn_shell(const std::string& command, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

/// Waits for `pid` up to `seconds`; then kills its process group. The exit code, 128 + the
/// signal, or -1 after a timeout.
int wait_within(pid_t pid, double seconds) {
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (seconds_since(start) > seconds) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs `sh -c COMMAND` to its end (at most `seconds`); `output` gets its standard output and
/// error.
int shell(const std::string& command, std::string& output, double seconds = 150) {
  const std::string log = make_temp_dir() + "/shell.log";
  const int code = wait_within(spawn_shell(command, log), seconds);
  output = file_text(log);
  return code;
}

bool have(const std::string& program) {
  std::string out;
  return shell("command -v " + quote(program), out, 10) == 0;
}

/// The pretrain stage's parameters after the one-host 2-rank run (`--nproc 2`).
std::map<std::string, torch::Tensor> reference(const std::string& plan, const std::string& dir) {
  std::vector<std::string> extra(kRunArgs.begin() + 3, kRunArgs.end());  // after --global-batch 8
  return run_test::train_scaled(plan, dir + "/reference", 2, extra);
}

void expect_reference_result(const std::map<std::string, torch::Tensor>& ref,
                             const std::string& work_dir, const std::string& what) {
  const auto got = run_test::checkpoint_parameters(work_dir + "/checkpoints/pretrain/last.pt");
  const double diff = run_test::relative_difference(ref, got);
  const double worst = run_test::max_abs_difference(ref, got);
  MESSAGE(what << ": relative difference " << diff << ", largest difference " << worst
               << " from the one-host --nproc 2 run");
  CHECK(diff <= 1e-5);
  CHECK(worst <= 5e-3);
}

/// `trainplan run PLAN <kRunArgs, --rdzv-timeout RDZV_TIMEOUT> --work-dir WORK` as one shell
/// word list.
std::string trainplan_run(const std::string& plan, const std::string& work,
                          const std::string& rdzv_timeout = "60") {
  std::vector<std::string> words = {TRAINPLAN_BINARY, "run", plan};
  words.insert(words.end(), kRunArgs.begin(), kRunArgs.end() - 1);  // all but the rdzv value
  words.push_back(rdzv_timeout);
  words.insert(words.end(), {"--work-dir", work});
  return join_quoted(words);
}

/// "" when this host's name resolves (the Slurm tests then leave MASTER_ADDR to trainplan,
/// which takes the first host of SLURM_JOB_NODELIST), else "MASTER_ADDR=127.0.0.1 ".
std::string master_addr_for_slurm() {
  std::string out;
  if (shell("getent hosts \"$(hostname -s)\"", out, 10) == 0) return "";
  MESSAGE(
      "this host's name does not resolve: MASTER_ADDR=127.0.0.1 instead of the node list's host");
  return "MASTER_ADDR=127.0.0.1 ";
}

/// A one-node Slurm cluster under `dir` for the life of this object (slurm_cluster.sh), stopped
/// by the destructor, or by the script's watcher if this process dies first.
struct SlurmCluster {
  std::string dir, conf, skipped, start_log;
  bool started = false;
  explicit SlurmCluster(const std::string& d) : dir(d), conf(d + "/slurm.conf") {
    const int code = shell(quote(kScripts + "/slurm_cluster.sh") + " start " + quote(dir) + " " +
                               std::to_string(getpid()),
                           start_log, 90);
    if (code == 77)
      skipped = start_log;
    else
      started = code == 0;
  }
  ~SlurmCluster() {
    std::string out;
    if (started || skipped.empty())
      shell(quote(kScripts + "/slurm_cluster.sh") + " stop " + quote(dir), out, 60);
  }
  /// COMMAND with this cluster's SLURM_CONF.
  std::string with_conf(const std::string& command) const {
    return "SLURM_CONF=" + quote(conf) + " " + command;
  }
  std::string job_state(const std::string& job) const {
    std::string out;
    shell(with_conf("scontrol show job " + job), out, 20);
    const auto at = out.find("JobState=");
    return at == std::string::npos ? "" : out.substr(at + 9, out.find_first_of(" \n", at) - at - 9);
  }
};

}  // namespace

TEST_CASE("srun -n2 on a one-node Slurm cluster ends with the one-host 2-rank result") {
  const std::string dir = make_temp_dir();
  SlurmCluster cluster(dir + "/slurm");
  if (!cluster.skipped.empty()) return skip(cluster.skipped);
  REQUIRE_MESSAGE(cluster.started, cluster.start_log);
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const auto ref = reference(plan, dir);
  // MASTER_ADDR is left to trainplan: the first host of SLURM_JOB_NODELIST.
  const std::string port = std::to_string(trainplan::executor::free_tcp_port());
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  const int code =
      shell(cluster.with_conf(master_addr_for_slurm() + "MASTER_PORT=" + port +
                              " srun -n2 --time=5 " + trainplan_run(plan, dir + "/srun")),
            out);
  const double took = seconds_since(start);
  REQUIRE_MESSAGE(code == 0, out);
  expect_reference_result(ref, dir + "/srun", "srun -n2");
  MESSAGE("srun -n2 took " << took << " s");
}

TEST_CASE(
    "examples/slurm/train.sbatch on one node: SIGTERM, checkpoint, requeue, --resume, one-host "
    "result") {
  const std::string dir = make_temp_dir();
  SlurmCluster cluster(dir + "/slurm");
  if (!cluster.skipped.empty()) return skip(cluster.skipped);
  REQUIRE_MESSAGE(cluster.started, cluster.start_log);
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const auto ref = reference(plan, dir);
  // A checkpoint every 2 steps (it does not change the training): SIGTERM is sent once the
  // first is written, so that the run is surely past its data checks and training.
  std::string args = "--checkpoint-every 2";
  for (const auto& a : kRunArgs) args += " " + a;
  const std::string work = dir + "/sbatch", job_out = dir + "/job.out";
  // The example script itself, its resources made one node of this machine's CPUs.
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(shell(cluster.with_conf(
                    master_addr_for_slurm() + "PLAN=" + quote(plan) + " WORK_DIR=" + quote(work) +
                    " TRAINPLAN=" + quote(TRAINPLAN_BINARY) + " TRAINPLAN_ARGS=" + quote(args) +
                    " MASTER_PORT=" + std::to_string(trainplan::executor::free_tcp_port()) +
                    " sbatch --parsable --nodes=1 --ntasks-per-node=2 --gpus-per-node=0"
                    " --cpus-per-task=1 --time=10 --output=" +
                    quote(job_out) + " " + quote(kSbatch)),
                out, 30) == 0);
  const std::string job = out.substr(0, out.find_first_of(";\n"));
  // SIGTERM to the tasks, as --signal=TERM@120 sends it before the time limit, once the
  // first checkpoint is written.
  bool signalled = false;
  std::string state;
  while (seconds_since(start) < 150) {
    state = cluster.job_state(job);
    if (state == "COMPLETED" || state == "FAILED" || state == "CANCELLED" || state == "TIMEOUT" ||
        state == "NODE_FAIL" || state.empty())
      break;
    if (!signalled && access((work + "/last_checkpoint").c_str(), F_OK) == 0) {
      REQUIRE(shell(cluster.with_conf("scancel --signal=TERM " + job), out, 20) == 0);
      signalled = true;
      MESSAGE("SIGTERM sent after " << seconds_since(start) << " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const std::string log = file_text(job_out);
  const std::string context = "job " + job + ", state " + state + ", its output:\n" + log;
  REQUIRE_MESSAGE(state == "COMPLETED", context);
  CHECK_MESSAGE(signalled, context);
  // The first start was interrupted and requeued; the second resumed and finished.
  CHECK_MESSAGE(log.find("the ranks exited with 143") != std::string::npos, context);
  CHECK_MESSAGE(log.find("requeueing job " + job) != std::string::npos, context);
  CHECK_MESSAGE(log.find("start 1 on") != std::string::npos, context);
  CHECK_MESSAGE(log.find(" --resume") != std::string::npos, context);
  CHECK_MESSAGE(log.find("the ranks exited with 0") != std::string::npos, context);
  expect_reference_result(ref, work, "sbatch train.sbatch (requeued once)");
  MESSAGE("train.sbatch, interrupted and requeued, took " << seconds_since(start) << " s");
}

TEST_CASE("mpirun -np 2 ends with the one-host 2-rank result") {
  if (!have("mpirun"))
    return skip("mpirun is not installed (Debian: openmpi-bin; scripts/setup-test-tools.sh)");
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const auto ref = reference(plan, dir);
  const std::string port = std::to_string(trainplan::executor::free_tcp_port());
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  // As root Open MPI wants both variables; no binding, so both ranks may use both cores.
  const int code = shell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 "
      "--oversubscribe --bind-to none -x MASTER_ADDR=127.0.0.1 -x MASTER_PORT=" +
          port + " " + trainplan_run(plan, dir + "/mpirun"),
      out);
  const double took = seconds_since(start);
  REQUIRE_MESSAGE(code == 0, out);
  expect_reference_result(ref, dir + "/mpirun", "mpirun -np 2");
  MESSAGE("mpirun -np 2 took " << took << " s");
}

TEST_CASE("two ranks in two network namespaces over a veth pair end with the one-host result") {
  const std::string name = "tp" + std::to_string(getpid());
  const std::string script = quote(kScripts + "/netns_hosts.sh");
  std::string out;
  const int up = shell(script + " up " + name + " " + std::to_string(getpid()), out, 30);
  struct Down {
    std::string command;
    ~Down() {
      std::string ignored;
      shell(command, ignored, 30);
    }
  } down{script + " down " + name};
  if (up == 77) return skip(out);
  REQUIRE_MESSAGE(up == 0, out);
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const auto ref = reference(plan, dir);
  // One rank per "host", as torchrun on two nodes with one process each sets the variables;
  // Gloo bound to the host's veth (GLOO_SOCKET_IFNAME), the store on host 0's address.
  auto rank = [&](int r) {
    return "ip netns exec " + name + "-h" + std::to_string(r) + " env RANK=" + std::to_string(r) +
           " WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 GROUP_RANK=" + std::to_string(r) +
           " MASTER_ADDR=10.211.0.1 MASTER_PORT=29500 GLOO_SOCKET_IFNAME=veth" + std::to_string(r) +
           " " + trainplan_run(plan, dir + "/netns");
  };
  const auto start = std::chrono::steady_clock::now();
  const pid_t r1 = spawn_shell(rank(1), dir + "/host1.log");
  const pid_t r0 = spawn_shell(rank(0), dir + "/host0.log");
  const int code0 = wait_within(r0, 150), code1 = wait_within(r1, 30);
  const double took = seconds_since(start);
  const std::string log0 = file_text(dir + "/host0.log"), log1 = file_text(dir + "/host1.log");
  REQUIRE_MESSAGE(code0 == 0, log0);
  REQUIRE_MESSAGE(code1 == 0, log1);
  expect_reference_result(ref, dir + "/netns", "two namespaces");
  MESSAGE("the two namespaced ranks took " << took << " s");

  // As two machines without a shared disk and without GLOO_SOCKET_IFNAME: each host its own run
  // directory (rank 1 prepares its own data), Gloo on each host's address towards MASTER_ADDR
  // (this machine's name resolves to loopback in both namespaces).
  auto own_disk = [&](int r, const std::string& interface) {
    return "ip netns exec " + name + "-h" + std::to_string(r) + " env RANK=" + std::to_string(r) +
           " WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 GROUP_RANK=" + std::to_string(r) +
           " MASTER_ADDR=10.211.0.1 MASTER_PORT=29501" + interface + " " +
           trainplan_run(plan, dir + "/disk" + std::to_string(r), "5");
  };
  const pid_t d1 = spawn_shell(own_disk(1, ""), dir + "/disk1.log");
  const pid_t d0 = spawn_shell(own_disk(0, ""), dir + "/disk0.log");
  const int disk0 = wait_within(d0, 150), disk1 = wait_within(d1, 30);
  REQUIRE_MESSAGE(disk0 == 0, file_text(dir + "/disk0.log"));
  REQUIRE_MESSAGE(disk1 == 0, file_text(dir + "/disk1.log"));
  CHECK(file_text(dir + "/disk1.log").find("does not share rank 0's run directory") != std::string::npos);
  expect_reference_result(ref, dir + "/disk0", "two namespaces, two disks, no GLOO_SOCKET_IFNAME");

  // Gloo bound to loopback on both hosts: the store answers, the direct connections cannot;
  // both ranks end within --rdzv-timeout (5 s) + 2 s and say why.
  const auto wrong_start = std::chrono::steady_clock::now();
  const pid_t w1 = spawn_shell(own_disk(1, " GLOO_SOCKET_IFNAME=lo"), dir + "/wrong1.log");
  const pid_t w0 = spawn_shell(own_disk(0, " GLOO_SOCKET_IFNAME=lo"), dir + "/wrong0.log");
  const int wrong0 = wait_within(w0, 60), wrong1 = wait_within(w1, 60);
  const double wrong_took = seconds_since(wrong_start);
  const std::string wrong_log = file_text(dir + "/wrong0.log") + file_text(dir + "/wrong1.log");
  CAPTURE(wrong_log);
  CHECK(wrong0 == 1);
  CHECK(wrong1 == 1);
  CHECK(wrong_log.find("Gloo connects every pair of ranks directly") != std::string::npos);
  CHECK(wrong_took < 5 + 2 + 10);
  MESSAGE("Gloo bound to loopback across two hosts failed after " << wrong_took << " s");
}
