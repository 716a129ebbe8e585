#include "closing_table.hpp"

#include <fmt/format.h>

#include <cstdio>


namespace trainplan::executor {

void print_closing_table(const std::vector<StageReport>& reports,
                         const std::vector<StageForecasts>& forecasts) {
  auto seconds = [](double v) { return v > 0 ? fmt::format("{:.1f}s", v) : std::string("-"); };
  auto ratio = [](double measured, double predicted) {
    return predicted > 0 ? fmt::format("{:.2f}", measured / predicted) : std::string("-");
  };
  std::printf("\n%-28s %10s %10s %10s %7s %7s %7s %10s\n", "stage", "predicted", "at 20%",
              "measured", "ratio", "ratio20", "steps", "mAP@0.5");
  for (const auto& r : reports) {
    const double p = r.stage.predicted_seconds, m = r.result.seconds;
    // The closed loop's forecast after 20% of the stage's steps (none for short stages).
    double refit = 0;
    for (const auto& f : forecasts)
      if (f.stage == r.stage.id) refit = f.refit_s;
    std::printf("%-28s %10s %10s %9.1fs %7s %7s %7lld %10.3f\n", r.stage.id.c_str(),
                seconds(p).c_str(), seconds(refit).c_str(), m, ratio(m, p).c_str(),
                ratio(m, refit).c_str(), (long long)r.result.steps, r.result.map50);
  }
  std::fflush(stdout);
}

}  // namespace trainplan::executor
