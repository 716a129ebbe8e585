// Pins down look-ups of unknown ids: each kind throws an InputError (never another type) whose
// message names the kind, the bad id and the closest known ids, and closest_ids() ranks ids
// that contain the typed text first.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "trainplan/error.hpp"
#include "trainplan/profiles/catalog.hpp"
#include "support/input_error_of.hpp"

using trainplan::testing::contains;
using trainplan::testing::input_error_of;

using trainplan::InputError;
using trainplan::profiles::Catalog;
using trainplan::profiles::closest_ids;

TEST_CASE("an unknown GPU id suggests the closest ids") {
  Catalog c = Catalog::embedded();
  std::string msg = input_error_of([&] { c.gpu("v100"); });
  CAPTURE(msg);
  CHECK(contains(msg, "\"v100\""));
  CHECK(contains(msg, "GPU"));
  CHECK(contains(msg, "v100-sxm2-"));
  // Every suggestion is a V100 flavour, not an unrelated card.
  CHECK_FALSE(contains(msg, "h100"));
  CHECK_FALSE(contains(msg, "rtx"));
}

TEST_CASE("a misspelt GPU id suggests the intended one") {
  Catalog c = Catalog::embedded();
  std::string msg = input_error_of([&] { c.gpu("a100-sxm4-80g"); });
  CAPTURE(msg);
  CHECK(contains(msg, "a100-sxm4-80gb"));
}

TEST_CASE("unknown ids of every kind throw InputError naming the id") {
  Catalog c = Catalog::embedded();
  SUBCASE("model") {
    std::string msg = input_error_of([&] { c.model("yolo-world-l"); });
    CAPTURE(msg);
    CHECK(contains(msg, "model"));
    CHECK(contains(msg, "\"yolo-world-l\""));
    CHECK(contains(msg, "yolo-world-v2-l"));
  }
  SUBCASE("dataset") {
    std::string msg = input_error_of([&] { c.dataset("coco"); });
    CAPTURE(msg);
    CHECK(contains(msg, "dataset"));
    CHECK(contains(msg, "coco-train2017"));
  }
  SUBCASE("recipe") {
    std::string msg = input_error_of([&] { c.recipe("yolo-world-pretrian"); });
    CAPTURE(msg);
    CHECK(contains(msg, "yolo-world-pretrain"));
  }
  SUBCASE("interconnect, architecture and framework") {
    CHECK_THROWS_AS(c.interconnect("no-such-link"), InputError);
    CHECK_THROWS_AS(c.architecture("no-such-arch"), InputError);
    CHECK_THROWS_AS(c.framework("no-such-codebase"), InputError);
  }
}

TEST_CASE("closest_ids ranks containing and near ids first and honours the count") {
  const std::vector<std::string> known = {"h100-sxm5-80gb", "v100-sxm2-16gb", "l4",
                                          "v100-sxm2-32gb", "rtx-4090", "v100s-pcie-32gb"};
  auto near = closest_ids("v100", known, 3);
  REQUIRE(near.size() == 3);
  for (const auto& id : near) {
    CAPTURE(id);
    CHECK(id.rfind("v100", 0) == 0);
  }
  CHECK(closest_ids("rtx-4080", known, 1) == std::vector<std::string>{"rtx-4090"});
  CHECK(closest_ids("x", known, 10).size() == known.size());
  CHECK(closest_ids("x", {}, 3).empty());
}

TEST_CASE("the message points at the list command") {
  Catalog c = Catalog::embedded();
  CHECK(contains(input_error_of([&] { c.gpu("tpu-v4"); }), "profiles list gpus"));
  CHECK(contains(input_error_of([&] { c.model("detr"); }), "profiles list models"));
}
