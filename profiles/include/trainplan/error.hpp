#pragma once
// The project's one exception hierarchy. The library never prints and never exits; the CLI
// maps these to exit codes (DESIGN 3.9): InputError -> 2, RunError -> 1.
#include <stdexcept>
#include <string>

namespace trainplan {

/// Base of every error trainplan throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input from the user: a flag, a profile, a plan, a question. The message names the
/// file or flag, the field or JSON path, the bad value and what is accepted. Exit code 2.
class InputError : public Error {
 public:
  using Error::Error;
};

/// A failure while doing the work (a run that crashed, a collective that timed out). Exit 1.
class RunError : public Error {
 public:
  using Error::Error;
};

/// A collective that failed because a peer went away or hung: a consequence of another rank's
/// failure, which the launcher reports as the cause (executor/root_cause.hpp). Exit 1.
class PeerFailure : public RunError {
 public:
  using RunError::RunError;
};

}  // namespace trainplan
