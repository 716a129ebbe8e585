#pragma once
// SIGINT and SIGTERM (Ctrl-C, scancel, timeout, a scheduler's preemption) as a request to stop:
// a worker finishes the step it is in, writes a checkpoint at that exact position and exits
// with 128 + the signal; a launcher forwards the signal to its workers (no LibTorch here).
#include <stdexcept>
#include <string>

namespace trainplan::executor {

/// Installs the SIGINT/SIGTERM handlers. Until set_stop_deferred(true), a stop signal ends the
/// process at once with 128 + the signal (nothing to save yet: data checks, rendezvous); after
/// it, the signal is recorded for the training loop or the launcher to act on. Idempotent.
void install_stop_handlers();

/// Whether a stop signal waits for a safe point (a step boundary, the launcher's loop).
void set_stop_deferred(bool deferred);

/// The first stop signal received (SIGINT or SIGTERM), or 0.
int stop_signal();

/// How many stop signals arrived (a second SIGINT means "now").
int stop_signal_count();

/// Clears the record (tests).
void reset_stop_signal();

/// Thrown by a worker that stopped on a signal after writing its checkpoint.
class StopRequested : public std::runtime_error {
 public:
  StopRequested(int signal, std::string where);
  int signal() const { return signal_; }

 private:
  int signal_;
};

/// "SIGTERM", "SIGINT", or "signal N".
std::string signal_name(int signal);

}  // namespace trainplan::executor
