#pragma once
// The forecast chart of a run directory: forecast.jsonl's forecasts of the run's total duration
// and of each stage's time as the run went, with the deadline and the policies' decisions.
#include "report_chart.hpp"
#include "report_inputs.hpp"

namespace trainplan::cli {

/// Chart 8 of docs/report.md; says why it is missing for a run without forecast.jsonl or with no
/// forecast record yet.
Chart forecast_chart(const ReportInputs& inputs);

}  // namespace trainplan::cli
