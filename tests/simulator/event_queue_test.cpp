// The event core: integer time, FIFO order among events due at the same time, and a clock
// that never goes backwards.
#include "trainplan/costmodel/event_queue.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using trainplan::costmodel::EventQueue;
using trainplan::costmodel::TimeNs;

TEST_CASE("events come out by time, and in scheduling order on ties") {
  EventQueue<int> q;
  q.schedule(30, 1);
  q.schedule(10, 2);
  q.schedule(30, 3);
  q.schedule(10, 4);
  q.schedule(20, 5);
  q.schedule(30, 6);
  std::vector<int> order;
  std::vector<TimeNs> times;
  while (!q.empty()) {
    auto e = q.pop();
    order.push_back(e.payload);
    times.push_back(q.now());
  }
  CHECK(order == std::vector<int>{2, 4, 5, 1, 3, 6});
  CHECK(times == std::vector<TimeNs>{10, 10, 20, 30, 30, 30});
}

TEST_CASE("ties stay FIFO among many events and events scheduled while running") {
  EventQueue<int> q;
  for (int i = 0; i < 1000; ++i) q.schedule(5, i);
  int expected = 0;
  while (!q.empty()) {
    auto e = q.pop();
    CHECK(e.payload == expected++);
    // An event scheduled "now" runs after those already due now.
    if (e.payload == 0) q.schedule_after(0, 1000);
  }
  CHECK(expected == 1001);
}

TEST_CASE("the clock is monotonic: scheduling in the past throws") {
  EventQueue<int> q;
  q.schedule(100, 1);
  q.pop();
  CHECK(q.now() == 100);
  CHECK_THROWS_AS(q.schedule(99, 2), std::logic_error);
  CHECK_NOTHROW(q.schedule(100, 3));
  CHECK(q.pop().time == 100);
}

TEST_CASE("reset empties the queue and restarts the clock and the tie order") {
  EventQueue<int> q;
  q.schedule(7, 1);
  q.schedule(9, 2);
  q.pop();
  q.reset();
  CHECK(q.empty());
  CHECK(q.now() == 0);
  q.schedule(0, 3);
  CHECK(q.pop().sequence == 0);
}

TEST_CASE("seconds convert to the nearest nanosecond") {
  using trainplan::costmodel::ns_to_seconds;
  using trainplan::costmodel::seconds_to_ns;
  CHECK(seconds_to_ns(1.5) == 1'500'000'000);
  CHECK(seconds_to_ns(2.0000000004) == 2'000'000'000);
  CHECK(seconds_to_ns(2.0000000006) == 2'000'000'001);
  CHECK(ns_to_seconds(250'000'000) == doctest::Approx(0.25));
  // A week of simulated time is far inside int64 nanoseconds.
  CHECK(seconds_to_ns(7 * 86400.0) == 604'800'000'000'000LL);
}
