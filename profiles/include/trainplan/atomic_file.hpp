#pragma once
// Files are never half-written: content goes to a temporary file beside the target, is
// fsynced, then renamed over it (rename is atomic within a file system).
#include <string>

namespace trainplan {

/// Writes `contents` to `path` atomically; throws RunError naming the path on failure and
/// removes the temporary file.
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace trainplan
