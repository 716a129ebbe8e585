// The streaming index gives the dataset a whole-document reading gives (a reference reader
// here, on nlohmann's DOM), whatever the order of the top-level arrays, with crowd regions and
// areas kept, unread fields skipped, LVIS's coco_url understood, and structural problems as
// clear as before.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "test_support.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/synth.hpp"

using namespace test_support;
using trainplan::executor::data::CocoDataset;
using trainplan::executor::data::load_coco;
using trainplan::executor::data::LoadOptions;

namespace {

// A reference reading of a valid file through a DOM: what the old loader returned.
CocoDataset dom_reading(const std::string& file, const std::string& image_dir) {
  nlohmann::json doc = nlohmann::json::parse(read_text(file));
  CocoDataset out;
  std::map<int64_t, int> category;
  std::vector<std::pair<int64_t, std::string>> sorted;
  for (const auto& c : doc["categories"]) sorted.emplace_back(c["id"].get<int64_t>(), c["name"]);
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [id, name] : sorted) {
    category[id] = static_cast<int>(out.class_names.size());
    out.class_names.push_back(name);
  }
  std::map<int64_t, size_t> by_id;
  for (const auto& i : doc["images"]) {
    data::ImageRecord r;
    r.id = i["id"];
    r.path = image_dir + "/" + i["file_name"].get<std::string>();
    r.width = i["width"];
    r.height = i["height"];
    by_id[r.id] = out.images.size();
    out.images.push_back(r);
  }
  for (const auto& a : doc["annotations"]) {
    if (a.value("iscrowd", 0) != 0) continue;
    auto& r = out.images[by_id.at(a["image_id"])];
    data::Box b;
    b.category = category.at(a["category_id"]);
    const float x = a["bbox"][0], y = a["bbox"][1], w = a["bbox"][2], h = a["bbox"][3];
    b.x = std::max(0.0f, x);
    b.y = std::max(0.0f, y);
    b.w = std::min<float>(r.width, x + w) - b.x;
    b.h = std::min<float>(r.height, y + h) - b.y;
    r.boxes.push_back(b);
  }
  return out;
}

void check_same(const CocoDataset& a, const CocoDataset& b) {
  REQUIRE(a.class_names == b.class_names);
  REQUIRE(a.images.size() == b.images.size());
  for (size_t i = 0; i < a.images.size(); ++i) {
    const auto &x = a.images[i], &y = b.images[i];
    CHECK(x.id == y.id);
    CHECK(x.path == y.path);
    CHECK(x.width == y.width);
    CHECK(x.height == y.height);
    REQUIRE(x.boxes.size() == y.boxes.size());
    for (size_t k = 0; k < x.boxes.size(); ++k) {
      CHECK(x.boxes[k].category == y.boxes[k].category);
      CHECK(x.boxes[k].x == y.boxes[k].x);
      CHECK(x.boxes[k].y == y.boxes[k].y);
      CHECK(x.boxes[k].w == y.boxes[k].w);
      CHECK(x.boxes[k].h == y.boxes[k].h);
    }
  }
}

LoadOptions annotations_only() {
  LoadOptions o;
  o.check_files = false;
  return o;
}

}  // namespace

TEST_CASE("the streamed synthetic data set equals a whole-document reading of it") {
  TempDir dir;
  data::SynthOptions o;
  o.out_dir = dir / "synth";
  o.images = 30;
  o.size = 64;
  data::write_synthetic_dataset(o);
  for (const char* split : {"train", "val"}) {
    const std::string file = o.out_dir + "/annotations/" + split + ".json";
    const std::string images = o.out_dir + "/" + split;
    check_same(load_coco(file, images, {}), dom_reading(file, images));
  }
}

TEST_CASE("array order, unread fields, crowd regions and areas") {
  TempDir dir;
  MiniCoco mini(dir);
  // COCO puts categories last; put them first and the annotations before the images.
  nlohmann::ordered_json doc;
  doc["info"] = {{"description", "test"}, {"nested", {{"a", {1, 2, {{"b", nullptr}}}}}}};
  doc["categories"] = mini.doc["categories"];
  doc["annotations"] = mini.doc["annotations"];
  doc["annotations"][0]["segmentation"] = {{1.5, 2, 3, 4, 5, 6}};
  doc["annotations"][0]["area"] = 250.5;
  doc["annotations"].push_back({{"id", 3}, {"image_id", 7}, {"category_id", 3},
                                {"bbox", {0, 0, 64, 48}}, {"iscrowd", 1}, {"area", 3072}});
  doc["images"] = mini.doc["images"];
  doc["images"][0]["license"] = 4;
  write_text(mini.annotations, doc.dump());
  auto ds = load_coco(mini.annotations, mini.images, {});
  REQUIRE(ds.images.size() == 2);
  CHECK(ds.class_names == std::vector<std::string>{"cat", "dog"});
  REQUIRE(ds.images[0].boxes.size() == 1);
  CHECK(ds.images[0].boxes[0].area == 250.5f);
  CHECK(ds.images[0].crowd.empty());
  // The crowd region is kept apart: never trained on, there for evaluation.
  REQUIRE(ds.images[1].boxes.size() == 1);
  CHECK(ds.images[1].boxes[0].area == 0);
  REQUIRE(ds.images[1].crowd.size() == 1);
  CHECK(ds.images[1].crowd[0].w == 64);
  CHECK(ds.images[1].crowd[0].area == 3072);
}

TEST_CASE("LVIS images are named by their COCO address") {
  TempDir dir;
  MiniCoco mini(dir);
  fs::create_directories(dir / "train2017");
  fs::copy_file(mini.image_path("img_0001.png"), dir / "train2017/000000000001.png");
  mini.doc["images"][0].erase("file_name");
  mini.doc["images"][0]["coco_url"] = "http://images.cocodataset.org/train2017/000000000001.png";
  mini.doc["images"][1]["file_name"] = "images/img_0007.png";
  mini.write();
  auto ds = load_coco(mini.annotations, dir.path().string(), {});
  CHECK(ds.images[0].path == dir / "train2017/000000000001.png");
  CHECK(ds.images[1].path == dir / "images/img_0007.png");

  mini.doc["images"][0]["coco_url"] = "nothing";
  mini.write();
  CHECK(input_error_of([&] { load_coco(mini.annotations, dir.path().string(), {}); }) ==
        mini.annotations +
            ": $.images[0].coco_url: \"nothing\" does not end in <folder>/<file> (and there is "
            "no file_name)");
}

TEST_CASE("structural problems of a streamed file") {
  TempDir dir;
  MiniCoco mini(dir);
  auto error = [&](const std::string& text) {
    write_text(mini.annotations, text);
    return input_error_of([&] { load_coco(mini.annotations, mini.images, annotations_only()); });
  };
  CHECK(error("[1, 2]") == mini.annotations + ": $: expected a JSON object, got [1,2]");
  CHECK(error("{\"images\": {\"a\": 1}, \"annotations\": [], \"categories\": []}") ==
        mini.annotations + ": $.images: expected a JSON array, got {\"a\":1}");
  CHECK(error("{\"images\": [], \"annotations\": [], \"categories\": []}") ==
        mini.annotations + ": $.images: no images; at least one is needed");
  CHECK(error("{\"images\": [3], \"annotations\": [], \"categories\": [{\"id\": 1}]}") ==
        mini.annotations + ": $.categories[0].name: missing required field");
  // An item that is not an object is an item problem, skippable like the others.
  mini.doc["images"].push_back(5);
  mini.write();
  LoadOptions skip = annotations_only();
  skip.skip_bad_samples = true;
  std::vector<std::string> skipped;
  CHECK(load_coco(mini.annotations, mini.images, skip, &skipped).images.size() == 2);
  CHECK(skipped == std::vector<std::string>{mini.annotations +
                                            ": $.images[2]: expected a JSON object, got 5"});
  // Truncated in the middle of the annotations.
  const std::string text = mini.doc.dump();
  CHECK(error(text.substr(0, text.size() / 2)).rfind(mini.annotations + ":1:", 0) == 0);
}

TEST_CASE("an area that is not a number of pixels spoils its image") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.doc["annotations"][1]["area"] = "big";
  mini.write();
  CHECK(input_error_of([&] { load_coco(mini.annotations, mini.images, annotations_only()); }) ==
        mini.annotations +
            ": $.annotations[1].area: expected a number >= 0 (pixels), got \"big\"");
}

TEST_CASE("without file checks no image file is opened") {
  TempDir dir;
  MiniCoco mini(dir);
  mini.write();
  fs::remove(mini.image_path("img_0007.png"));
  CHECK(load_coco(mini.annotations, mini.images, annotations_only()).images.size() == 2);
}
