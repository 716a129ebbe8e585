// Rendezvous failures end the run within --rdzv-timeout with a message that names the address
// and port, or the ranks that never joined (issue 11).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>

#include "run_support.hpp"
#include "trainplan/executor/launcher.hpp"

using run_test::exit_code_of;
using run_test::file_text;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("an unreachable MASTER_ADDR and a rank that never joins are named within --rdzv-timeout") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::string port = std::to_string(trainplan::executor::free_tcp_port());
  std::string out, err;
  auto start = std::chrono::steady_clock::now();
  // Rank 1 of 2, told to meet at an address where no store listens.
  int code = run_test::run_with_env({"run", plan, "--scale-to-local", "--rdzv-timeout", "3",
                                     "--work-dir", dir + "/w1"},
                                    {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.2"},
                                     {"MASTER_PORT", port}},
                                    out, err);
  double took = seconds_since(start);
  CAPTURE(err);
  CHECK(code == 1);
  CHECK(err.find("127.0.0.2:" + port) != std::string::npos);
  CHECK(took < 3 + 10);
  // Rank 0 of 3 alone: ranks 1 and 2 are named.
  start = std::chrono::steady_clock::now();
  code = run_test::run_with_env({"run", plan, "--scale-to-local", "--rdzv-timeout", "3",
                                 "--global-batch", "6", "--work-dir", dir + "/w0"},
                                {{"RANK", "0"}, {"WORLD_SIZE", "3"}, {"MASTER_ADDR", "127.0.0.1"},
                                 {"MASTER_PORT", port}},
                                out, err);
  took = seconds_since(start);
  CAPTURE(err);
  CHECK(code == 1);
  CHECK(err.find("ranks 1, 2 never joined") != std::string::npos);
  CHECK(took < 3 + 10);
  MESSAGE("a lone rank 0 of 3 gave up after " << took << " s with --rdzv-timeout 3");
}

TEST_CASE("under torchrun's variables the ranks join first, then wait for rank 0's data checks") {
  // Two ranks started as torchrun starts them, with a collective --timeout of 1 s: both join
  // the store first, then rank 0 writes and checks the scaled data sets while rank 1 waits in
  // a barrier bounded by --rdzv-timeout, not by --timeout.
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  const std::string port = std::to_string(trainplan::executor::free_tcp_port());
  const std::vector<std::string> args = {"run", plan, "--scale-to-local", "--global-batch", "8",
                                         "--max-steps", "2", "--timeout", "1", "--rdzv-timeout", "60",
                                         "--work-dir", dir + "/w"};
  auto env = [&](int rank) {
    return std::map<std::string, std::string>{{"RANK", std::to_string(rank)}, {"WORLD_SIZE", "2"},
                                              {"LOCAL_RANK", std::to_string(rank)},
                                              {"LOCAL_WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"},
                                              {"MASTER_PORT", port}};
  };
  const auto start = std::chrono::steady_clock::now();
  const pid_t rank1 = run_test::spawn_trainplan(args, env(1), dir + "/rank1.log");
  const pid_t rank0 = run_test::spawn_trainplan(args, env(0), dir + "/rank0.log");
  const int code0 = exit_code_of(rank0), code1 = exit_code_of(rank1);
  const std::string log0 = file_text(dir + "/rank0.log"), log1 = file_text(dir + "/rank1.log");
  CAPTURE(log0);
  CAPTURE(log1);
  CHECK(code0 == 0);
  CHECK(code1 == 0);
  MESSAGE("two torchrun-style ranks finished in " << seconds_since(start) << " s");
}
