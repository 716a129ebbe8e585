// Pins down DESIGN 3.9 for bad input: exit code 2, nothing on stdout, and one message on
// stderr that names the problem (the flag or file, the bad value, what is accepted): unknown
// GPU and model ids with the closest ids, malformed and invalid --profiles files with
// file:line:column or the JSON path, bad GPU counts, batches, resolutions, questions,
// budgets and money amounts.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/cli_harness.hpp"
#include "support/expect_bad_input.hpp"

using trainplan::testing::expect_bad_input;
using trainplan::testing::MessageLines;

namespace {

std::vector<std::string> estimate_args(const std::string& model, const std::string& gpu,
                                       const std::string& gpus, const std::string& batch,
                                       const std::string& resolution) {
  return {"estimate", "--model", model, "--gpu", gpu, "--gpus", gpus, "--batch", batch,
          "--resolution", resolution, "--images", "118287", "--epochs", "80"};
}

std::vector<std::string> good_estimate() {
  return estimate_args("yolo-world-v2-l", "v100-sxm2-32gb", "4", "64", "640");
}

}  // namespace

TEST_CASE("the good estimate used below succeeds") {
  std::string out, err;
  CHECK(run_trainplan(good_estimate(), out, err) == 0);
  CHECK_FALSE(out.empty());
}

TEST_CASE("an unknown GPU id exits 2 listing the closest ids") {
  expect_bad_input(estimate_args("yolo-world-v2-l", "v100", "4", "64", "640"),
                   {"\"v100\"", "v100-sxm2-16gb", "v100-sxm2-32gb"});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d", "--gpu", "tpu-v5"}, {"tpu-v5"});
}

TEST_CASE("an unknown model id exits 2 listing the closest ids") {
  expect_bad_input(estimate_args("yolo-world-l", "v100-sxm2-32gb", "4", "64", "640"),
                   {"\"yolo-world-l\"", "yolo-world-v2-l"});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d", "--model", "yolo-world-l"},
                   {"yolo-world-l", "yolo-world-v2-l"});
}

TEST_CASE("a malformed --profiles file exits 2 with file:line:column") {
  const std::string file = write_temp_file("broken.json", "{\n  \"gpus\": [\n    {\"id\": \"x\",}\n  ]\n}\n");
  auto args = good_estimate();
  args.insert(args.end(), {"--profiles", file});
  expect_bad_input(args, {file + ":3:"});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d", "--profiles", file}, {file + ":3:"});
}

TEST_CASE("a --profiles file with an unknown field exits 2 with the JSON path") {
  const std::string file = write_temp_file(
      "unknown-field.json",
      R"({"datasets": [{"id": "mine", "images": 100}, {"id": "also-mine", "images": 100, "imagez": 5}]})");
  auto args = good_estimate();
  args.insert(args.end(), {"--profiles", file});
  expect_bad_input(args, {file, "$.datasets[1].imagez"});
}

TEST_CASE("a --profiles file with a bad value or a missing file exits 2") {
  const std::string file = write_temp_file(
      "negative.json", R"({"models": [{"id": "m", "params_m": -1, "gflops": 10, "gflops_resolution": 640}]})");
  auto args = good_estimate();
  args.insert(args.end(), {"--profiles", file});
  expect_bad_input(args, {"$.models[0].params_m", "-1"});
  args = good_estimate();
  args.insert(args.end(), {"--profiles", "/nonexistent/trainplan/profiles.json"});
  expect_bad_input(args, {"/nonexistent/trainplan/profiles.json"});
}

TEST_CASE("GPU counts below 1 exit 2") {
  expect_bad_input(estimate_args("yolo-world-v2-l", "v100-sxm2-32gb", "0", "64", "640"), {"--gpus", "0"});
  expect_bad_input(estimate_args("yolo-world-v2-l", "v100-sxm2-32gb", "-3", "64", "640"), {"--gpus", "-3"});
  expect_bad_input({"ask", "--gpus", "0", "--budget", "1d"}, {"--gpus"});
  expect_bad_input({"ask", "--gpus", "-3", "--budget", "1d"}, {"--gpus", "-3"});
  expect_bad_input({"ask", "0 GPUs, 1 day"}, {"GPUs"}, MessageLines::kSeveral);
}

TEST_CASE("a batch not divisible by the GPUs exits 2") {
  expect_bad_input(estimate_args("yolo-world-v2-l", "v100-sxm2-32gb", "3", "64", "640"),
                   {"--batch", "64", "3 GPUs"});
  auto args = good_estimate();
  args.insert(args.end(), {"--nodes", "3"});
  expect_bad_input(args, {"--nodes"});
}

TEST_CASE("malformed resolutions exit 2 with the accepted forms") {
  for (const char* resolution : {"abc", "0", "640x", "-5", "12x34x56"}) {
    CAPTURE(resolution);
    expect_bad_input(estimate_args("yolo-world-v2-l", "v100-sxm2-32gb", "4", "64", resolution),
                     {"--resolution", std::string("\"") + resolution + "\"", "1333x800"});
  }
}

TEST_CASE("an unparsable question exits 2 showing the accepted forms") {
  expect_bad_input({"ask", "what is the meaning of life?"},
                   {"what is the meaning of life?", "4 GPUs, 1 day budget?", "8xA100 for 36 hours"},
                   MessageLines::kSeveral);
}

TEST_CASE("bad time budgets exit 2") {
  expect_bad_input({"ask", "--gpus", "4", "--budget", "0"}, {"--budget", "\"0\""});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "-1d"}, {"--budget"});
  expect_bad_input({"ask", "--gpus", "4", "--budget=-1d"}, {"--budget", "-1d"});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "soon"}, {"--budget", "\"soon\"", "36h"});
}

TEST_CASE("bad money budgets exit 2") {
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d", "--max-cost", "0"}, {"--max-cost", "\"0\""});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d", "--max-cost", "lots"}, {"--max-cost", "lots"});
}

TEST_CASE("usage errors exit 2") {
  // Usage errors end with a hint to --help on a second line.
  const auto usage = MessageLines::kSeveral;
  expect_bad_input({}, {}, usage);
  expect_bad_input({"frobnicate"}, {"unknown command", "frobnicate", "ask"}, usage);
  expect_bad_input({"estimate", "--model", "yolo-world-v2-l"}, {"--gpu"}, usage);
  expect_bad_input({"ask", "--gpus", "four"}, {"--gpus"}, usage);
}

TEST_CASE("numbers out of bounds exit 2 at once: GPUs above 100,000, infinite or NaN sizes") {
  expect_bad_input({"ask", "--gpus", "2000000000", "--budget", "1d"}, {"--gpus", "2000000000", "100000"});
  expect_bad_input({"ask", "99999999999 GPUs, 1 day"}, {"100000"}, MessageLines::kSeveral);
  expect_bad_input({"ask", "--gpus", "4", "--budget", "inf"}, {"--budget", "inf"});
  expect_bad_input({"estimate", "--model", "yolo-world-v2-l", "--gpu", "v100-sxm2-32gb", "--gpus", "8",
                    "--batch", "128", "--resolution", "640", "--images", "inf", "--epochs", "80"},
                   {"--images", "inf"});
  expect_bad_input({"estimate", "--model", "yolo-world-v2-l", "--gpu", "v100-sxm2-32gb", "--gpus", "8",
                    "--batch", "128", "--resolution", "640", "--images", "1000", "--epochs", "nan"},
                   {"--epochs", "nan"});
}

TEST_CASE("an unknown --intent, a malformed compound budget and a foreign amount exit 2") {
  expect_bad_input({"ask", "--gpus", "4", "--intent", "distill"}, {"--intent", "distill", "pretrain"});
  expect_bad_input({"ask", "--gpus", "4", "--budget", "1d12"}, {"--budget", "1d12", "1d12h"});
  expect_bad_input({"ask", "--gpus", "4", "--max-cost", "€300"}, {"--max-cost", "US dollars"});
}

TEST_CASE("a question that is not UTF-8 or holds an absurd figure exits 2") {
  expect_bad_input({"ask", std::string("\xff\xfe") + "4 GPUs"}, {"UTF-8", "0xFF"});
  expect_bad_input({"ask", "1e9 GPUs, 1 day"}, {"1000000000 GPUs", "100000"});
  expect_bad_input({"ask", "4 GPUs, 1e400 hours"}, {"finite"});
}
