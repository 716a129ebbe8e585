#pragma once
// Hang detection: every rank sends its activity (activity.hpp) through the job's rendezvous
// store; rank 0 watches them all. A rank that makes no progress outside a collective for
// --hang-timeout, or that stops sending heartbeats, is reported by rank and phase to every
// rank, and every rank ends with exit 1 (a hung rank cannot end itself: its heartbeat thread
// does). Ranks waiting in a collective are never blamed: they wait for the hung one.
#include <memory>
#include <string>

#include "trainplan/executor/world_info.hpp"

namespace trainplan::executor {

/// How long a rank may stay without progress.
struct HeartbeatOptions {
  /// A rank outside a collective without progress for this long hangs.
  double hang_timeout_seconds = 45;
  /// The limit for the phases that may legitimately take long without a progress mark
  /// (preparing data, loading annotations): the time peers wait at the rendezvous.
  double startup_timeout_seconds = 300;
  /// Seconds between heartbeats; 0 = a sixth of the hang timeout, within [0.2, 5].
  double interval_seconds = 0;
  /// Rank 0 writes what it sees of every rank here at each heartbeat (for `trainplan status`);
  /// empty = nowhere.
  std::string health_path;
};

/// Sends heartbeats from a background thread while it exists (rank 0 also watches).
class HeartbeatMonitor {
 public:
  /// Connects its own client to the store at world.master_addr:master_port.
  HeartbeatMonitor(const WorldInfo& world, const HeartbeatOptions& options);
  /// Sends a last heartbeat in phase `finished` and stops the thread.
  ~HeartbeatMonitor();
  HeartbeatMonitor(const HeartbeatMonitor&) = delete;
  HeartbeatMonitor& operator=(const HeartbeatMonitor&) = delete;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace trainplan::executor
