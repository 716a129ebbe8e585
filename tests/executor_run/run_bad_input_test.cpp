// Bad input stops `trainplan run` with exit 2 before any worker starts, naming the file and
// the item: a missing dataset, a negative or out-of-image box (or, with --skip-bad-samples,
// reported and skipped), an unknown init stage, a checkpoint made for another model. An
// undecodable image is named by the loader when reached, and by `trainplan data check`.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& parts,
                    const std::string& work) {
  std::string out, err;
  CAPTURE(err);
  CHECK(run_trainplan(args, out, err) == 2);
  for (const auto& p : parts) {
    CAPTURE(p);
    CHECK(err.find(p) != std::string::npos);
  }
  // No worker started: no worker logs were written.
  CHECK_FALSE(fs::exists(work + "/logs/rank0.log"));
  CHECK_FALSE(fs::exists(work + "/logs/rank1.log"));
}

}  // namespace

TEST_CASE("a missing dataset is refused before any worker starts") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::unscaled_plan(dir);
  expect_refused({"run", plan, "--nproc", "2", "--data-root", dir + "/nowhere", "--work-dir", dir + "/w"},
                 {"plan stage", "data set \"shapes\" (train split) not found", "nowhere/shapes",
                  "annotations/instances_train2017.json", "--data shapes=PATH", "--data-root"},
                 dir + "/w");
  // A --data folder that holds no known layout, and a flag that is not ID=PATH.
  expect_refused({"run", plan, "--data", "shapes=" + dir + "/empty", "--work-dir", dir + "/w"},
                 {"data set \"shapes\"", dir + "/empty (from --data)"}, dir + "/w");
  expect_refused({"run", plan, "--data", "shapes", "--work-dir", dir + "/w"},
                 {"--data: \"shapes\" is not accepted; expected ID=PATH"}, dir + "/w");
}

TEST_CASE("a negative box, an out-of-image box and an undecodable image name file and item") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::unscaled_plan(dir);
  run_test::synth_shapes(dir);
  const std::string ann = dir + "/shapes/annotations/train.json";
  const json good = json::parse(std::ifstream(ann));

  json negative = good;
  negative["annotations"][0]["bbox"][2] = -5;
  std::ofstream(ann) << negative.dump();
  expect_refused({"run", plan, "--nproc", "2", "--data-root", dir, "--work-dir", dir + "/w1"},
                 {"train.json", "$.annotations[0]", "negative width"}, dir + "/w1");

  json outside = good;
  outside["annotations"][0]["bbox"] = {100, 100, 90, 90};
  std::ofstream(ann) << outside.dump();
  expect_refused({"run", plan, "--nproc", "2", "--data-root", dir, "--work-dir", dir + "/w2"},
                 {"train.json", "$.annotations[0]", "inside"}, dir + "/w2");

  // Start-up opens no image (at full scale that alone would take minutes): the loader meets
  // an undecodable file when a batch needs it and names the file and its image id, and
  // `trainplan data check` finds it beforehand.
  std::ofstream(ann) << good.dump();
  const std::string name = good["images"][0]["file_name"].get<std::string>();
  const std::string image = dir + "/shapes/train/" + name;
  const std::string saved = dir + "/saved.png";
  fs::copy_file(image, saved);
  std::ofstream(image, std::ios::trunc) << "this is not a PNG";
  std::string out, err;
  CHECK(run_trainplan({"run", plan, "--nproc", "2", "--data-root", dir, "--work-dir", dir + "/w3"},
                      out, err) != 0);
  CAPTURE(err);
  CHECK(err.find(name) != std::string::npos);
  CHECK(err.find("(image id " + std::to_string(good["images"][0]["id"].get<int64_t>())) !=
        std::string::npos);
  CHECK(run_trainplan({"data", "check", dir + "/shapes"}, out, err) == 2);
  CHECK(out.find("$.images[0]") != std::string::npos);
  CHECK(out.find(name) != std::string::npos);
  // With --skip-bad-samples the loader reports the image and trains on the next one instead.
  CHECK(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", dir + "/w5",
                       "--skip-bad-samples"},
                      out, err) == 0);
  CHECK(err.find("skipped image id " + std::to_string(good["images"][0]["id"].get<int64_t>())) !=
        std::string::npos);
  CHECK(err.find(name) != std::string::npos);
  fs::copy_file(saved, image, fs::copy_options::overwrite_existing);

  // With --skip-bad-samples a bad annotation's image is reported and skipped, and the run goes on.
  std::ofstream(ann) << negative.dump();
  CHECK(run_trainplan({"run", plan, "--data-root", dir, "--work-dir", dir + "/w4",
                       "--skip-bad-samples", "--max-steps", "1"},
                      out, err) == 0);
  CHECK(err.find("skipped") != std::string::npos);
}

TEST_CASE("an eval_dataset with other classes than the trained data set is refused") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  std::string out, err;
  REQUIRE(run_trainplan({"data", "synth", "--out", dir + "/other", "--images", "20", "--size",
                         "128", "--classes", "2"},
                        out, err) == 0);
  const std::string plan = run_test::unscaled_plan(dir);
  json doc = json::parse(std::ifstream(plan));
  doc["stages"][0]["eval_dataset"] = "other";
  std::ofstream(plan) << doc.dump(2);
  expect_refused({"run", plan, "--data-root", dir, "--work-dir", dir + "/w"},
                 {"eval_dataset \"other\"", dir + "/other/annotations/val.json, 2 classes",
                  "3 classes", "eval_dataset \"\""},
                 dir + "/w");
}

TEST_CASE("an unknown init stage is refused with its JSON path") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::unscaled_plan(dir, "stage:ghost");
  expect_refused({"run", plan, "--nproc", "2", "--work-dir", dir + "/w"},
                 {"$.stages[0].init", "ghost"}, dir + "/w");
}

TEST_CASE("a checkpoint made for another model is refused") {
  const std::string dir = make_temp_dir();
  // A tiny-detector checkpoint from a short scaled run...
  const std::string scaled = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  std::string out, err;
  REQUIRE(run_trainplan({"run", scaled, "--scale-to-local", "--global-batch", "8", "--max-steps",
                         "1", "--work-dir", dir + "/tiny"},
                        out, err) == 0);
  const std::string tiny = dir + "/tiny/checkpoints/pretrain/last.pt";
  REQUIRE(fs::exists(tiny));
  // ... named as the pre-trained weights of an `n` detector.
  run_test::synth_shapes(dir);
  const std::string plan = run_test::unscaled_plan(dir, "pretrained:" + tiny);
  expect_refused({"run", plan, "--nproc", "2", "--data-root", dir, "--work-dir", dir + "/w"},
                 {tiny, "\"tiny\"", "\"n\""}, dir + "/w");
}

TEST_CASE("micro-batches that do not divide the per-rank batch are refused") {
  const std::string dir = make_temp_dir();
  const std::string plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?", "pretrain");
  expect_refused({"run", plan, "--scale-to-local", "--nproc", "2", "--global-batch", "8",
                  "--accumulate", "3", "--work-dir", dir + "/w"},
                 {"plan stage \"pretrain\"", "4 images", "3 equal micro-batches", "--accumulate 3"},
                 dir + "/w");
  expect_refused({"run", plan, "--scale-to-local", "--accumulate", "-1", "--work-dir", dir + "/w"},
                 {"--accumulate", "-1"}, dir + "/w");
}
