#include "trainplan/executor/root_cause.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace trainplan::executor {

std::vector<RankError> read_rank_errors(const std::vector<std::string>& paths) {
  std::vector<RankError> errors;
  for (size_t rank = 0; rank < paths.size(); ++rank) {
    std::ifstream in(paths[rank]);
    if (!in) continue;
    try {
      const auto file = nlohmann::json::parse(in);
      const auto& message = file.at("message");
      const auto& extra = message.at("extraInfo");
      RankError e;
      e.rank = int(rank);
      e.message = message.at("message").get<std::string>();
      e.kind = extra.value("kind", "");
      // The message starts with "<kind>: " (torchrun shows only the message).
      if (!e.kind.empty() && e.message.rfind(e.kind + ": ", 0) == 0)
        e.message = e.message.substr(e.kind.size() + 2);
      e.time_ms = extra.value("timestamp_ms", int64_t(0));
      if (e.time_ms == 0) e.time_ms = std::stoll(extra.value("timestamp", "0")) * 1000;
      errors.push_back(e);
    } catch (const std::exception&) {
      // A file cut by a kill, or another program's: the log tail still tells.
    }
  }
  return errors;
}

std::optional<RankError> root_cause(const std::vector<RankError>& errors) {
  if (errors.empty()) return std::nullopt;
  // A peer failure is a consequence by construction, so it loses to any other error whatever
  // the clocks say: the failing rank records its error only after unwinding, which closes its
  // sockets, and its peers may record theirs first.
  auto before = [](const RankError& a, const RankError& b) {
    const bool a_peer = a.kind == "PeerFailure", b_peer = b.kind == "PeerFailure";
    if (a_peer != b_peer) return b_peer;
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.rank < b.rank;
  };
  return *std::min_element(errors.begin(), errors.end(), before);
}

}  // namespace trainplan::executor
