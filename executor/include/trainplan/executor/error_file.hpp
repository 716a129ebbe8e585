#pragma once
// torchrun's error file: when TORCHELASTIC_ERROR_FILE is set, a failing worker writes its error
// there as JSON, and torchrun's failure summary shows it instead of "<N/A>" (no LibTorch here).
#include <string>

namespace trainplan::executor {

/// Writes {"message": {"message": "<kind>: <message>", "extraInfo": {"py_callstack": "",
/// "timestamp": "<unix seconds>", "timestamp_ms": <unix ms>, "kind": "<kind>"}}} to
/// $TORCHELASTIC_ERROR_FILE (atomically) when it is set;
/// does nothing otherwise, and never throws.
void record_error_for_launcher(const std::string& kind, const std::string& message);

}  // namespace trainplan::executor
