#pragma once
// A temporary directory for one test, removed with everything in it when the test ends (a demo
// run leaves about 40 MB of data and checkpoints).
#include <filesystem>
#include <string>

#include "support/cli_harness.hpp"

/// make_temp_dir() that cleans up after itself.
struct ScratchDir {
  std::string path = make_temp_dir();
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};
