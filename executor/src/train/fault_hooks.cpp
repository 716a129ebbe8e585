#include "fault_hooks.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace trainplan::executor {

// Test hook: TRAINPLAN_FAULT_RANK=r and TRAINPLAN_FAULT_AFTER_STEP=k make rank r kill itself
// with SIGKILL after optimizer step k, to test failure reports and exact resume.
void fault_injection_point(int rank, int64_t step) {
  static const char* fault_rank = std::getenv("TRAINPLAN_FAULT_RANK");
  static const char* fault_step = std::getenv("TRAINPLAN_FAULT_AFTER_STEP");
  if (fault_rank && fault_step && std::atoi(fault_rank) == rank && std::atoll(fault_step) == step)
    std::raise(SIGKILL);
}

// Test hook: TRAINPLAN_FAULT_AFTER_EPOCH_ROW=e makes rank 0 kill itself with SIGKILL after
// writing epoch e's output rows and before its checkpoint: the crash that --resume must not
// turn into duplicated rows.
void row_fault_point(int64_t epoch) {
  static const char* fault_epoch = std::getenv("TRAINPLAN_FAULT_AFTER_EPOCH_ROW");
  if (fault_epoch && std::atoll(fault_epoch) == epoch) std::raise(SIGKILL);
}

// Test hook: TRAINPLAN_FAULT_HANG_RANK=r and TRAINPLAN_FAULT_HANG_AFTER_STEP=k make rank r's
// data loader stall for an hour after optimizer step k, to test hang detection.
void hang_injection_point(int rank, int64_t step) {
  static const char* hang_rank = std::getenv("TRAINPLAN_FAULT_HANG_RANK");
  static const char* hang_step = std::getenv("TRAINPLAN_FAULT_HANG_AFTER_STEP");
  if (hang_rank && hang_step && std::atoi(hang_rank) == rank && std::atoll(hang_step) == step)
    std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace trainplan::executor
