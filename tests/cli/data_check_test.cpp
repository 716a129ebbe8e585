// `trainplan data check`: every image opened and decoded in parallel, bad samples listed by
// file and JSON item with a summary and exit 2; a good set exits 0; a progress line on
// standard error; a path with no known layout is bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"

namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("data check lists bad images by file and item and exits 2") {
  const std::string dir = make_temp_dir();
  std::string out, err;
  REQUIRE(run_trainplan({"data", "synth", "--out", dir + "/set", "--images", "20", "--size", "64"},
                        out, err) == 0);
  CHECK(run_trainplan({"data", "check", dir + "/set", "--threads", "2"}, out, err) == 0);
  CHECK(has(out, "train (" + dir + "/set/annotations/train.json): "));
  CHECK(has(out, "data check: all samples are good"));
  CHECK(has(err, "checking train: "));

  // One missing file, one that is not an image.
  const std::string train = dir + "/set/train";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(train)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  fs::remove(train + "/" + names[0]);
  std::ofstream(train + "/" + names[1], std::ios::trunc) << "not an image";
  CHECK(run_trainplan({"data", "check", dir + "/set"}, out, err) == 2);
  CAPTURE(out);
  CHECK(has(out, "bad: " + dir + "/set/annotations/train.json: $.images["));
  CHECK(has(out, names[0] + ": image file does not exist"));
  CHECK(has(out, names[1] + ": cannot decode image"));
  CHECK(has(out, "2 bad samples"));
  CHECK(has(out, "data check: 2 bad samples"));

  // An annotation file needs its image folder; a folder with no known layout is refused.
  CHECK(run_trainplan({"data", "check", dir + "/set/annotations/val.json", "--images",
                       dir + "/set/val"},
                      out, err) == 0);
  CHECK(run_trainplan({"data", "check", dir}, out, err) == 2);
  CHECK(has(err, dir + ": no known data set layout: tried " + dir + "/annotations/train.json"));
}
