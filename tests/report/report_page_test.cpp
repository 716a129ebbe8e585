// `trainplan report` pages opened offline in a headless Chromium: every chart draws marks, no
// script error, the page is self-contained and under 2 MB; screenshots are kept in
// TRAINPLAN_REPORT_TEST_OUTPUT.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "headless_browser.hpp"
#include "scratch_dir.hpp"
#include "support/cli_harness.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxPageBytes = 2 * 1024 * 1024;
// The demo's stages stopped early: a few epochs of each, about 20 s on two cores.
constexpr const char* kDemoSteps = "30";

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Why the browser checks cannot run here, or "" when they can.
std::string browser_skip_reason(const std::string& chromium) {
  if (chromium.empty())
    return "no chromium on PATH (scripts/setup-test-tools.sh installs Debian's chromium)";
  return "";
}

// Writes the report of `input` to `html`; returns "" or why the report tests skip (a build
// without the chart library).
std::string write_report(const std::string& input, const std::string& html) {
  std::string out, err;
  const int code = run_trainplan({"report", input, "-o", html, "--runs", "500"}, out, err);
  if (code == 1 && err.find("no chart library") != std::string::npos) return err;
  INFO(err);
  REQUIRE(code == 0);
  CHECK(out.find("wrote " + html) != std::string::npos);
  return "";
}

// The page is one file: no script, style or image fetched from anywhere, and under 2 MB.
void check_self_contained(const std::string& html) {
  const auto size = fs::file_size(html);
  MESSAGE(html << ": " << size << " bytes");
  CHECK(size < kMaxPageBytes);
  // The markup outside the inlined scripts (whose code mentions tags in strings) loads nothing.
  std::string markup = file_text(html);
  for (std::size_t open = markup.find("<script"); open != std::string::npos;
       open = markup.find("<script", open + 1)) {
    const auto tag_end = markup.find('>', open);
    REQUIRE(tag_end != std::string::npos);
    CHECK(markup.substr(open, tag_end - open).find("src=") == std::string::npos);
    const auto close = markup.find("</script>", tag_end);
    REQUIRE(close != std::string::npos);
    markup.erase(tag_end + 1, close - tag_end - 1);
  }
  for (const char* loads : {"<link", "<img", "<iframe", "src=", "href=", "url("}) {
    CAPTURE(loads);
    CHECK(markup.find(loads) == std::string::npos);
  }
}

// Renders the page offline, keeps a screenshot, and checks every chart in `charts` drew marks
// and nothing logged an error. Returns the status object.
nlohmann::json check_rendered(const std::string& chromium, const std::string& html,
                              const std::string& screenshot,
                              const std::vector<std::string>& charts) {
  fs::create_directories(fs::path(screenshot).parent_path());
  const auto page = render_offline(chromium, html, screenshot);
  INFO(page.log.substr(0, 4000));
  CHECK(page.ran);
  const std::string status_text = report_status(page.dom);
  REQUIRE_MESSAGE(!status_text.empty(), "the page never wrote its status: charts did not finish");
  const auto status = nlohmann::json::parse(status_text);
  INFO(status.dump());
  CHECK(status["done"] == true);
  CHECK(status["errors"].empty());
  CHECK(status["charts"].size() == charts.size());
  for (const auto& id : charts) {
    CAPTURE(id);
    REQUIRE(status["charts"].contains(id));
    CHECK(status["charts"][id].get<int>() > 0);
  }
  CHECK(fs::exists(screenshot));
  CHECK(fs::file_size(screenshot) > 10000);
  MESSAGE("screenshot: " << screenshot);
  return status;
}

const std::vector<std::string> kPlanCharts = {"strategies", "scaling", "stages", "finish"};

std::string output_dir() { return TRAINPLAN_REPORT_TEST_OUTPUT; }

// A forecast.jsonl as the executor writes it, with a kind and a field this reader does not
// know (both must be fine).
void write_forecast(const std::string& run_dir) {
  std::ofstream out(run_dir + "/forecast.jsonl");
  double elapsed = 0;
  for (const std::string stage : {"pretrained-yolo-world-v2-l", "finetune"}) {
    for (int step = 0; step <= 24; step += 6) {
      elapsed += 3;
      out << nlohmann::json{{"kind", "forecast"},
                            {"time", 1.7e9 + elapsed},
                            {"elapsed_s", elapsed},
                            {"stage", stage},
                            {"step", step},
                            {"steps", 24},
                            {"stage_forecast_s", 20 + step * 0.2},
                            {"stage_first_forecast_s", 20},
                            {"finish_p10_s", 40 + elapsed * 0.1},
                            {"finish_p50_s", 45 + elapsed * 0.05},
                            {"finish_p90_s", 55 - elapsed * 0.1},
                            {"deadline_s", 86400},
                            {"deadline_probability", 1.0},
                            {"new_field", "fine"}}
                 .dump()
          << "\n";
    }
    out << nlohmann::json{{"kind", "stage_end"},
                          {"time", 1.7e9 + elapsed},
                          {"elapsed_s", elapsed},
                          {"stage", stage},
                          {"step", 24},
                          {"steps", 24},
                          {"measured_s", 24.5},
                          {"stage_first_forecast_s", 20},
                          {"stage_forecast_s", 24.8}}
               .dump()
        << "\n";
  }
  out << nlohmann::json{{"kind", "decision"},   {"time", 1.7e9 + elapsed},
                        {"elapsed_s", elapsed}, {"stage", "finetune"},
                        {"step", 24},           {"steps", 24},
                        {"policy", "deadline"}, {"action", "continue"},
                        {"message", "on time"}}
             .dump()
      << "\n"
      << R"({"kind":"checkpoint_written","elapsed_s":1})"
      << "\n";
}

}  // namespace

TEST_CASE("report of a plan file draws its four charts offline in a headless browser") {
  const ScratchDir scratch;
  const std::string& dir = scratch.path;
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", dir + "/plan.json"}, out, err) ==
          0);
  const std::string html = dir + "/report.html";
  if (const auto why = write_report(dir + "/plan.json", html); !why.empty()) {
    MESSAGE("REPORT TEST SKIPPED: " << why);
    return;
  }
  check_self_contained(html);
  const std::string page = file_text(html);
  for (const char* title :
       {"Strategies compared", "GPU scaling", "Stages on the schedule", "Finish time"})
    CHECK(page.find(title) != std::string::npos);
  CHECK(page.find("Loss and mAP") == std::string::npos);  // run charts only for run directories
  const std::string chromium = find_chromium();
  if (const auto why = browser_skip_reason(chromium); !why.empty()) {
    MESSAGE("REPORT TEST SKIPPED: " << why);
    return;
  }
  check_rendered(chromium, html, output_dir() + "/plan-report.png", kPlanCharts);
}

TEST_CASE(
    "report of a short demo run draws every chart, and says so where forecast.jsonl is missing") {
  if (!TRAINPLAN_HAS_EXECUTOR) {
    MESSAGE(
        "REPORT TEST SKIPPED: this build has no trainplan-executor (TRAINPLAN_BUILD_EXECUTOR off)");
    return;
  }
  const ScratchDir scratch;
  const std::string run = scratch.path + "/demo";
  std::string out, err;
  INFO(err);
  REQUIRE(run_trainplan({"demo", "--work-dir", run, "--max-steps", kDemoSteps}, out, err) == 0);
  const std::string html = run + "-report.html";
  if (const auto why = write_report(run, html); !why.empty()) {
    MESSAGE("REPORT TEST SKIPPED: " << why);
    return;
  }
  check_self_contained(html);
  std::vector<std::string> charts = kPlanCharts;
  for (const char* id : {"quality", "step-time", "measured"}) charts.push_back(id);
  const bool executor_forecasts = fs::exists(run + "/forecast.jsonl");
  if (executor_forecasts) {
    charts.push_back("forecast");
  } else {
    CHECK(file_text(html).find("This run has no forecast.jsonl") != std::string::npos);
  }
  const std::string chromium = find_chromium();
  if (const auto why = browser_skip_reason(chromium); !why.empty()) {
    MESSAGE("REPORT TEST SKIPPED: " << why);
    return;
  }
  check_rendered(chromium, html, output_dir() + "/demo-run-report.png", charts);

  // Runs before the executor wrote forecasts: a forecast.jsonl as it writes them, with a kind
  // and a field this reader does not know.
  if (!executor_forecasts) {
    write_forecast(run);
    charts.push_back("forecast");
    const std::string with_forecast = run + "-forecast-report.html";
    REQUIRE(write_report(run, with_forecast).empty());
    check_self_contained(with_forecast);
    check_rendered(chromium, with_forecast, output_dir() + "/demo-run-forecast-report.png", charts);
  }
}

TEST_CASE("report of a run still being written skips the unfinished last metrics line") {
  const ScratchDir scratch;
  const std::string& dir = scratch.path;
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", dir + "/plan.json"}, out, err) ==
          0);
  std::ofstream(dir + "/metrics.jsonl")
      << R"({"stage":"finetune","epoch":1,"train_loss":2.5,"map50":0.1,"seconds":3.2,"seconds_per_iter":0.27})"
      << "\n"
      << R"({"stage":"finetune","epoch":2,"train_lo)";  // no newline yet: being written
  const int code = run_trainplan({"report", dir, "-o", dir + "/r.html", "--runs", "50"}, out, err);
  if (code == 1 && err.find("no chart library") != std::string::npos) {
    MESSAGE("REPORT TEST SKIPPED: " << err);
    return;
  }
  INFO(err);
  REQUIRE(code == 0);
  CHECK(out.find("7 of 8 charts") != std::string::npos);
  CHECK(out.find("no chart \"Forecast over the run\": This run has no forecast.jsonl") !=
        std::string::npos);
  const std::string page = file_text(dir + "/r.html");
  CHECK(page.find("Run: 1 epoch record in metrics.jsonl; no forecast.jsonl") != std::string::npos);
}
