#include "headless_browser.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/cli_harness.hpp"

namespace {

// Offline and quiet: no GPU, no sandbox (tests run as root in containers), every request to a
// closed port, no first-run or extension work.
std::string flags(const std::string& profile, int budget_ms) {
  return "--headless --disable-gpu --no-sandbox --no-first-run --disable-extensions "
         "--disable-background-networking --disable-sync --disable-default-apps "
         "--proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' --hide-scrollbars "
         "--user-data-dir=" +
         shell_quote(profile) + " --virtual-time-budget=" + std::to_string(budget_ms);
}

}  // namespace

std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  std::vector<std::string> folders;
  while (std::getline(dirs, dir, ':')) folders.push_back(dir);
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
    for (const auto& folder : folders) {
      const auto candidate = std::filesystem::path(folder) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  return "";
}

RenderedPage render_offline(const std::string& chromium, const std::string& html_file,
                            const std::string& screenshot, int width, int height, int budget_ms) {
  const std::string work = make_temp_dir();
  const std::string url = "file://" + std::filesystem::absolute(html_file).string();
  const std::string common =
      "timeout 120 " + shell_quote(chromium) + " " + flags(work + "/profile", budget_ms);
  RenderedPage page;
  const std::string dump = common + " --dump-dom " + shell_quote(url) + " >" +
                           shell_quote(work + "/dom") + " 2>" + shell_quote(work + "/log");
  page.ran = std::system(dump.c_str()) == 0;
  page.dom = slurp(work + "/dom");
  page.log = slurp(work + "/log");
  if (!screenshot.empty()) {
    const std::string shot = common + " --window-size=" + std::to_string(width) + "," +
                             std::to_string(height) + " --screenshot=" + shell_quote(screenshot) +
                             " " + shell_quote(url) + " >/dev/null 2>>" +
                             shell_quote(work + "/log");
    page.ran = std::system(shot.c_str()) == 0 && page.ran;
    page.log = slurp(work + "/log");
  }
  std::error_code ignored;
  std::filesystem::remove_all(work, ignored);
  return page;
}

std::string report_status(const std::string& dom) {
  const std::string open = "<pre id=\"report-status\"";
  auto start = dom.find(open);
  if (start == std::string::npos) return "";
  start = dom.find('>', start) + 1;
  const auto end = dom.find("</pre>", start);
  std::string text = dom.substr(start, end - start), out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 5, "&amp;") == 0)
      out += '&', i += 4;
    else if (text.compare(i, 4, "&lt;") == 0)
      out += '<', i += 3;
    else if (text.compare(i, 4, "&gt;") == 0)
      out += '>', i += 3;
    else if (text.compare(i, 6, "&quot;") == 0)
      out += '"', i += 5;
    else
      out += text[i];
  }
  return out;
}
