#pragma once
// Which rank's failure caused the others: when one rank fails, its peers fail too (a closed
// connection, a timed-out collective) and may exit first. Like torchrun's "Root Cause (first
// observed failure)", the launcher reads every rank's error file and reports the first failure
// that was not a peer's consequence.
#include <optional>
#include <string>
#include <vector>

namespace trainplan::executor {

/// One rank's error file, as record_error_for_launcher() wrote it.
struct RankError {
  int rank = -1;
  std::string kind;       ///< "InputError", "RunError", "PeerFailure", "HangDetected", ...
  std::string message;    ///< without the kind
  int64_t time_ms = 0;    ///< when it was recorded (unix milliseconds)
};

/// Reads rank r's error file for every path in `paths` (index = rank); missing or unreadable
/// files are left out.
std::vector<RankError> read_rank_errors(const std::vector<std::string>& paths);

/// The root cause among `errors`: the earliest failure that is not a PeerFailure (a collective
/// that failed because a peer went away), else the earliest of all; nothing when empty.
std::optional<RankError> root_cause(const std::vector<RankError>& errors);

}  // namespace trainplan::executor
