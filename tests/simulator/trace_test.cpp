// The trace is valid JSON in the Chrome trace event format: every event has its fields, each
// GPU set has a named track, and within a track spans nest (epochs in stages, checkpoints in
// epochs) and never overlap otherwise (acceptance 4).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "trainplan/costmodel/simulation.hpp"
#include "support/cli_harness.hpp"

using nlohmann::json;
using namespace trainplan::costmodel;

namespace {

// Checks the format and the nesting; returns the number of failure instants.
int check_trace(const json& doc) {
  REQUIRE(doc.is_object());
  CHECK(doc.at("displayTimeUnit") == "ms");
  const json& events = doc.at("traceEvents");
  REQUIRE(events.is_array());
  std::set<int> named_tracks;
  std::map<int, std::vector<std::pair<double, double>>> spans;  // tid -> (ts, dur)
  int failures = 0;
  for (const auto& e : events) {
    CAPTURE(e.dump());
    REQUIRE(e.contains("ph"));
    CHECK(e.at("name").is_string());
    CHECK(e.at("pid").is_number_integer());
    CHECK(e.at("tid").is_number_integer());
    const std::string ph = e.at("ph");
    if (ph == "M") {
      if (e.at("name") == "thread_name") named_tracks.insert(e.at("tid").get<int>());
      CHECK(e.at("args").is_object());
      continue;
    }
    CHECK(e.at("cat").is_string());
    CHECK(e.at("ts").is_number());
    CHECK(e.at("ts").get<double>() >= 0);
    CHECK(e.at("args").at("stage").is_string());
    const std::string cat = e.at("cat");
    if (cat == "epoch" || cat == "evaluation" || cat == "checkpoint")
      CHECK(e.at("args").at("epoch").is_number_integer());
    if (ph == "i") {
      CHECK(cat == "failure");
      CHECK(e.at("s") == "t");
      CHECK(e.at("args").at("lost_work_s").get<double>() >= 0);
      ++failures;
      continue;
    }
    REQUIRE(ph == "X");
    CHECK(e.at("dur").get<double>() > 0);
    spans[e.at("tid").get<int>()].emplace_back(e.at("ts").get<double>(), e.at("dur").get<double>());
  }
  constexpr double kSlackUs = 1e-3;  // a nanosecond
  for (auto& [tid, list] : spans) {
    CAPTURE(tid);
    CHECK(named_tracks.count(tid) == 1);
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    std::vector<double> open_ends;  // the stack of enclosing spans
    for (const auto& [ts, dur] : list) {
      while (!open_ends.empty() && open_ends.back() <= ts + kSlackUs) open_ends.pop_back();
      if (!open_ends.empty()) {
        CAPTURE(ts);
        CHECK(ts + dur <= open_ends.back() + kSlackUs);  // nests, or it would overlap
      }
      open_ends.push_back(ts + dur);
    }
  }
  return failures;
}

std::vector<SimStage> two_tracks() {
  SimStage a;
  a.id = "pretrain";
  a.gpus = 8;
  a.epochs = 6;
  a.epoch_train_s = 3600;
  a.eval_s = 300;
  a.eval_interval_epochs = 2;
  a.checkpoint_write_s = 5;
  SimStage b = a;
  b.id = "finetune-a";
  b.depends_on = {0};
  b.gpus = 4;
  b.epochs = 4;
  b.eval_interval_epochs = 1;
  SimStage c = b;
  c.id = "finetune-b";
  c.gpu_offset = 4;
  return {a, b, c};
}

}  // namespace

TEST_CASE("a timeline with failures is a valid, nested trace") {
  SimulationOptions o;
  o.mtbf_hours = 20;  // 8 GPUs: a failure every 2.5 h
  o.seed = 3;
  const auto stages = two_tracks();
  int failures = 0;
  for (long long run = 0; run < 20; ++run) {
    const Timeline t = simulate_timeline(stages, o, run);
    const json doc = json::parse(trace_json(stages, t, "test"));
    const int in_trace = check_trace(doc);
    int in_timeline = 0;
    for (int f : t.stage_failures) in_timeline += f;
    CHECK(in_trace == in_timeline);
    failures += in_trace;
  }
  CHECK(failures > 10);
}

TEST_CASE("without failures: one track per GPU set, stage spans at the schedule's times") {
  const auto stages = two_tracks();
  const Timeline t = replay_timeline(stages, SimulationOptions{}, {});
  const json doc = json::parse(trace_json(stages, t, "test"));
  CHECK(check_trace(doc) == 0);
  std::map<std::string, json> stage_spans;
  std::set<std::string> track_names;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "X" && e.at("cat") == "stage") stage_spans[e.at("name")] = e;
    if (e.at("name") == "thread_name") track_names.insert(e.at("args").at("name"));
  }
  CHECK(track_names == std::set<std::string>{"GPUs 0-7", "GPUs 0-3", "GPUs 4-7"});
  REQUIRE(stage_spans.size() == 3);
  // pretrain: 120 s + 6 h + 3 evaluations of 300 s + 6 checkpoints of 5 s.
  const double pretrain_us = (120 + 6 * 3600 + 3 * 300 + 6 * 5) * 1e6;
  CHECK(stage_spans["pretrain"].at("dur").get<double>() == doctest::Approx(pretrain_us));
  CHECK(stage_spans["finetune-a"].at("ts").get<double>() == doctest::Approx(pretrain_us));
  CHECK(stage_spans["finetune-b"].at("ts").get<double>() == doctest::Approx(pretrain_us));
  CHECK(stage_spans["finetune-a"].at("tid") != stage_spans["finetune-b"].at("tid"));
}

TEST_CASE("trainplan simulate --trace writes the trace file") {
  std::string out, err;
  const std::string plan = write_temp_file("plan.json", "");
  REQUIRE(run_trainplan({"plan", "32 GPUs, 3 days, new model head", "-o", plan}, out, err) == 0);
  const std::string trace = plan + ".trace.json";
  REQUIRE(
      run_trainplan({"simulate", plan, "--runs", "100", "--mtbf-hours", "300", "--trace", trace},
                    out, err) == 0);
  CHECK(out.find("wrote " + trace) != std::string::npos);
  std::ifstream in(trace);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const json doc = json::parse(text.str());
  check_trace(doc);
  std::set<std::string> categories;
  for (const auto& e : doc.at("traceEvents"))
    if (e.contains("cat")) categories.insert(e.at("cat"));
  for (const char* cat : {"stage", "startup", "warmup", "epoch", "evaluation", "checkpoint"})
    CHECK(categories.count(cat) == 1);
  std::remove(trace.c_str());
}
