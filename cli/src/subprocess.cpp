#include "subprocess.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "trainplan/error.hpp"

namespace trainplan::cli {

std::string executor_program() {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  const fs::path program = self.parent_path() / "trainplan-executor";
  if (error || !fs::exists(program))
    throw RunError(fmt::format("the executor program {} is missing: it needs LibTorch; "
                               "scripts/setup.sh installs libtorch-dev and builds it",
                               program.string()));
  return program.string();
}

int run_program(const std::vector<std::string>& argv, const std::string& log, std::string* captured) {
  int pipe_fds[2] = {-1, -1};
  if (captured && pipe(pipe_fds) != 0)
    throw RunError(fmt::format("cannot start {}: {}", argv[0], std::strerror(errno)));
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw RunError(fmt::format("cannot start {}: {}", argv[0], std::strerror(errno)));
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) dup2(fd, STDERR_FILENO);
    if (captured) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
    } else if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
    }
    execv(raw[0], raw.data());
    _exit(127);
  }
  if (captured) {
    close(pipe_fds[1]);
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      captured->append(buffer, size_t(n));
    }
    close(pipe_fds[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace trainplan::cli
