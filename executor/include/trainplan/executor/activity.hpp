#pragma once
// What this rank's main thread is doing now: a phase and a progress counter that the training
// loop advances. The heartbeat (heartbeat.hpp) publishes it, so that a rank stuck outside a
// collective (in its data loader, in a deadlock) is named by rank and phase instead of
// leaving its peers waiting (no LibTorch here).
#include <cstdint>
#include <string>

namespace trainplan::executor {

/// The phases a rank reports. Only `collective` waits on other ranks: a rank in it is never
/// the one that hangs (the collective's own --timeout bounds it).
enum class Phase {
  starting,
  preparing_data,       ///< checking or writing the data before training
  loading_annotations,  ///< reading a stage's annotation files
  loader,               ///< waiting for the next batch from the data loader
  compute,              ///< forward, backward, optimizer step
  evaluation,
  checkpoint,           ///< writing or reading a checkpoint
  collective,           ///< in an all-reduce, broadcast or barrier with the other ranks
  finished,
};

/// "loader", "compute", ... (as heartbeats and hang reports print them).
const char* phase_name(Phase phase);

/// The phase named `name`, or Phase::starting for an unknown name.
Phase phase_from_name(const std::string& name);

/// Enters `phase` (counts as progress).
void enter_phase(Phase phase);

/// Counts one unit of progress within the current phase (a batch evaluated, a step).
void note_progress();

/// Where in the plan this rank is: shown with its phase.
void note_position(const std::string& stage, int64_t step);

/// This rank's activity as the heartbeat sends it.
struct ActivitySnapshot {
  Phase phase = Phase::starting;
  uint64_t progress = 0;  ///< grows whenever the main thread moves on
  std::string stage;
  int64_t step = 0;
};

/// The current activity (any thread).
ActivitySnapshot current_activity();

/// Enters a phase for a scope and returns to the previous one at its end.
class ScopedPhase {
 public:
  explicit ScopedPhase(Phase phase);
  ~ScopedPhase();
  ScopedPhase(const ScopedPhase&) = delete;
  ScopedPhase& operator=(const ScopedPhase&) = delete;

 private:
  Phase previous_;
};

}  // namespace trainplan::executor
