// Every kind of bad COCO input gives one InputError whose exact message names the file, the
// item (JSON path, image id and file name) and the bad value, and says what is accepted.
#include <doctest/doctest.h>

#include "test_support.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"

using namespace test_support;
using trainplan::executor::data::load_coco;

namespace {

std::string load_error(const MiniCoco& mini) {
  mini.write();
  return input_error_of([&] { load_coco(mini.annotations, mini.images, {}); });
}

}  // namespace

TEST_CASE("a negative box width names the file, the annotation, the image and the box") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["bbox"] = {10, 20, -5, 8};
  CHECK(load_error(mini) == mini.annotations +
                                ": $.annotations[1] (image 7, \"img_0007.png\"): box [10,20,-5,8] "
                                "has a negative width; boxes must lie inside the 64x48 image");
}

TEST_CASE("a negative or non-numeric area is rejected, for crowd regions too") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["area"] = -1;
  const std::string item = mini.annotations + ": $.annotations[1].area: ";
  CHECK(load_error(mini) == item + "expected a number >= 0 (pixels), got -1");
  mini.doc["annotations"][1]["area"] = "big";
  mini.doc["annotations"][1]["iscrowd"] = 1;
  CHECK(load_error(mini) == item + "expected a number >= 0 (pixels), got \"big\"");
}

TEST_CASE("zero-size and out-of-image boxes are rejected") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][0]["bbox"] = {10, 20, 5, 0};
  CHECK(load_error(mini) == mini.annotations +
                                ": $.annotations[0] (image 1, \"img_0001.png\"): box [10,20,5,0] "
                                "has zero size; boxes must lie inside the 64x48 image");
  mini.doc["annotations"][0]["bbox"] = {50, 10, 20, 10};  // right edge at 70 > 64 + 1
  CHECK(load_error(mini) == mini.annotations +
                                ": $.annotations[0] (image 1, \"img_0001.png\"): box [50,10,20,10] "
                                "extends outside the image; boxes must lie inside the 64x48 image "
                                "(1 px tolerance)");
  mini.doc["annotations"][0]["bbox"] = {10, 10, 20};
  CHECK(load_error(mini) == mini.annotations +
                                ": $.annotations[0] (image 1, \"img_0001.png\"): bbox [10,10,20] "
                                "is not [x, y, width, height] with 4 finite numbers");
}

TEST_CASE("an unknown category id lists the known ones") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["category_id"] = 5;
  CHECK(load_error(mini) == mini.annotations +
                                ": $.annotations[1] (image 7, \"img_0007.png\"): category_id 5 is "
                                "not among $.categories (ids: 3, 11)");
}

TEST_CASE("a missing image file and an undecodable one name the image entry and the path") {
  TempDir dir;
  MiniCoco mini(dir);
  const std::string path = mini.image_path("img_0007.png");
  std::filesystem::remove(path);
  CHECK(load_error(mini) == mini.annotations + ": $.images[1] (image 7, \"img_0007.png\"): " +
                                path + ": image file does not exist");

  std::string noise;
  for (int i = 0; i < 500; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 251));
  write_text(path, noise);
  CHECK(load_error(mini) == mini.annotations +
                                ": $.images[1] (image 7, \"img_0007.png\"): " + path +
                                ": cannot decode image (unknown image type); PNG, JPEG "
                                "and BMP are accepted");
}

TEST_CASE("an image file whose size differs from its entry is rejected") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["images"][0]["width"] = 60;
  CHECK(load_error(mini) == mini.annotations + ": $.images[0] (image 1, \"img_0001.png\"): " +
                                mini.image_path("img_0001.png") +
                                ": image file is 64x48 but the annotation says 60x48");
}

TEST_CASE("malformed JSON gives line and column") {
  TempDir dir;
  MiniCoco mini(dir);
  write_text(mini.annotations, "{\"images\": [\n  {\"id\": 1,}\n]}");
  std::string message = input_error_of([&] { load_coco(mini.annotations, mini.images, {}); });
  CHECK(message.rfind(mini.annotations + ":2:12: invalid JSON: parse error", 0) == 0);
}

TEST_CASE("missing fields, duplicates and missing files or folders") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["images"][0].erase("width");
  CHECK(load_error(mini) == mini.annotations + ": $.images[0].width: missing required field");

  MiniCoco dup(dir);
  dup.doc["images"][1]["id"] = 1;
  CHECK(load_error(dup) == dup.annotations + ": $.images[1].id: duplicate image id 1");

  MiniCoco no_categories(dir);
  no_categories.doc.erase("categories");
  CHECK(load_error(no_categories) ==
        no_categories.annotations + ": $.categories: missing required field");

  MiniCoco bad_id(dir);
  bad_id.doc["annotations"][0]["image_id"] = "1";
  CHECK(load_error(bad_id) ==
        bad_id.annotations + ": $.annotations[0].image_id: expected an integer, got \"1\"");

  const std::string absent = dir / "absent.json";
  CHECK(input_error_of([&] { load_coco(absent, mini.images, {}); }) ==
        absent + ": annotation file does not exist");
  mini.write();
  const std::string no_dir = dir / "no-such-dir";
  CHECK(input_error_of([&] { load_coco(mini.annotations, no_dir, {}); }) ==
        no_dir + ": image directory does not exist (images of " + mini.annotations + ")");
}
