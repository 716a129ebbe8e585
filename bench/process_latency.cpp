// bench/process_latency: wall time of a whole trainplan process, run N times.
// Usage: process_latency N TARGET_MS -- COMMAND [ARGS...]
// Prints each run and the median; the last line says OK when the median is under TARGET_MS.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  int sep = 1;
  while (sep < argc && std::strcmp(argv[sep], "--") != 0) ++sep;
  if (sep < 3 || sep + 1 >= argc) {
    fmt::print(stderr, "usage: process_latency N TARGET_MS -- COMMAND [ARGS...]\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  const double target_ms = std::atof(argv[2]);
  char** command = argv + sep + 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The command's own output is not what is measured; send it to /dev/null.
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawn(&pid, command[0], &actions, nullptr, command, environ) != 0) {
      fmt::print(stderr, "cannot start {}\n", command[0]);
      return 2;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fmt::print(stderr, "{} failed (status {})\n", command[0], status);
      return 1;
    }
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::string cmd;
  for (char** a = command; *a; ++a) cmd += std::string(a == command ? "" : " ") + *a;
  fmt::print("runs {}  min {:.1f} ms  median {:.1f} ms  p90 {:.1f} ms  max {:.1f} ms\n", runs,
             sorted.front(), median, sorted[sorted.size() * 9 / 10], sorted.back());
  fmt::print("{}: median {:.1f} ms for `{}` (target < {:g} ms)\n",
             median < target_ms ? "OK" : "FAILED", median, cmd, target_ms);
  return median < target_ms ? 0 : 1;
}
