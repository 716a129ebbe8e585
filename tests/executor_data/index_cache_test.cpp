// The binary index cache: written beside the annotation file once it is older than 2 s,
// reused while the file's size and time match, rebuilt when they change, and kept in
// $XDG_CACHE_HOME/trainplan when the data folder cannot take it.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>

#include "test_support.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"

using namespace test_support;
using trainplan::executor::data::load_coco;
using trainplan::executor::data::LoadOptions;

namespace {

// Makes the file look written an hour ago (a cache is never written for a fresh file).
void age(const std::string& path, std::chrono::seconds by = std::chrono::hours(1)) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - by);
}

LoadOptions annotations_only() {
  LoadOptions o;
  o.check_files = false;
  return o;
}

float first_box_x(const MiniCoco& mini) {
  return load_coco(mini.annotations, mini.images, annotations_only()).images[0].boxes[0].x;
}

}  // namespace

TEST_CASE("the index cache is reused while the file is unchanged and rebuilt when it changes") {
  TempDir dir;
  MiniCoco mini(dir);
  const std::string cache = mini.annotations + ".trainplan-index";
  mini.write();
  CHECK(first_box_x(mini) == 10);
  CHECK_FALSE(fs::exists(cache));  // too fresh to trust its time stamp
  age(mini.annotations);
  CHECK(first_box_x(mini) == 10);
  REQUIRE(fs::exists(cache));

  // Same size and time, other content: the cache answers (this is what makes it cheap).
  const auto stamp = fs::last_write_time(mini.annotations);
  mini.doc["annotations"][0]["bbox"][0] = 12;
  mini.write();
  fs::last_write_time(mini.annotations, stamp);
  CHECK(first_box_x(mini) == 10);

  // A new time (or size) rebuilds it.
  age(mini.annotations, std::chrono::minutes(30));
  CHECK(first_box_x(mini) == 12);
  mini.doc["annotations"][0]["bbox"][0] = 13.5;
  mini.write();
  age(mini.annotations, std::chrono::minutes(20));
  CHECK(first_box_x(mini) == 13.5f);

  // A damaged cache reads as none.
  write_text(cache, "TPCOCOIX garbage");
  CHECK(first_box_x(mini) == 13.5f);
}

TEST_CASE("the cached index keeps problems, crowd regions and the skipping behaviour") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["bbox"] = {10, 20, -5, 8};
  mini.doc["annotations"].push_back(
      {{"id", 3}, {"image_id", 1}, {"category_id", 3}, {"bbox", {1, 1, 5, 5}}, {"iscrowd", 1}});
  mini.write();
  age(mini.annotations);
  LoadOptions skip = annotations_only();
  skip.skip_bad_samples = true;
  for (int round = 0; round < 2; ++round) {  // built, then read from the cache
    CAPTURE(round);
    std::vector<std::string> skipped;
    auto ds = load_coco(mini.annotations, mini.images, skip, &skipped);
    REQUIRE(ds.images.size() == 1);
    CHECK(ds.images[0].crowd.size() == 1);
    REQUIRE(skipped.size() == 1);
    CHECK(contains(skipped[0], "has a negative width"));
    CHECK(contains(input_error_of([&] {
                     load_coco(mini.annotations, mini.images, annotations_only());
                   }),
                   "has a negative width"));
    CHECK(fs::exists(mini.annotations + ".trainplan-index"));
  }
}

TEST_CASE("a data folder that cannot take the cache sends it to XDG_CACHE_HOME") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.write();
  age(mini.annotations);
  // A folder where the cache file would go: writing beside fails even for root.
  fs::create_directories(mini.annotations + ".trainplan-index");
  const std::string cache_home = dir / "xdg";
  const char* before = std::getenv("XDG_CACHE_HOME");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("XDG_CACHE_HOME", cache_home.c_str(), 1);
  CHECK(first_box_x(mini) == 10);
  size_t files = 0;
  if (fs::is_directory(cache_home + "/trainplan"))
    for (const auto& entry : fs::directory_iterator(cache_home + "/trainplan")) {
      CHECK(contains(entry.path().filename().string(), ".trainplan-index"));
      ++files;
    }
  CHECK(files == 1);
  CHECK(first_box_x(mini) == 10);  // read back from there
  if (before != nullptr) {
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_CACHE_HOME");
  }
}
