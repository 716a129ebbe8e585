// Heartbeats through the c10d store: key trainplan/heartbeat/<rank> holds
// "<beat> <progress> <phase> <step> <stage>"; key trainplan/abort holds rank 0's hang report.
#include "trainplan/executor/heartbeat.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "trainplan/atomic_file.hpp"
#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/error_file.hpp"

namespace trainplan::executor {

namespace {

using Clock = std::chrono::steady_clock;

const std::string kAbortKey = "trainplan/abort";
std::string heartbeat_key(int rank) { return "trainplan/heartbeat/" + std::to_string(rank); }

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

// What rank 0 last saw of one rank, with its own clock (hosts' clocks differ).
struct Seen {
  bool ever = false;
  uint64_t beat = 0, progress = 0;
  Phase phase = Phase::starting;
  int64_t step = 0;
  std::string stage;
  Clock::time_point beat_changed, progress_changed;
};

std::string where(const Seen& s) {
  if (s.stage.empty()) return fmt::format("phase \"{}\"", phase_name(s.phase));
  return fmt::format("phase \"{}\" (stage \"{}\", step {})", phase_name(s.phase), s.stage, s.step);
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

struct HeartbeatMonitor::State {
  WorldInfo world;
  HeartbeatOptions options;
  std::chrono::milliseconds interval{1000};
  c10::intrusive_ptr<c10d::TCPStore> store;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  uint64_t beat = 0;
  std::vector<Seen> seen;
  Clock::time_point started = Clock::now();
  std::thread thread;

  void send(Phase override_phase, bool use_override) {
    ActivitySnapshot a = current_activity();
    if (use_override) a.phase = override_phase;
    store->set(heartbeat_key(world.rank),
               bytes(fmt::format("{} {} {} {} {}", ++beat, a.progress, int(a.phase), a.step, a.stage)));
  }

  // Ends this process when rank 0 has reported a hang.
  void obey_abort() {
    if (!store->check({kAbortKey})) return;
    const std::string report = text(store->get(kAbortKey));
    std::fprintf(stderr, "trainplan: rank %d: ending the run: %s\n", world.rank, report.c_str());
    record_error_for_launcher("HangDetected", report);
    std::fflush(stderr);
    std::fflush(stdout);
    _exit(1);
  }

  // Rank 0: reads every heartbeat; returns a report when a rank hangs.
  std::string find_hang() {
    const auto now = Clock::now();
    for (int r = 0; r < world.world_size; ++r) {
      Seen& s = seen[r];
      if (store->check({heartbeat_key(r)})) {
        std::istringstream in(text(store->get(heartbeat_key(r))));
        uint64_t beat = 0, progress = 0;
        int phase = 0;
        int64_t step = 0;
        std::string stage;
        in >> beat >> progress >> phase >> step;
        std::getline(in >> std::ws, stage);
        if (!s.ever || beat != s.beat) s.beat_changed = now;
        if (!s.ever || progress != s.progress) s.progress_changed = now;
        s.ever = true;
        s.beat = beat;
        s.progress = progress;
        s.phase = Phase(std::clamp(phase, 0, int(Phase::finished)));
        s.step = step;
        s.stage = stage;
      }
      if (s.phase == Phase::finished) continue;
      const bool starting_up = s.phase == Phase::preparing_data ||
                               s.phase == Phase::loading_annotations || s.phase == Phase::starting;
      const double limit = starting_up ? std::max(options.hang_timeout_seconds,
                                                  options.startup_timeout_seconds)
                                       : options.hang_timeout_seconds;
      const double silent = seconds(now - (s.ever ? s.beat_changed : started));
      if (silent > limit)
        return fmt::format("rank {} sent no heartbeat for {:.0f} s (last seen in {}): the process "
                           "is stopped, or its host is unreachable",
                           r, silent, s.ever ? where(s) : "no heartbeat ever");
      const double still = seconds(now - s.progress_changed);
      if (s.ever && s.phase != Phase::collective && still > limit)
        return fmt::format("rank {} hangs: in {} for {:.0f} s without progress (--hang-timeout "
                           "{:g} s) while the other ranks wait for it",
                           r, where(s), still, limit);
    }
    return "";
  }

  // Rank 0: what it last saw of every rank, for `trainplan status` in another terminal.
  void write_health() {
    if (options.health_path.empty()) return;
    const auto now = Clock::now();
    nlohmann::ordered_json ranks = nlohmann::json::array();
    for (int r = 0; r < world.world_size; ++r) {
      const Seen& s = seen[r];
      nlohmann::ordered_json j;
      j["rank"] = r;
      j["phase"] = s.ever ? phase_name(s.phase) : "no heartbeat yet";
      j["stage"] = s.stage;
      j["step"] = s.step;
      j["heartbeat_age_s"] = seconds(now - (s.ever ? s.beat_changed : started));
      j["progress_age_s"] = seconds(now - (s.ever ? s.progress_changed : started));
      ranks.push_back(j);
    }
    nlohmann::ordered_json health;
    health["updated"] = std::chrono::duration<double>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    health["interval_s"] = seconds(interval);
    health["hang_timeout_s"] = options.hang_timeout_seconds;
    health["ranks"] = ranks;
    write_file_atomically(options.health_path, health.dump() + "\n");
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      lock.unlock();
      try {
        send(Phase::starting, false);
        obey_abort();
        if (world.rank == 0) {
          const std::string report = find_hang();
          write_health();
          if (!report.empty()) {
            store->set(kAbortKey, bytes(report));
            std::fprintf(stderr, "trainplan: hang detected: %s; ending the run (exit 1)\n",
                         report.c_str());
            record_error_for_launcher("HangDetected", report);
            std::fflush(stderr);
            // The other ranks read the report at their next heartbeat, then end.
            std::this_thread::sleep_for(2 * interval + std::chrono::milliseconds(200));
            std::fflush(stdout);
            _exit(1);
          }
        }
      } catch (const std::exception&) {
        // The store is gone (rank 0 ended, or its host): the collectives' own timeouts and
        // the launcher report that; heartbeats are best effort.
      }
      lock.lock();
      wake.wait_for(lock, interval, [this] { return stopping; });
    }
  }
};

HeartbeatMonitor::HeartbeatMonitor(const WorldInfo& world, const HeartbeatOptions& options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.world = world;
  s.options = options;
  double interval = options.interval_seconds > 0 ? options.interval_seconds
                                                 : std::clamp(options.hang_timeout_seconds / 6, 0.2, 5.0);
  s.interval = std::chrono::milliseconds(int64_t(interval * 1000));
  s.seen.resize(size_t(world.world_size));
  c10d::TCPStoreOptions o;
  o.port = uint16_t(world.master_port);
  o.isServer = false;
  o.waitWorkers = false;
  o.timeout = std::chrono::seconds(30);
  s.store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, o);
  s.thread = std::thread([&s] { s.run(); });
}

HeartbeatMonitor::~HeartbeatMonitor() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
  try {
    state_->send(Phase::finished, true);
  } catch (const std::exception&) {
  }
}

}  // namespace trainplan::executor
