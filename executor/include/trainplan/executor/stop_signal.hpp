#pragma once
// SIGINT and SIGTERM (Ctrl-C, scancel, timeout, a scheduler's preemption) as a request to stop:
// a worker finishes the step it is in, writes a checkpoint at that exact position and exits
// with 128 + the signal; a launcher forwards the signal to its workers (no LibTorch here).
#include <stdexcept>
#include <string>

namespace trainplan::executor {

/// Records SIGINT and SIGTERM instead of dying on them. Idempotent.
void install_stop_handlers();

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
