#include "trainplan/executor/error_file.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>

#include "trainplan/atomic_file.hpp"

namespace trainplan::executor {

void record_error_for_launcher(const std::string& kind, const std::string& message) {
  const char* path = std::getenv("TORCHELASTIC_ERROR_FILE");
  if (!path || !*path) return;
  using namespace std::chrono;
  const int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  // The layout torch.distributed.elastic's ErrorHandler writes and its agent reads; "kind" and
  // "timestamp_ms" are ours (torchrun ignores them), for telling a root cause from its echoes.
  const nlohmann::json error = {
      {"message",
       {{"message", kind + ": " + message},
        {"extraInfo",
         {{"py_callstack", ""},
          {"timestamp", std::to_string(now_ms / 1000)},
          {"timestamp_ms", now_ms},
          {"kind", kind}}}}}};
  try {
    write_file_atomically(path, error.dump());
  } catch (const std::exception&) {
    // The error itself is already on stderr; the file is a courtesy to torchrun.
  }
}

}  // namespace trainplan::executor
