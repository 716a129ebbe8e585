#include "trainplan/executor/activity.hpp"

#include <atomic>
#include <mutex>

namespace trainplan::executor {

namespace {

// Written by the main thread, read by the heartbeat thread.
std::atomic<int> g_phase{int(Phase::starting)};
std::atomic<uint64_t> g_progress{0};
std::atomic<int64_t> g_step{0};
std::mutex g_stage_mutex;
std::string g_stage;

constexpr const char* kNames[] = {"starting",   "preparing data", "loading annotations",
                                  "loader",     "compute",        "evaluation",
                                  "checkpoint", "collective",     "finished"};

}  // namespace

const char* phase_name(Phase phase) { return kNames[int(phase)]; }

Phase phase_from_name(const std::string& name) {
  for (int i = 0; i < int(std::size(kNames)); ++i)
    if (name == kNames[i]) return Phase(i);
  return Phase::starting;
}

void enter_phase(Phase phase) {
  g_phase.store(int(phase));
  g_progress.fetch_add(1);
}

void note_progress() { g_progress.fetch_add(1); }

void note_position(const std::string& stage, int64_t step) {
  {
    std::lock_guard<std::mutex> lock(g_stage_mutex);
    g_stage = stage;
  }
  g_step.store(step);
  g_progress.fetch_add(1);
}

ActivitySnapshot current_activity() {
  ActivitySnapshot s;
  s.phase = Phase(g_phase.load());
  s.progress = g_progress.load();
  s.step = g_step.load();
  std::lock_guard<std::mutex> lock(g_stage_mutex);
  s.stage = g_stage;
  return s;
}

ScopedPhase::ScopedPhase(Phase phase) : previous_(Phase(g_phase.load())) { enter_phase(phase); }

ScopedPhase::~ScopedPhase() { enter_phase(previous_); }

}  // namespace trainplan::executor
