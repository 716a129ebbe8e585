#include "trainplan/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "trainplan/error.hpp"

namespace trainplan {

namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& what, const std::string& path, const std::string& tmp) {
  int error = errno;
  if (!tmp.empty()) ::unlink(tmp.c_str());
  throw RunError(fmt::format("{}: cannot {}: {}", path, what, std::strerror(error)));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& contents) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create a temporary file", path, "");
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("write", path, tmp);
    }
    written += size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync", path, tmp);
  }
  if (::close(fd) != 0) fail("close", path, tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename the temporary file", path, tmp);
  // Make the rename itself durable.
  int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace trainplan
