#pragma once
// The charts of a run directory: loss and mAP per epoch, step time per epoch, predicted vs
// measured time per stage, and the forecast converging over the run (forecast.jsonl).
#include <vector>

#include "report_chart.hpp"
#include "report_inputs.hpp"

namespace trainplan::cli {

/// Charts 5-8 of docs/report.md; a chart whose input is missing or empty says so instead.
std::vector<Chart> run_charts(const ReportInputs& inputs);

}  // namespace trainplan::cli
