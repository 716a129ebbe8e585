#pragma once
// The run's closing table: predicted versus measured time per stage, and the quality reached.
#include <vector>

#include "forecaster.hpp"
#include "stage_trainer.hpp"

namespace trainplan::executor {

/// One finished stage.
struct StageReport {
  ExecStage stage;
  StageResult result;
};

/// Prints the table to standard output: per stage the cost model's first forecast, the
/// closed loop's forecast after 20% of its steps, and the measured time.
void print_closing_table(const std::vector<StageReport>& reports,
                         const std::vector<StageForecasts>& forecasts);

}  // namespace trainplan::executor
