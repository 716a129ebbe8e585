// Bad input to `trainplan report`: exit 2 with one message naming the file (and line and field)
// and what is accepted. Needs no chart library: inputs are read first.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "scratch_dir.hpp"
#include "support/cli_harness.hpp"

namespace {

// Makes `dir` a run directory: the plan `trainplan plan` writes and `metrics` as its
// metrics.jsonl.
const std::string& run_dir_with_metrics(const std::string& dir, const std::string& metrics) {
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", dir + "/plan.json"}, out, err) ==
          0);
  std::ofstream(dir + "/metrics.jsonl") << metrics;
  return dir;
}

// Runs the report of `input`; expects exit 2 and returns the message.
std::string bad_report(const std::string& input) {
  std::string out, err;
  const ScratchDir output;
  const int code = run_trainplan({"report", input, "-o", output.path + "/r.html"}, out, err);
  INFO(err);
  CHECK(code == 2);
  return err;
}

constexpr const char* kGoodLine =
    R"({"stage":"finetune","epoch":1,"train_loss":2.5,"map50":0.1,"seconds":3.2,"seconds_per_iter":0.27})";

}  // namespace

TEST_CASE("report of a path that does not exist names it and what report takes") {
  const ScratchDir scratch;
  const std::string missing = scratch.path + "/no-such-run";
  const std::string err = bad_report(missing);
  CHECK(err.find(missing + ": no such file or directory") != std::string::npos);
  CHECK(err.find("plan file") != std::string::npos);
  CHECK(err.find("run directory") != std::string::npos);
}

TEST_CASE("report of a folder without plan.json says it is not a run directory") {
  const ScratchDir scratch;
  const std::string& dir = scratch.path;
  std::ofstream(dir + "/metrics.jsonl") << kGoodLine << "\n";
  const std::string err = bad_report(dir);
  CHECK(err.find(dir + " is not a run directory: it has no plan.json") != std::string::npos);
}

TEST_CASE("report of a run whose metrics.jsonl has a malformed line names the file and line") {
  const ScratchDir scratch;
  const std::string& dir = run_dir_with_metrics(
      scratch.path,
      std::string(kGoodLine) + "\n{\"stage\": \"finetune\", \"epo\n" + kGoodLine + "\n");
  const std::string err = bad_report(dir);
  CHECK(err.find(dir + "/metrics.jsonl line 2: not a JSON object") != std::string::npos);
}

TEST_CASE("report of a run whose metrics field has the wrong type names the field and value") {
  const ScratchDir scratch;
  const std::string& dir = run_dir_with_metrics(
      scratch.path, std::string(kGoodLine) + "\n" +
                        R"({"stage":"finetune","epoch":2,"train_loss":"low"})" + "\n");
  const std::string err = bad_report(dir);
  CHECK(err.find(
            dir +
            "/metrics.jsonl line 2: field \"train_loss\" is \"low\"; expected a number or null") !=
        std::string::npos);
}

TEST_CASE("report of a run with a malformed forecast.jsonl names that file") {
  const ScratchDir scratch;
  const std::string& dir = run_dir_with_metrics(scratch.path, std::string(kGoodLine) + "\n");
  std::ofstream(dir + "/forecast.jsonl") << R"({"kind":"forecast","elapsed_s":"soon"})"
                                         << "\n";
  const std::string err = bad_report(dir);
  CHECK(err.find(dir + "/forecast.jsonl line 1: field \"elapsed_s\"") != std::string::npos);
}

TEST_CASE("report of a bad plan file is refused by the plan reader, exit 2") {
  const ScratchDir scratch;
  const std::string& dir = scratch.path;
  std::ofstream(dir + "/plan.json") << "{\"format\": \"trainplan/plan@1\"";
  const std::string err = bad_report(dir + "/plan.json");
  CHECK(err.find(dir + "/plan.json") != std::string::npos);
}

TEST_CASE("report refuses more Monte Carlo runs than a page holds") {
  const ScratchDir scratch;
  const std::string& dir = run_dir_with_metrics(scratch.path, std::string(kGoodLine) + "\n");
  std::string out, err;
  CHECK(run_trainplan({"report", dir, "-o", dir + "/r.html", "--runs", "50000"}, out, err) == 2);
  CHECK(err.find("--runs: 50000") != std::string::npos);
}
