#pragma once
// The run's closing table: predicted versus measured time per stage, and the quality reached.
#include <vector>

#include "stage_trainer.hpp"

namespace trainplan::executor {

/// One finished stage.
struct StageReport {
  ExecStage stage;
  StageResult result;
};

/// The cost model's estimate for a stage on this machine (`cpu` GPU profile, `world` ranks,
/// the libtorch-cpu codebase), or 0 when the model has no profile.
double predict_local_seconds(const ExecStage& stage, int world);

/// Prints the table to standard output.
void print_closing_table(const std::vector<StageReport>& reports);

}  // namespace trainplan::executor
