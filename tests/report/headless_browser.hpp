#pragma once
// Opening a page in Debian's Chromium, headless and offline (every request goes to a proxy
// that is not there), for the report tests.
#include <string>

/// The Chromium program on PATH (chromium, chromium-browser, google-chrome); "" when none.
std::string find_chromium();

/// What the page said once rendered.
struct RenderedPage {
  bool ran = false;  ///< the browser exited 0
  std::string dom;   ///< the DOM after scripts ran (--dump-dom)
  std::string log;   ///< the browser's stderr
};

/// Renders `html_file` (scripts run for up to `budget_ms` of virtual time) and returns its DOM;
/// when `screenshot` is not empty also writes a PNG of a `width` x `height` window there.
RenderedPage render_offline(const std::string& chromium, const std::string& html_file,
                            const std::string& screenshot = "", int width = 1100, int height = 4000,
                            int budget_ms = 20000);

/// The text of <pre id="report-status"> in a dumped DOM ("" when the page never wrote it),
/// entities decoded.
std::string report_status(const std::string& dom);
