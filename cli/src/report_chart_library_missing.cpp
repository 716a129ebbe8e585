// chart_library() of a build made without npm: no chart libraries (`trainplan report` says so).
#include "report_chart_library.hpp"

namespace trainplan::cli {

std::vector<ChartScript> chart_library() { return {}; }

}  // namespace trainplan::cli
