#pragma once
// A small deterministic discrete-event queue: integer nanosecond time, a binary heap keyed on
// (time, sequence number) so that events due at the same time come out in the order they were
// scheduled (FIFO), and a clock that never goes backwards. Modelled on ASTRA-sim's
// common/EventQueue.h; the plan simulator (simulation.hpp) runs on it.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace trainplan::costmodel {

/// Simulated time in nanoseconds since the plan's start. Integer time makes event order exact
/// (no two runs differ by rounding) and an int64 spans 292 years.
using TimeNs = std::int64_t;

/// Nanoseconds in one second.
constexpr TimeNs kNsPerSecond = 1'000'000'000;

/// Converts seconds to the nearest nanosecond.
inline TimeNs seconds_to_ns(double seconds) {
  return TimeNs(seconds * 1e9 + (seconds >= 0 ? 0.5 : -0.5));
}

/// Converts nanoseconds to seconds (a division, so whole seconds come back exact).
inline double ns_to_seconds(TimeNs ns) { return double(ns) / 1e9; }

/// A queue of events carrying a `Payload` (a small copyable struct).
template <class Payload>
class EventQueue {
 public:
  /// One scheduled event.
  struct Event {
    TimeNs time = 0;
    std::uint64_t sequence = 0;  ///< order of scheduling; breaks ties FIFO
    Payload payload{};
  };

  /// The current time: the time of the last event taken (0 before the first).
  TimeNs now() const { return now_; }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }

  /// Schedules `payload` at absolute time `at`. Scheduling in the past is a bug in the caller
  /// (the clock is monotonic), so it throws std::logic_error rather than reorder time.
  void schedule(TimeNs at, const Payload& payload) {
    if (at < now_)
      throw std::logic_error("EventQueue: event scheduled at " + std::to_string(at) +
                             " ns, before the current time " + std::to_string(now_) + " ns");
    heap_.push_back(Event{at, next_sequence_++, payload});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  /// Schedules `payload` `delay` nanoseconds from now (delay >= 0).
  void schedule_after(TimeNs delay, const Payload& payload) { schedule(now_ + delay, payload); }

  /// Takes the earliest event (FIFO among equal times) and advances the clock to it.
  /// Precondition: !empty().
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Event event = heap_.back();
    heap_.pop_back();
    now_ = event.time;
    return event;
  }

  /// Empties the queue and sets the clock to 0, keeping the heap's memory (one queue serves
  /// many Monte Carlo runs without allocating).
  void reset() {
    heap_.clear();
    now_ = 0;
    next_sequence_ = 0;
  }

 private:
  // std::push_heap builds a max-heap; "later" as the less-than puts the earliest on top.
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
    }
  };

  std::vector<Event> heap_;
  TimeNs now_ = 0;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace trainplan::costmodel
