#pragma once
// The report as one self-contained HTML page: the chart libraries and every chart's Vega-Lite
// spec (data inline) in <script> elements, rendered as SVG when opened; no network needed.
#include <string>
#include <vector>

#include "report_chart.hpp"
#include "report_chart_library.hpp"

namespace trainplan::cli {

/// The page's heading and the facts listed under it.
struct PageHeader {
  std::string title;
  std::vector<std::string> facts;
};

/// The page. Once every chart has rendered (or failed) it appends
/// <pre id="report-status" hidden>{"done":true,"charts":{ID:MARKS,...},"errors":[...]}</pre>:
/// the number of drawn SVG mark elements per chart and every script error and console.error,
/// for tests that open it in a headless browser.
std::string render_page(const PageHeader& header, const std::vector<Chart>& charts,
                        const std::vector<ChartScript>& libraries);

}  // namespace trainplan::cli
