#include "trainplan/executor/error_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>

#include "trainplan/atomic_file.hpp"

namespace trainplan::executor {

void record_error_for_launcher(const std::string& kind, const std::string& message) {
  const char* path = std::getenv("TORCHELASTIC_ERROR_FILE");
  if (!path || !*path) return;
  // The layout torch.distributed.elastic's ErrorHandler writes and its agent reads.
  const nlohmann::json error = {
      {"message",
       {{"message", kind + ": " + message},
        {"extraInfo", {{"py_callstack", ""}, {"timestamp", std::to_string(std::time(nullptr))}}}}}};
  try {
    write_file_atomically(path, error.dump());
  } catch (const std::exception&) {
    // The error itself is already on stderr; the file is a courtesy to torchrun.
  }
}

}  // namespace trainplan::executor
