#include "trainplan/executor/stop_signal.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <string.h>

#include <unistd.h>

#include <atomic>

namespace trainplan::executor {

namespace {

std::atomic<int> first_signal{0};
std::atomic<int> signal_count{0};
std::atomic<bool> deferred{false};

// Async-signal-safe: atomics and _exit.
void record(int signal) {
  if (!deferred.load()) _exit(128 + signal);
  int expected = 0;
  first_signal.compare_exchange_strong(expected, signal);
  signal_count.fetch_add(1);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = record;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a launcher blocked in waitpid wakes up to forward the signal.
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void set_stop_deferred(bool value) { deferred = value; }

int stop_signal() { return first_signal.load(); }

int stop_signal_count() { return signal_count.load(); }

void reset_stop_signal() {
  first_signal = 0;
  signal_count = 0;
}

StopRequested::StopRequested(int signal, std::string where)
    : std::runtime_error(std::move(where)), signal_(signal) {}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : fmt::format("signal {}", signal);
}

}  // namespace trainplan::executor
