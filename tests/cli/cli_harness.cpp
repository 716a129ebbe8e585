// Runs the built `trainplan` (TRAINPLAN_BINARY) as a user would, capturing stdout, stderr and
// the exit code through files in a private temporary directory. The test files declare the
// three functions below themselves (they are the whole interface).
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char ch : arg) {
    if (ch == '\'')
      quoted += "'\\''";
    else
      quoted += ch;
  }
  return quoted + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

// Directories made by write_temp_file, removed when the test program exits.
struct TempDirs {
  std::vector<std::string> paths;
  ~TempDirs() {
    std::error_code ignored;
    for (const auto& p : paths) std::filesystem::remove_all(p, ignored);
  }
};
TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

// A fresh directory under $TMPDIR (or /tmp), unique to this call.
std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/trainplan-cli-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  return buffer.data();
}

// Writes `text` to `name` in a fresh temporary directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text) {
  const std::string dir = make_temp_dir();
  temp_dirs().paths.push_back(dir);
  std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

// Runs trainplan with `args`; returns the exit code (-1 when it did not exit normally).
int run_trainplan(const std::vector<std::string>& args, std::string& out, std::string& err) {
  const std::string dir = make_temp_dir();
  std::string command = shell_quote(TRAINPLAN_BINARY);
  for (const auto& arg : args) command += " " + shell_quote(arg);
  command += " </dev/null >" + shell_quote(dir + "/stdout") + " 2>" + shell_quote(dir + "/stderr");
  const int status = std::system(command.c_str());
  out = slurp(dir + "/stdout");
  err = slurp(dir + "/stderr");
  std::remove((dir + "/stdout").c_str());
  std::remove((dir + "/stderr").c_str());
  ::rmdir(dir.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}
