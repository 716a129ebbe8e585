#pragma once
// Test hooks of the trainer, switched on by environment variables only the tests set: a rank
// that kills itself or stalls at a chosen step, to test failure reports, exact resume and
// hang detection with real processes.
#include <cstdint>

namespace trainplan::executor {

/// TRAINPLAN_FAULT_RANK=r and TRAINPLAN_FAULT_AFTER_STEP=k: rank r raises SIGKILL after
/// optimizer step k.
void fault_injection_point(int rank, int64_t step);

/// TRAINPLAN_FAULT_AFTER_EPOCH_ROW=e: rank 0 raises SIGKILL after writing epoch e's output rows
/// and before its checkpoint.
void row_fault_point(int64_t epoch);

/// TRAINPLAN_FAULT_HANG_RANK=r and TRAINPLAN_FAULT_HANG_AFTER_STEP=k: rank r's loader stalls
/// for an hour after optimizer step k.
void hang_injection_point(int rank, int64_t step);

}  // namespace trainplan::executor
