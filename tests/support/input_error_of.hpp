#pragma once
// Helpers for tests of bad input: the message an InputError carries, and substring checks.
#include <string>

#include "trainplan/error.hpp"

namespace trainplan::testing {

/// The message of the InputError `f` throws, or a marker when it throws nothing.
template <typename F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

/// Whether `text` contains `part`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace trainplan::testing
