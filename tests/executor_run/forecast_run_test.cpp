// The closed loop end to end: a run appends its forecasts to forecast.jsonl and shows the
// refitted forecast in its closing table; a deadline it cannot meet is warned about, cut to,
// or stopped at, as --deadline-policy says, with results.csv and the checkpoints consistent.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_support.hpp"
#include "trainplan/executor/checkpoint.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::vector<json> json_lines(const std::string& path) {
  std::vector<json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

std::vector<json> of_kind(const std::vector<json>& records, const std::string& kind) {
  std::vector<json> out;
  for (const auto& r : records)
    if (r["kind"] == kind) out.push_back(r);
  return out;
}

// results.csv's epochs of stage `id`, in order.
std::vector<int> epochs_of(const std::string& work, const std::string& id) {
  std::vector<int> epochs;
  std::ifstream in(work + "/results.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string stage, epoch;
    std::getline(cells, stage, ',');
    std::getline(cells, epoch, ',');
    if (stage == id) epochs.push_back(std::stoi(epoch));
  }
  return epochs;
}

// The one-stage test plan with `epochs` epochs of 4 steps.
std::string plan_with_epochs(const std::string& dir, int epochs) {
  const std::string path = run_test::unscaled_plan(dir);
  json plan = json::parse(std::ifstream(path));
  plan["stages"][0]["epochs"] = epochs;
  std::ofstream(path) << plan.dump(2);
  return path;
}

}  // namespace

TEST_CASE("a run appends its forecasts to forecast.jsonl and shows the refit in its table") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  const std::string plan = plan_with_epochs(dir, 3);
  const std::string work = dir + "/w";
  std::string out, err;
  REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", work}, out, err) == 0);
  CAPTURE(err);
  const auto records = json_lines(work + "/forecast.jsonl");
  const auto forecasts = of_kind(records, "forecast");
  REQUIRE(forecasts.size() >= 5);  // 12 steps: after the 3 warm-up steps, one per step
  for (const auto& f : forecasts) {
    CHECK(f["stage"] == "finetune");
    CHECK(f["steps"] == 12);  // 3 epochs of the 32 training images in batches of 8
    CHECK(f["finish_p10_s"].get<double>() <= f["finish_p50_s"].get<double>());
    CHECK(f["finish_p50_s"].get<double>() <= f["finish_p90_s"].get<double>());
    CHECK(f["stage_forecast_s"].get<double>() > 0);
    CHECK(f["deadline_probability"].is_null());  // no --deadline
  }
  const auto ends = of_kind(records, "stage_end");
  REQUIRE(ends.size() == 1);
  CHECK(ends[0]["measured_s"].get<double>() > 0);
  CHECK(ends[0]["stage_refit_forecast_s"].get<double>() > 0);
  CHECK(out.find("at 20%") != std::string::npos);
  CHECK(fs::is_regular_file(work + "/run_started"));
}

TEST_CASE("with --mtbf-hours the deadline odds count the simulator's failures and restarts") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  const std::string plan = plan_with_epochs(dir, 3);
  std::string out, err;
  // A GPU failing every 36 s on average and 10 minutes per restart (the simulator's default):
  // some timelines of the remaining seconds of work fail and miss a 5-minute deadline that
  // every failure-free one meets.
  REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", dir + "/w", "--deadline",
                         "300s", "--mtbf-hours", "0.01"},
                        out, err) == 0);
  const auto forecasts = of_kind(json_lines(dir + "/w/forecast.jsonl"), "forecast");
  REQUIRE(!forecasts.empty());
  CHECK(forecasts[0]["mtbf_hours"] == 0.01);
  const double odds = forecasts[0]["deadline_probability"].get<double>();
  CHECK(odds < 0.99);
  CHECK(odds > 0.3);
  CHECK(forecasts[0]["finish_p90_s"].get<double>() > forecasts[0]["finish_p10_s"].get<double>());

  CHECK(run_trainplan({"run", plan, "--mtbf-hours", "-1"}, out, err) == 2);
  CHECK(err.find("--mtbf-hours") != std::string::npos);
}

TEST_CASE("a deadline the run cannot meet is warned about, cut to or stopped at") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  const std::string plan = plan_with_epochs(dir, 6);
  std::string out, err;
  const std::string id = "finetune";

  SUBCASE("warn: the run goes on to its end and says it will be late") {
    const std::string work = dir + "/warn";
    REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", work, "--deadline", "1s"},
                          out, err) == 0);
    CHECK(err.find("deadline (warn)") != std::string::npos);
    CHECK(epochs_of(work, id) == std::vector<int>{1, 2, 3, 4, 5, 6});
    const auto decisions = of_kind(json_lines(work + "/forecast.jsonl"), "decision");
    REQUIRE(decisions.size() >= 1);
    CHECK(decisions[0]["action"] == "warn");
    for (const auto& f : of_kind(json_lines(work + "/forecast.jsonl"), "forecast"))
      CHECK(f["deadline_probability"].get<double>() < 0.5);
  }

  SUBCASE("shorten: the stage ends early, as its checkpoint and rows say") {
    const std::string work = dir + "/shorten";
    REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", work, "--deadline", "2s",
                           "--deadline-policy", "shorten"},
                          out, err) == 0);
    CAPTURE(err);
    const auto epochs = epochs_of(work, id);
    REQUIRE(!epochs.empty());
    CHECK(epochs.size() < 6);
    for (size_t i = 0; i < epochs.size(); ++i) CHECK(epochs[i] == int(i) + 1);
    const auto info = trainplan::executor::read_checkpoint_info(work + "/checkpoints/" + id + "/last.pt");
    CHECK(info.position.stage_done);
    CHECK(info.position.epochs_kept == int(epochs.size()));
    CHECK(of_kind(json_lines(work + "/forecast.jsonl"), "decision").at(0)["action"] == "shorten");
  }

  SUBCASE("stop: the run stops in time to evaluate and checkpoint, the best checkpoint kept") {
    const std::string work = dir + "/stop";
    REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", work, "--deadline", "3s",
                           "--deadline-policy", "stop"},
                          out, err) == 0);
    CAPTURE(out);
    CHECK(out.find("stopped at the deadline") != std::string::npos);
    const auto epochs = epochs_of(work, id);
    CHECK(epochs.size() < 6);
    CHECK(of_kind(json_lines(work + "/forecast.jsonl"), "decision").at(0)["action"] == "stop");
    // The last checkpoint is where the rows end: a --resume would not redo or skip a step.
    const auto info = trainplan::executor::read_checkpoint_info(work + "/checkpoints/" + id + "/last.pt");
    CHECK_FALSE(info.position.stage_done);
    if (!epochs.empty()) {
      const int last_row = epochs.back();
      // A partial epoch's row carries its number; the checkpoint is inside it or at its end.
      CHECK((info.position.epoch == last_row - 1 || info.position.epoch == last_row));
      CHECK(fs::is_regular_file(work + "/checkpoints/" + id + "/best.pt"));
    }
  }
}
