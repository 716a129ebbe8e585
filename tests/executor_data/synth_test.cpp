// The synthetic dataset: load_coco reads it back with the counts, classes and boxes written,
// objects have the promised sizes and lie inside their images, output is byte-identical for
// a seed, it is fast, and bad options name their flag.
#include "trainplan/executor/data/synth.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "test_support.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"

using namespace test_support;
using namespace trainplan::executor::data;

TEST_CASE("a synthetic dataset loads back with matching counts and in-image boxes") {
  TempDir dir;
  SynthOptions o;
  o.out_dir = dir / "synth";
  o.images = 40;
  o.classes = 4;
  o.size = 96;
  o.max_objects = 3;
  o.seed = 3;
  write_synthetic_dataset(o);

  CHECK(read_text(o.out_dir + "/classes.txt") == "circle\nsquare\ntriangle\ncross\n");
  auto train = load_coco(o.out_dir + "/annotations/train.json", o.out_dir + "/train", {});
  auto val = load_coco(o.out_dir + "/annotations/val.json", o.out_dir + "/val", {});
  CHECK(train.images.size() == 32);
  CHECK(val.images.size() == 8);  // 40 x 0.2
  CHECK(train.class_names == synthetic_class_names(4));
  CHECK(val.class_names == train.class_names);

  const auto raw = nlohmann::json::parse(read_text(o.out_dir + "/annotations/train.json"));
  size_t boxes = 0;
  std::vector<int> per_class(4, 0);
  for (const auto* ds : {&train, &val}) {
    for (const auto& image : ds->images) {
      CHECK(image.width == 96);
      CHECK(image.height == 96);
      CHECK(image.boxes.size() >= 1);
      CHECK(image.boxes.size() <= 3);
      for (const auto& b : image.boxes) {
        CHECK(b.x >= 0);
        CHECK(b.y >= 0);
        CHECK(b.x + b.w <= 96);
        CHECK(b.y + b.h <= 96);
        CHECK(b.w >= 0.15 * 96);
        CHECK(b.w <= 0.45 * 96);
        CHECK(b.h >= 0.15 * 96);
        CHECK(b.h <= 0.45 * 96);
        ++per_class.at(b.category);
      }
      if (ds == &train) boxes += image.boxes.size();
    }
  }
  CHECK(raw["annotations"].size() == boxes);
  CHECK(raw["annotations"][0]["iscrowd"] == 0);
  CHECK(raw["annotations"][0]["area"] == raw["annotations"][0]["bbox"][2].get<double>() *
                                             raw["annotations"][0]["bbox"][3].get<double>());
  for (int count : per_class) CHECK(count > 0);  // every class appears
}

TEST_CASE("the same seed writes byte-identical files, another seed does not") {
  TempDir dir;
  SynthOptions o;
  o.images = 12;
  o.seed = 9;
  o.out_dir = dir / "a";
  write_synthetic_dataset(o);
  o.out_dir = dir / "b";
  write_synthetic_dataset(o);
  o.seed = 10;
  o.out_dir = dir / "c";
  write_synthetic_dataset(o);
  for (const char* file :
       {"/annotations/train.json", "/annotations/val.json", "/train/000001.png"}) {
    CHECK(read_text(dir / "a" + file) == read_text(dir / "b" + file));
    CHECK(read_text(dir / "a" + file) != read_text(dir / "c" + file));
  }
}

TEST_CASE("200 images of 128 px take well under a second") {
  TempDir dir;
  SynthOptions o;
  o.out_dir = dir / "fast";
  const auto start = std::chrono::steady_clock::now();
  write_synthetic_dataset(o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("200 synthetic images in " << seconds << " s");
  // Measured: about 0.25 s of CPU, 0.45 s wall on a loaded 2-core machine. The bound is
  // loose so that a busy CI machine does not fail it; it still catches a slow encoder (stb's
  // own deflate alone took 0.8 s).
  CHECK(seconds < 2.0);
  CHECK(load_coco(o.out_dir + "/annotations/train.json", o.out_dir + "/train", {}).images.size() ==
        160);
}

TEST_CASE("bad synthetic options name their flag") {
  SynthOptions o;
  o.out_dir = "/tmp/unused-trainplan-synth";
  o.images = 0;
  CHECK(input_error_of([&] { write_synthetic_dataset(o); }) ==
        "--images 0 is invalid; expected at least 1");
  o.images = 10;
  o.classes = 11;
  CHECK(input_error_of([&] { write_synthetic_dataset(o); }) ==
        "--classes 11 is invalid; expected 1..10");
  o.classes = 3;
  o.size = 16;
  CHECK(input_error_of([&] { write_synthetic_dataset(o); }) ==
        "--size 16 is invalid; expected 32..1024");
  o.size = 128;
  o.val_fraction = 1;
  CHECK(input_error_of([&] { write_synthetic_dataset(o); }) ==
        "--val-fraction 1 is invalid; expected a number in [0, 1)");
}
