// Where a plan's data set is: the split an id names, --data before --data-root, each known
// layout, and the message when none is found.
#include <doctest/doctest.h>

#include "test_support.hpp"
#include "trainplan/executor/data/data_location.hpp"

using namespace test_support;
using namespace trainplan::executor::data;

namespace {

void touch(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  write_text(path, "{}");
}

}  // namespace

TEST_CASE("a data set id names its split by its ending") {
  CHECK(split_of_id("coco-train2017", SplitKind::val) == SplitKind::train);
  CHECK(split_of_id("lvis-train", SplitKind::val) == SplitKind::train);
  CHECK(split_of_id("coco-val2017", SplitKind::train) == SplitKind::val);
  CHECK(split_of_id("lvis-minival", SplitKind::train) == SplitKind::val);
  CHECK(split_of_id("shapes", SplitKind::train) == SplitKind::train);
  CHECK(split_of_id("shapes", SplitKind::val) == SplitKind::val);
}

TEST_CASE("each known layout is found") {
  TempDir dir;
  const std::string synth = dir / "synth", coco = dir / "coco", lvis = dir / "lvis",
                    o365 = dir / "o365", shipped = dir / "o365-shipped";
  touch(synth + "/annotations/train.json");
  fs::create_directories(synth + "/train");
  touch(coco + "/annotations/instances_val2017.json");
  fs::create_directories(coco + "/val2017");
  touch(lvis + "/annotations/lvis_v1_val.json");
  touch(o365 + "/annotations/zhiyuan_objv2_train.json");
  fs::create_directories(o365 + "/train");
  touch(shipped + "/val/zhiyuan_objv2_val.json");
  DataSplit s;
  REQUIRE(find_split(synth, SplitKind::train, s));
  CHECK(s.annotations == synth + "/annotations/train.json");
  CHECK(s.images == synth + "/train");
  REQUIRE(find_split(coco, SplitKind::val, s));
  CHECK(s.annotations == coco + "/annotations/instances_val2017.json");
  CHECK(s.images == coco + "/val2017");
  REQUIRE(find_split(lvis, SplitKind::val, s));
  CHECK(s.images == lvis);  // file names are train2017/... and val2017/...
  REQUIRE(find_split(o365, SplitKind::train, s));
  CHECK(s.images == o365 + "/train");
  REQUIRE(find_split(shipped, SplitKind::val, s));
  CHECK(s.annotations == shipped + "/val/zhiyuan_objv2_val.json");
  CHECK(s.images == shipped + "/val");
  CHECK_FALSE(find_split(coco, SplitKind::train, s));
}

TEST_CASE("--data comes before --data-root, and a missing data set names what was tried") {
  TempDir dir;
  touch(dir / "mine/annotations/instances_train2017.json");
  fs::create_directories(dir / "mine/train2017");
  DataSources sources = data_sources({"coco-train2017=" + (dir / "mine")}, dir / "root");
  CHECK(locate_split("coco-train2017", SplitKind::train, sources, "plan stage \"a\": dataset")
            .annotations == dir / "mine/annotations/instances_train2017.json");
  const std::string message = input_error_of([&] {
    locate_split("coco-val2017", SplitKind::val, sources, "plan stage \"a\": eval_dataset");
  });
  CHECK(message.rfind("plan stage \"a\": eval_dataset: data set \"coco-val2017\" (val split) not "
                      "found in " + (dir / "root/coco-val2017") + " (--data-root " +
                          (dir / "root") + "): tried " + (dir / "root/coco-val2017") +
                          "/annotations/val.json, ",
                      0) == 0);
  CHECK(contains(message, "give its folder with --data coco-val2017=PATH or put it under "
                          "--data-root"));
  CHECK(input_error_of([&] { data_sources({"coco"}, "data"); }) ==
        "--data: \"coco\" is not accepted; expected ID=PATH, e.g. coco-train2017=/data/coco");
  CHECK(contains(input_error_of([&] { data_sources({"a=/x", "a=/y"}, "data"); }),
                 "given twice"));
}
