// The letterbox maps a point x of the original image to scale * x + pad (boxes and pixels
// alike), a flip mirrors both, zoom crops and clips, tiny boxes are dropped, large
// reductions do not alias, and the same seed always gives the same sample.
#include "trainplan/executor/data/transforms.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "test_support.hpp"

using namespace test_support;
using trainplan::executor::data::AugmentOptions;
using trainplan::executor::data::Box;
using trainplan::executor::data::Image;
using trainplan::executor::data::Sample;
using trainplan::executor::data::to_original_xywh;
using trainplan::executor::data::transform_image;

namespace {

// A blue 200x100 image with a red rectangle covering the box [40, 20, 80, 40].
Image red_on_blue() {
  Image image = solid_image(200, 100, 0, 0, 255);
  for (int y = 20; y < 60; ++y) {
    for (int x = 40; x < 120; ++x) {
      image.rgb[(y * 200 + x) * 3] = 255;
      image.rgb[(y * 200 + x) * 3 + 2] = 0;
    }
  }
  return image;
}

float pixel(const Sample& s, int c, int x, int y) {
  return s.chw[static_cast<size_t>(c) * s.size * s.size + static_cast<size_t>(y) * s.size + x];
}

const std::vector<Box> kRedBox = {{2, 40, 20, 80, 40}};

}  // namespace

TEST_CASE("evaluation letterbox: boxes and pixels land at scale * x + pad") {
  Sample s = transform_image(red_on_blue(), kRedBox, 42, 100, AugmentOptions::evaluation(), 7);
  CHECK(s.size == 100);
  CHECK(s.image_id == 42);
  CHECK(s.chw.size() == 3 * 100 * 100);
  CHECK(s.scale == doctest::Approx(0.5));
  CHECK(s.pad_x == doctest::Approx(0));
  CHECK(s.pad_y == doctest::Approx(25));
  CHECK_FALSE(s.flipped);
  REQUIRE(s.boxes.size() == 1);
  const auto& b = s.boxes[0];
  CHECK(b[0] == 2);
  CHECK(b[1] - b[3] / 2 == doctest::Approx(s.scale * 40 + s.pad_x));   // left
  CHECK(b[1] + b[3] / 2 == doctest::Approx(s.scale * 120 + s.pad_x));  // right
  CHECK(b[2] - b[4] / 2 == doctest::Approx(s.scale * 20 + s.pad_y));   // top
  CHECK(b[2] + b[4] / 2 == doctest::Approx(s.scale * 60 + s.pad_y));   // bottom
  // Inside the mapped box: red; outside it: blue; in the padding: grey 114.
  CHECK(pixel(s, 0, 40, 45) == doctest::Approx(1.0));
  CHECK(pixel(s, 2, 40, 45) == doctest::Approx(0.0));
  CHECK(pixel(s, 2, 90, 50) == doctest::Approx(1.0));
  for (int c = 0; c < 3; ++c) {
    CHECK(pixel(s, c, 50, 10) == doctest::Approx(114.0 / 255));
    CHECK(pixel(s, c, 50, 90) == doctest::Approx(114.0 / 255));
  }
  // The inverse mapping gives the original COCO box back.
  auto xywh = to_original_xywh({b[1], b[2], b[3], b[4]}, s.scale, s.pad_x, s.pad_y);
  CHECK(xywh[0] == doctest::Approx(40));
  CHECK(xywh[1] == doctest::Approx(20));
  CHECK(xywh[2] == doctest::Approx(80));
  CHECK(xywh[3] == doctest::Approx(40));
}

TEST_CASE("a flip mirrors pixels and boxes") {
  AugmentOptions flip = AugmentOptions::evaluation();
  flip.flip_probability = 1;
  const Sample plain =
      transform_image(red_on_blue(), kRedBox, 1, 96, AugmentOptions::evaluation(), 3);
  const Sample mirrored = transform_image(red_on_blue(), kRedBox, 1, 96, flip, 3);
  CHECK(mirrored.flipped);
  REQUIRE(mirrored.boxes.size() == 1);
  CHECK(mirrored.boxes[0][1] == doctest::Approx(96 - plain.boxes[0][1]));
  CHECK(mirrored.boxes[0][2] == doctest::Approx(plain.boxes[0][2]));
  CHECK(mirrored.boxes[0][3] == doctest::Approx(plain.boxes[0][3]));
  int differences = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 96; ++y)
      for (int x = 0; x < 96; ++x)
        differences += std::abs(pixel(mirrored, c, x, y) - pixel(plain, c, 95 - x, y)) > 1e-4f;
  CHECK(differences == 0);
}

TEST_CASE("zooming in crops the borders and clips the boxes") {
  AugmentOptions zoom = AugmentOptions::evaluation();
  zoom.scale_min = zoom.scale_max = 1.25f;
  // Box A straddles the right edge after zooming; box B is cropped away almost entirely.
  const std::vector<Box> boxes = {{0, 150, 40, 50, 20}, {1, 196, 0, 4, 4}};
  Sample s = transform_image(red_on_blue(), boxes, 1, 100, zoom, 0);
  CHECK(s.scale == doctest::Approx(0.625));
  CHECK(s.pad_x == doctest::Approx(-12.5));
  REQUIRE(s.boxes.size() == 1);
  const auto& b = s.boxes[0];
  CHECK(b[1] - b[3] / 2 == doctest::Approx(0.625 * 150 - 12.5));
  CHECK(b[1] + b[3] / 2 == doctest::Approx(100));  // clipped at the right edge
  CHECK(b[2] - b[4] / 2 == doctest::Approx(0.625 * 40 + s.pad_y));
}

TEST_CASE("boxes under 2 px after scaling are dropped") {
  const std::vector<Box> boxes = {{0, 10, 10, 6, 100}, {1, 100, 100, 40, 40}};
  Sample s = transform_image(solid_image(400, 400, 9, 9, 9), boxes, 1, 100,
                             AugmentOptions::evaluation(), 0);
  REQUIRE(s.boxes.size() == 1);  // 6 px wide -> 1.5 px
  CHECK(s.boxes[0][0] == 1);
}

TEST_CASE("a large reduction averages instead of aliasing") {
  Image checker = solid_image(1000, 1000, 0, 0, 0);
  for (int y = 0; y < 1000; ++y)
    for (int x = (y % 2); x < 1000; x += 2)
      for (int c = 0; c < 3; ++c) checker.rgb[(y * 1000 + x) * 3 + c] = 255;
  Sample s = transform_image(checker, {}, 1, 100, AugmentOptions::evaluation(), 0);
  float lo = 1, hi = 0;
  for (float v : s.chw) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo > 0.45f);
  CHECK(hi < 0.55f);
}

TEST_CASE("the same seed gives the same sample, seeds vary zoom and flip") {
  const AugmentOptions train;
  const Sample a = transform_image(red_on_blue(), kRedBox, 1, 64, train, 12345);
  const Sample b = transform_image(red_on_blue(), kRedBox, 1, 64, train, 12345);
  CHECK(a.chw == b.chw);
  CHECK(a.boxes == b.boxes);
  CHECK(a.scale == b.scale);
  int flips = 0;
  float smallest = 10, largest = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Sample s = transform_image(red_on_blue(), kRedBox, 1, 64, train, seed);
    flips += s.flipped;
    smallest = std::min(smallest, s.scale / 0.32f);  // 0.32 = 64 / 200, the plain fit
    largest = std::max(largest, s.scale / 0.32f);
  }
  CHECK(flips > 60);
  CHECK(flips < 140);
  CHECK(smallest >= 0.75f);
  CHECK(smallest < 0.8f);
  CHECK(largest <= 1.25f);
  CHECK(largest > 1.2f);
}

TEST_CASE("bad augment options and a missing image file are InputErrors") {
  AugmentOptions bad;
  bad.scale_min = 1.5f;
  CHECK(input_error_of([&] { transform_image(red_on_blue(), {}, 1, 64, bad, 0); }) ==
        "augment scale range [1.5, 1.25] is invalid; expected 0 < scale_min <= scale_max <= 4");
  trainplan::executor::data::ImageRecord record{5, "/nonexistent/x.png", 10, 10, {}};
  CHECK(input_error_of([&] {
          trainplan::executor::data::make_sample(record, 64, AugmentOptions::evaluation(), 0);
        }) == "/nonexistent/x.png: image file does not exist");
}
