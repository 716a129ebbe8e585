// `trainplan simulate`, and `ask` / `plan` with --mtbf-hours, run as a user would: the report,
// the JSON object, and bad input (exit 2, nothing on stdout, one message naming the flag, the
// value and what is accepted; acceptance 5).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/expect_bad_input.hpp"

using nlohmann::json;
using trainplan::testing::expect_bad_input;

namespace {

// A plan file written once by `trainplan plan` (two stages, 32 GPUs, 3-day deadline).
const std::string& plan_file() {
  static const std::string path = [] {
    std::string p = write_temp_file("plan.json", ""), out, err;
    if (run_trainplan({"plan", "32 GPUs, 3 days, new model head", "-o", p}, out, err) != 0)
      throw std::runtime_error("trainplan plan failed: " + err);
    return p;
  }();
  return path;
}

std::vector<std::string> simulate(std::vector<std::string> extra) {
  std::vector<std::string> args = {"simulate", plan_file()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("simulate prints the makespan percentiles, deadline odds and a stage table") {
  std::string out, err;
  REQUIRE(run_trainplan(simulate({"--runs", "2000", "--mtbf-hours", "500"}), out, err) == 0);
  CAPTURE(out);
  for (const char* part :
       {"2,000 runs, seed 1", "MTBF 500 h per GPU", "P50", "P90", "P99",
        "deadline 3.0 days: met in", "GPU-hours", "continue-pretrain", "finetune", "lost/fail"})
    CHECK(out.find(part) != std::string::npos);
  CHECK(err.empty());
}

TEST_CASE("simulate --json prints one object with the figures and each stage") {
  std::string out, err;
  REQUIRE(run_trainplan(simulate({"--runs", "1000", "--seed", "5", "--mtbf-hours", "500",
                                  "--restart-minutes", "20", "--json"}),
                        out, err) == 0);
  const json j = json::parse(out);
  CHECK(j.at("runs") == 1000);
  CHECK(j.at("seed") == 5);
  CHECK(j.at("mtbf_hours") == 500.0);
  CHECK(j.at("restart_minutes") == 20.0);
  CHECK(j.at("checkpoint_policy") == "auto");
  const auto& m = j.at("makespan_seconds");
  CHECK(m.at("p50").get<double>() <= m.at("p90").get<double>());
  CHECK(m.at("p90").get<double>() <= m.at("p99").get<double>());
  CHECK(j.at("deadline_hours") == 72.0);
  CHECK(j.at("deadline_probability").get<double>() >= 0);
  CHECK(j.at("gpu_hours").get<double>() > 0);
  CHECK(j.at("cost_usd").get<double>() > 0);
  REQUIRE(j.at("stages").size() == 2);
  for (const auto& s : j.at("stages")) {
    CHECK(s.at("checkpoint") == "interval");
    CHECK(s.at("checkpoint_interval_seconds").get<double>() > 0);
    CHECK(s.at("expected_lost_work_seconds").get<double>() >= 0);
  }
  CHECK(j.at("trace").is_null());
}

TEST_CASE("simulate without --mtbf-hours: no failures, the planned makespan exactly") {
  std::string out, err;
  REQUIRE(run_trainplan(simulate({"--runs", "5", "--json"}), out, err) == 0);
  const json j = json::parse(out);
  CHECK(j.at("mtbf_hours").is_null());
  CHECK(j.at("failures_per_run") == 0.0);
  const double planned = j.at("planned_makespan_seconds");
  CHECK(j.at("makespan_seconds").at("p99").get<double>() == doctest::Approx(planned).epsilon(1e-9));
  CHECK(j.at("deadline_probability") == 1.0);
}

TEST_CASE("simulate --checkpoint-every: a fixed interval, or each epoch") {
  std::string out, err;
  REQUIRE(run_trainplan(simulate({"--runs", "10", "--checkpoint-every", "30m", "--json"}), out,
                        err) == 0);
  const json j = json::parse(out);
  CHECK(j.at("checkpoint_policy") == "interval");
  CHECK(j.at("stages").at(0).at("checkpoint_interval_seconds") == 1800.0);
  REQUIRE(run_trainplan(simulate({"--runs", "10", "--mtbf-hours", "500", "--checkpoint-every",
                                  "epoch", "--json"}),
                        out, err) == 0);
  CHECK(json::parse(out).at("stages").at(0).at("checkpoint") == "epoch");
}

TEST_CASE("ask and plan with --mtbf-hours report P90 and the deadline probability") {
  std::string out, err;
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?", "--mtbf-hours", "2000"}, out, err) == 0);
  CHECK(out.find("With GPU failures (MTBF 2000 h per GPU") != std::string::npos);
  CHECK(out.find("P90 makespan") != std::string::npos);
  CHECK(out.find("deadline is met in") != std::string::npos);
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?", "--mtbf-hours", "2000", "--json"}, out,
                        err) == 0);
  const json a = json::parse(out);
  CHECK(a.at("simulation").at("runs") == 10000);
  CHECK(a.at("simulation").at("seed") == 1);
  CHECK(a.at("simulation").at("makespan_seconds").at("p90").get<double>() > 0);
  CHECK(a.at("simulation").at("deadline_probability").is_number());
  REQUIRE(run_trainplan({"ask", "4 GPUs, 1 day budget?", "--json"}, out, err) == 0);
  CHECK_FALSE(json::parse(out).contains("simulation"));

  const std::string plan = write_temp_file("plan.json", "");
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", plan, "--mtbf-hours", "2000",
                         "--restart-minutes", "5", "--json"},
                        out, err) == 0);
  const json p = json::parse(out);
  CHECK(p.at("simulation").at("restart_minutes") == 5.0);
  CHECK(p.at("simulation").at("makespan_seconds").at("p90").get<double>() > 0);
  // The plan file itself stays in the plan format (no simulation in it).
  REQUIRE(run_trainplan({"validate", plan}, out, err) == 0);
  REQUIRE(run_trainplan({"simulate", plan, "--runs", "10"}, out, err) == 0);
}

TEST_CASE("bad simulation input exits 2 with one message") {
  const std::string mtbf = "expected a positive number of hours";
  for (const std::string v : {"0", "-5", "abc", "inf", "nan", "1e400", "5000h"})
    expect_bad_input(simulate({"--mtbf-hours=" + v}), {"--mtbf-hours", mtbf});
  const std::string minutes = "expected a positive number of minutes";
  for (const std::string v : {"0", "-1", "ten", "0.0"})
    expect_bad_input(simulate({"--restart-minutes=" + v}), {"--restart-minutes", minutes});
  const std::string runs = "expected a whole number from 1 to 10,000,000";
  for (const std::string v :
       {"0", "-3", "10000001", "1e3", "2.5", "many", "99999999999999999999999"})
    expect_bad_input(simulate({"--runs=" + v}), {"--runs", "\"" + v + "\"", runs});
  expect_bad_input(simulate({"--seed=-1"}), {"--seed", "\"-1\""});
  expect_bad_input(simulate({"--checkpoint-every", "often"}),
                   {"--checkpoint-every", "\"often\"", "auto, epoch, or a positive duration"});
  expect_bad_input(simulate({"--checkpoint-every", "0h"}), {"--checkpoint-every"});
  // The progressive stage trains for about 3.8 h: a 30-day interval is longer than it.
  expect_bad_input(simulate({"--checkpoint-every", "30d"}),
                   {"--checkpoint-every: 30.00 days is longer than stage \"continue-pretrain\"",
                    "expected auto, epoch, or an interval up to"});
  expect_bad_input(simulate({"--mtbf-hours", "0.001"}),
                   {"--mtbf-hours: 0.001 h per GPU is too short"});
  expect_bad_input({"ask", "4 GPUs, 1 day budget?", "--mtbf-hours", "0"}, {"--mtbf-hours", mtbf});
  expect_bad_input(
      {"ask", "4 GPUs, 1 day budget?", "--mtbf-hours", "100", "--restart-minutes", "-2"},
      {"--restart-minutes", minutes});
  const std::string plan = write_temp_file("plan.json", "");
  expect_bad_input({"plan", "4 GPUs, 1 day budget?", "-o", plan, "--mtbf-hours", "x"},
                   {"--mtbf-hours"});
  expect_bad_input({"simulate", "/nonexistent/plan.json"}, {"/nonexistent/plan.json"});
  expect_bad_input({"simulate", write_temp_file("bad.json", "{\"format\": \"trainplan/plan@9\"}")},
                   {"newer plan format"});
}
