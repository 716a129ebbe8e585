// load_coco on valid input: category ids mapped to contiguous indices in id order, boxes
// kept (and clipped within the 1 px tolerance), crowd annotations kept apart, COCO areas read,
// JPEG accepted, and the two strengths of image check (header only, full decode).
#include <doctest/doctest.h>

#include "test_support.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"

using namespace test_support;
using trainplan::executor::data::load_coco;
using trainplan::executor::data::LoadOptions;

TEST_CASE("category ids map to contiguous indices in increasing id order") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.write();
  auto ds = load_coco(mini.annotations, mini.images, {});
  REQUIRE(ds.class_names == std::vector<std::string>{"cat", "dog"});  // id 3 before id 11
  REQUIRE(ds.images.size() == 2);
  CHECK(ds.images[0].id == 1);
  CHECK(ds.images[0].path == mini.image_path("img_0001.png"));
  CHECK(ds.images[0].width == 64);
  CHECK(ds.images[0].height == 48);
  REQUIRE(ds.images[0].boxes.size() == 1);
  CHECK(ds.images[0].boxes[0].category == 0);  // category id 3 -> "cat"
  CHECK(ds.images[0].boxes[0].x == 10);
  CHECK(ds.images[0].boxes[0].w == 20);
  REQUIRE(ds.images[1].boxes.size() == 1);
  CHECK(ds.images[1].id == 7);
  CHECK(ds.images[1].boxes[0].category == 1);  // category id 11 -> "dog"
  CHECK(ds.images[1].boxes[0].h == 40);
}

TEST_CASE("a box overhanging its image by under 1 px is clipped, not rejected") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][0]["bbox"] = {-0.5, 40.0, 64.8, 8.9};  // ends at x 64.3, y 48.9
  mini.write();
  auto ds = load_coco(mini.annotations, mini.images, {});
  const auto& b = ds.images[0].boxes.at(0);
  CHECK(b.x == 0.0f);
  CHECK(b.y == 40.0f);
  CHECK(b.w == 64.0f);
  CHECK(b.h == 8.0f);
}

TEST_CASE("crowd annotations are kept apart and images without objects are kept") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["iscrowd"] = 1;
  mini.doc["annotations"][0]["iscrowd"] = false;  // some exporters write booleans
  mini.write();
  auto ds = load_coco(mini.annotations, mini.images, {});
  REQUIRE(ds.images.size() == 2);
  CHECK(ds.images[0].boxes.size() == 1);
  CHECK(ds.images[0].crowd.empty());
  CHECK(ds.images[1].boxes.empty());  // not trained on
  REQUIRE(ds.images[1].crowd.size() == 1);  // but evaluation ignores detections inside it
  CHECK(ds.images[1].crowd[0].category == 1);
  CHECK(ds.images[1].crowd[0].w == 30);
}

TEST_CASE("COCO's area is read when present, 0 when absent") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][0]["area"] = 212.5;  // a segment's area, not the box's 20 x 15
  mini.write();
  auto ds = load_coco(mini.annotations, mini.images, {});
  CHECK(ds.images[0].boxes.at(0).area == 212.5f);
  CHECK(ds.images[1].boxes.at(0).area == 0.0f);
}

TEST_CASE("JPEG images are decoded") {
  TempDir dir;
  MiniCoco mini(dir);
  data::write_binary_file(mini.image_path("photo.jpg"),
                          data::encode_jpeg(solid_image(64, 48, 200, 100, 50), 95));
  mini.doc["images"][1]["file_name"] = "photo.jpg";
  mini.write();
  auto ds = load_coco(mini.annotations, mini.images, {});
  CHECK(ds.images[1].path == mini.image_path("photo.jpg"));
  auto image = data::decode_image(ds.images[1].path);
  CHECK(image.width == 64);
  CHECK(image.height == 48);
  CHECK(std::abs(int(image.rgb[0]) - 200) <= 3);  // JPEG is lossy
  CHECK(std::abs(int(image.rgb[2]) - 50) <= 3);
}

TEST_CASE("a truncated image passes the header check but not the decode check") {
  TempDir dir;
  MiniCoco mini(dir);
  const std::string path = mini.image_path("img_0007.png");
  std::string bytes = read_text(path);
  write_text(path, bytes.substr(0, bytes.size() / 2));
  mini.write();
  LoadOptions header_only;
  header_only.decode_check = false;
  CHECK(load_coco(mini.annotations, mini.images, header_only).images.size() == 2);
  std::string message = input_error_of([&] { load_coco(mini.annotations, mini.images, {}); });
  CHECK(message.rfind(mini.annotations + ": $.images[1] (image 7, \"img_0007.png\"): " + path +
                          ": cannot decode image",
                      0) == 0);
}

TEST_CASE("skip_bad_samples leaves out bad images and reports each with its message") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["bbox"] = {10, 20, -5, 8};
  mini.doc["annotations"].push_back(
      {{"id", 3}, {"image_id", 99}, {"category_id", 3}, {"bbox", {1, 1, 2, 2}}});
  mini.write();
  const std::string strict = input_error_of([&] { load_coco(mini.annotations, mini.images, {}); });

  LoadOptions skip;
  skip.skip_bad_samples = true;
  std::vector<std::string> skipped;
  auto ds = load_coco(mini.annotations, mini.images, skip, &skipped);
  REQUIRE(ds.images.size() == 1);
  CHECK(ds.images[0].id == 1);
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0] == strict);  // the same message the strict load throws
  CHECK(skipped[1] == mini.annotations + ": $.annotations[2]: image_id 99 is not among $.images");

  // When nothing usable is left, skipping still ends in an error.
  mini.doc["annotations"][0]["bbox"] = {10, 20, 5, -8};
  mini.write();
  skipped.clear();
  std::string message =
      input_error_of([&] { load_coco(mini.annotations, mini.images, skip, &skipped); });
  CHECK(message == mini.annotations + ": no usable images: all 2 listed were skipped as bad");
  CHECK(skipped.size() == 3);
}
