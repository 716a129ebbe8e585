#include "report_page.hpp"

#include <fmt/format.h>

namespace trainplan::cli {

namespace {

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// JSON placed inside <script>: "</" would end the element, "<!--" would change how the
// browser parses it; "<\/" and "\u003c" mean the same to JSON.parse.
std::string script_json(const nlohmann::ordered_json& value) {
  std::string out;
  for (char ch : value.dump()) {
    if (ch == '<')
      out += "\\u003c";
    else
      out += ch;
  }
  return out;
}

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 4px; }
ul.facts { color: #444; padding-left: 20px; }
section { border-top: 1px solid #ddd; margin-top: 20px; padding-top: 8px; }
h2 { font-size: 1.15em; margin: 6px 0; }
p.caption { color: #555; margin: 4px 0 10px; }
p.missing { color: #8a5a00; background: #fff7e0; padding: 8px; }
footer { color: #888; font-size: 0.85em; margin-top: 28px; }
)css";

// Captures script errors and console.error before anything else runs, so the status element
// reports them (a headless browser's test reads it from the rendered DOM).
constexpr const char* kErrorCapture = R"js(
window.reportErrors = [];
window.addEventListener('error', function (e) { window.reportErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.reportErrors.push('rejection: ' + e.reason); });
(function () {
  var original = console.error;
  console.error = function () {
    window.reportErrors.push('console.error: ' + Array.prototype.map.call(arguments, String).join(' '));
    return original.apply(console, arguments);
  };
})();
)js";

constexpr const char* kRender = R"js(
(function () {
  var charts = JSON.parse(document.getElementById('report-charts').textContent);
  function finish(results) {
    var status = { done: true, charts: {}, errors: window.reportErrors };
    charts.forEach(function (c) {
      var svg = document.querySelector('#chart-' + c.id + ' svg');
      // Drawn data marks: the items inside Vega's mark groups (axes and legends are not marks).
      status.charts[c.id] = svg ? svg.querySelectorAll('g.role-mark > *').length : 0;
    });
    var pre = document.createElement('pre');
    pre.id = 'report-status';
    pre.hidden = true;
    pre.textContent = JSON.stringify(status);
    document.body.appendChild(pre);
  }
  if (typeof vegaEmbed !== 'function') {
    window.reportErrors.push('vegaEmbed is not loaded');
    finish();
    return;
  }
  Promise.all(charts.map(function (c) {
    return vegaEmbed('#chart-' + c.id, c.spec, { renderer: 'svg', actions: false })
      .catch(function (e) { window.reportErrors.push(c.id + ': ' + e); });
  })).then(finish, finish);
})();
)js";

}  // namespace

std::string render_page(const PageHeader& header, const std::vector<Chart>& charts,
                        const std::vector<ChartScript>& libraries) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += fmt::format("<title>{}</title>\n<style>{}</style>\n", escape_html(header.title), kStyle);
  page += fmt::format("<script>{}</script>\n", kErrorCapture);
  for (const auto& lib : libraries)
    page += fmt::format("<script data-library=\"{} {}\">\n{}\n</script>\n", lib.name, lib.version,
                        lib.text);
  page += "</head>\n<body>\n";
  page += fmt::format("<h1>{}</h1>\n<ul class=\"facts\">\n", escape_html(header.title));
  for (const auto& fact : header.facts) page += fmt::format("<li>{}</li>\n", escape_html(fact));
  page += "</ul>\n";
  nlohmann::ordered_json specs = nlohmann::ordered_json::array();
  for (const auto& c : charts) {
    page += fmt::format("<section id=\"section-{}\">\n<h2>{}</h2>\n", c.id, escape_html(c.title));
    if (!c.caption.empty())
      page += fmt::format("<p class=\"caption\">{}</p>\n", escape_html(c.caption));
    if (c.spec) {
      page += fmt::format("<div class=\"chart\" id=\"chart-{}\"></div>\n", c.id);
      specs.push_back({{"id", c.id}, {"spec", *c.spec}});
    } else {
      page += fmt::format("<p class=\"missing\">{}</p>\n", escape_html(c.missing));
    }
    page += "</section>\n";
  }
  std::string versions;
  for (const auto& lib : libraries)
    versions += fmt::format("{}{} {}", versions.empty() ? "" : ", ", lib.name, lib.version);
  page += fmt::format("<footer>Made by trainplan report; charts drawn by {} (inlined).</footer>\n",
                      versions);
  page += fmt::format("<script id=\"report-charts\" type=\"application/json\">{}</script>\n",
                      script_json(specs));
  page += fmt::format("<script>{}</script>\n</body>\n</html>\n", kRender);
  return page;
}

}  // namespace trainplan::cli
