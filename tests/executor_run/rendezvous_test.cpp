// Rendezvous failures end the run within --rdzv-timeout with a message that names the address
// and port, or the ranks that never joined (issue 11).
#include <chrono>

#include "run_support.hpp"
#include "trainplan/executor/launcher.hpp"

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
