// The recipe augmentation (issue 12): mosaic places four images and their boxes around the
// centre, the random affine maps boxes as its matrix says and drops what leaves the image,
// HSV changes pixels deterministically and never boxes, and a recipe sample depends only on
// its seed.
#include <doctest/doctest.h>

#include <algorithm>

#include "test_support.hpp"
#include "trainplan/executor/data/affine.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/hsv.hpp"
#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/data/mosaic.hpp"
#include "trainplan/executor/data/transforms.hpp"

using namespace test_support;
using namespace trainplan::executor::data;

namespace {

// The canvas pixel (x, y) channel c.
int at(const Image& image, int x, int y, int c) {
  return image.rgb[(static_cast<size_t>(y) * image.width + x) * 3 + c];
}

void check_box(const CornerBox& got, float cls, float x0, float y0, float x1, float y1) {
  CAPTURE(cls);
  CHECK(got[0] == cls);
  CHECK(got[1] == doctest::Approx(x0));
  CHECK(got[2] == doctest::Approx(y0));
  CHECK(got[3] == doctest::Approx(x1));
  CHECK(got[4] == doctest::Approx(y1));
}

}  // namespace

TEST_CASE("mosaic maps four images' boxes around the centre") {
  const int S = 100;  // canvas 200 x 200
  // Four images of different shapes and colours, one box each (COCO xywh, original pixels).
  const Image a = solid_image(200, 100, 255, 0, 0);  // long side 200 -> 100 x 50, x 0.5
  const Image b = solid_image(50, 100, 0, 255, 0);   // long side 100 -> as is
  const Image c = solid_image(100, 100, 0, 0, 255);  // as is
  const Image d = solid_image(400, 200, 9, 9, 9);    // -> 100 x 50, x 0.25
  const std::vector<Box> ba = {{0, 20, 10, 40, 30}}, bb = {{1, 5, 5, 20, 30}},
                         bc = {{2, 0, 0, 100, 100}}, bd = {{3, 200, 100, 200, 100}};
  const int cx = 120, cy = 90;
  const Canvas m = make_mosaic({&a, &b, &c, &d}, {&ba, &bb, &bc, &bd}, S, cx, cy);
  REQUIRE(m.image.width == 2 * S);
  REQUIRE(m.image.height == 2 * S);
  REQUIRE(m.boxes.size() == 4);
  // Image 0 (100 x 50) ends at the centre: its origin is (120 - 100, 90 - 50) = (20, 40).
  // Its box (20, 10)-(60, 40) halves to (10, 5)-(30, 20), then moves by the origin.
  check_box(m.boxes[0], 0, 20 + 10, 40 + 5, 20 + 30, 40 + 20);
  // Image 1 (50 x 100) starts at x = 120 and ends at y = 90: origin (120, -10). Its box
  // (5, 5)-(25, 35) moves to (125, -5)-(145, 25), clipped to the canvas at y = 0.
  check_box(m.boxes[1], 1, 125, 0, 145, 25);
  // Image 2 (100 x 100) ends at x = 120, starts at y = 90: origin (20, 90); its whole-image
  // box covers the tile.
  check_box(m.boxes[2], 2, 20, 90, 120, 190);
  // Image 3 (100 x 50) starts at the centre: origin (120, 90). Its box, the bottom-right
  // quarter (200, 100)-(400, 200), quarters to (50, 25)-(100, 50) -> (170, 115)-(220, 140),
  // clipped to the canvas at x = 200.
  check_box(m.boxes[3], 3, 170, 115, 200, 140);

  // Pixels: each quadrant shows its image, the rest is grey 114.
  CHECK(at(m.image, 60, 70, 0) == 255);   // image 0 (red) at x 20..120, y 40..90
  CHECK(at(m.image, 140, 50, 1) == 255);  // image 1 (green) at x 120..170, y 0..90
  CHECK(at(m.image, 60, 150, 2) == 255);  // image 2 (blue) at x 20..120, y 90..190
  CHECK(at(m.image, 150, 100, 0) == 9);   // image 3 at x 120..220, y 90..140
  CHECK(at(m.image, 190, 50, 0) == 114);  // right of image 1
  CHECK(at(m.image, 10, 20, 1) == 114);   // left of and above image 0
  CHECK(at(m.image, 150, 160, 2) == 114); // below image 3

  // The same layout from the function the test can check alone.
  const auto tiles = mosaic_layout({ImageSize{200, 100}, {50, 100}, {100, 100}, {400, 200}}, S, cx, cy);
  CHECK(tiles[0].x == 20);
  CHECK(tiles[0].y == 40);
  CHECK(tiles[1].x == 120);
  CHECK(tiles[1].y == -10);
  CHECK(tiles[3].scale_x == doctest::Approx(0.25));

  // A centre near the corner pushes image 0 off the canvas: its box leaves with it.
  const Canvas corner = make_mosaic({&a, &b, &c, &d}, {&ba, &bb, &bc, &bd}, S, 50, 50);
  // Image 0's origin is (50 - 100, 0): its box spans x -40..-20, gone.
  for (const auto& box : corner.boxes) CHECK(box[0] != 0);
}

TEST_CASE("mosaic draws its centre and images from the seed alone") {
  const MosaicDraw one = draw_mosaic(123, 10, 640), two = draw_mosaic(123, 10, 640);
  CHECK(one.others == two.others);
  CHECK(one.cx == two.cx);
  CHECK(one.cy == two.cy);
  bool differs = false;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const MosaicDraw d = draw_mosaic(seed, 10, 640);
    CHECK(d.cx >= 320);
    CHECK(d.cx <= 960);
    CHECK(d.cy >= 320);
    CHECK(d.cy <= 960);
    for (size_t i : d.others) CHECK(i < 10);
    differs = differs || d.cx != one.cx;
  }
  CHECK(differs);
}

TEST_CASE("affine with identity parameters leaves boxes and pixels as they are") {
  const int S = 64;
  const Affine2d m = affine_matrix(identity_affine(S), S, S);
  CHECK(m == Affine2d{1, 0, 0, 0, 1, 0});
  const std::vector<CornerBox> boxes = {{1, 3, 4, 30, 40}, {2, 10.5f, 0, 64, 64}};
  const auto moved = affine_boxes(boxes, m, 1.0, S);
  REQUIRE(moved.size() == 2);
  CHECK(moved[0] == boxes[0]);
  CHECK(moved[1] == boxes[1]);
  Image canvas = solid_image(S, S, 10, 20, 30);
  canvas.rgb[(5 * S + 7) * 3] = 200;
  const auto chw = warp_affine(canvas, m, S);
  CHECK(chw[5 * S + 7] == doctest::Approx(200 / 255.0));
  CHECK(chw[6 * S + 7] == doctest::Approx(10 / 255.0));
  CHECK(chw[2 * S * S + 40 * S + 40] == doctest::Approx(30 / 255.0));
}

TEST_CASE("affine scale and translation map a box as computed, clipping and dropping") {
  const int S = 100;
  // Scale 2 about the canvas centre (50, 50), which lands at (30, 40): p' = 2 (p - 50) + t.
  AffineParams p = identity_affine(S);
  p.scale = 2;
  p.centre_x = 30;
  p.centre_y = 40;
  const Affine2d m = affine_matrix(p, S, S);
  const std::vector<CornerBox> boxes = {
      {0, 40, 45, 60, 55},  // -> (10, 30)-(50, 50), inside
      {1, 70, 70, 90, 90},  // -> (70, 80)-(110, 120): clipped to (70, 80)-(100, 100), 600 px of
                            //    the 1600 the gain gives: kept
      {2, 85, 10, 95, 20},  // -> x from 100: nothing left, dropped
  };
  const auto moved = affine_boxes(boxes, m, p.scale, S);
  REQUIRE(moved.size() == 2);
  check_box(moved[0], 0, 10, 30, 50, 50);
  check_box(moved[1], 1, 70, 80, 100, 100);

  // Scale 1, the centre moved up by 30: y' = y - 30.
  AffineParams up = identity_affine(S);
  up.centre_y = 20;
  const Affine2d mu = affine_matrix(up, S, S);
  const std::vector<CornerBox> cut = {
      {0, 10, 0, 90, 40},    // -> y -30..10: 10 of 40 rows left (a quarter): kept
      {1, 10, 0, 90, 33},    // -> y -30..3: 3 of 33 rows (0.09 < 0.1 of its area): dropped
      {2, 10, 0, 90, 31.5f}, // -> y -30..1.5: 1.5 px tall, not more than 2: dropped
  };
  const auto left = affine_boxes(cut, mu, 1.0, S);
  REQUIRE(left.size() == 1);
  check_box(left[0], 0, 10, 0, 90, 10);
  // The aspect-ratio rule: at most 100 to 1.
  CHECK(box_candidate({0, 0, 240, 3}, {0, 0, 240, 2.5f}, 1.0));
  CHECK_FALSE(box_candidate({0, 0, 300, 3}, {0, 0, 300, 2.5f}, 1.0));
}

TEST_CASE("affine draws stay in YOLOv8's ranges and depend on the seed alone") {
  const AffineOptions o;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const AffineParams p = draw_affine(o, 640, seed);
    CHECK(p.angle_degrees == 0);
    CHECK(p.shear_x_degrees == 0);
    CHECK(p.scale >= 0.5);
    CHECK(p.scale <= 1.5);
    CHECK(p.centre_x >= 0.4 * 640);
    CHECK(p.centre_x <= 0.6 * 640);
  }
  CHECK(draw_affine(o, 640, 5).scale == draw_affine(o, 640, 5).scale);
}

TEST_CASE("HSV changes pixels deterministically") {
  const int S = 16;
  std::vector<float> chw(3 * S * S);
  for (size_t i = 0; i < chw.size(); ++i) chw[i] = static_cast<float>((i * 37) % 101) / 100.0f;
  auto a = chw, b = chw, c = chw;
  apply_hsv(a, S, draw_hsv({}, 11));
  apply_hsv(b, S, draw_hsv({}, 11));
  apply_hsv(c, S, draw_hsv({}, 12));
  CHECK(a == b);
  CHECK(a != chw);
  CHECK(a != c);
  for (float v : a) {
    CHECK(v >= 0);
    CHECK(v <= 1.0001f);
  }
  // Unit gains give the image back (to rounding).
  auto same = chw;
  apply_hsv(same, S, HsvGains{});
  for (size_t i = 0; i < chw.size(); ++i) CHECK(same[i] == doctest::Approx(chw[i]).epsilon(1e-5));
  // Grey has no hue or saturation: only the value gain changes it.
  std::vector<float> grey(3 * S * S, 0.5f);
  apply_hsv(grey, S, HsvGains{1.01, 1.5, 0.8});
  CHECK(grey[0] == doctest::Approx(0.4));
  CHECK(grey[S * S] == doctest::Approx(0.4));
}

TEST_CASE("a recipe sample is a function of its seed, and HSV never moves its boxes") {
  TempDir dir;
  MiniCoco coco(dir);
  coco.write();
  const CocoDataset dataset = load_coco(coco.annotations, coco.images);
  for (const bool mosaic : {true, false}) {
    CAPTURE(mosaic);
    const AugmentOptions recipe = AugmentOptions::yolo_recipe(mosaic);
    const Sample one = make_sample(dataset, 1, 64, recipe, 99);
    const Sample two = make_sample(dataset, 1, 64, recipe, 99);
    CHECK(one.chw == two.chw);
    CHECK(one.boxes == two.boxes);
    CHECK(one.image_id == 7);
    AugmentOptions no_hsv = recipe;
    no_hsv.hsv = {0, 0, 0};
    const Sample plain = make_sample(dataset, 1, 64, no_hsv, 99);
    CHECK(plain.boxes == one.boxes);
    CHECK(plain.chw != one.chw);
  }
  // Without mosaic and with identity draws, the sample is the letterbox: the 64 x 48 image
  // fills the width, centred with 8 rows of grey above and below.
  AugmentOptions plain = AugmentOptions::yolo_recipe(false);
  plain.affine = {0, 0, 0, 0};
  plain.hsv = {0, 0, 0};
  plain.flip_probability = 0;
  const Sample s = make_sample(dataset, 1, 64, plain, 5);
  REQUIRE(s.boxes.size() == 1);  // image 7's box (30, 5, 30, 40) moves down 8 rows
  CHECK(s.boxes[0][1] == doctest::Approx(45));
  CHECK(s.boxes[0][2] == doctest::Approx(8 + 25));
  CHECK(s.boxes[0][3] == doctest::Approx(30));
  CHECK(s.boxes[0][4] == doctest::Approx(40));
  CHECK(s.chw[0] == doctest::Approx(114 / 255.0));
  CHECK(s.chw[20 * 64] == doctest::Approx(10 / 255.0));
}

TEST_CASE("mosaic batches are identical whatever the number of loader threads") {
  TempDir dir;
  MiniCoco coco(dir);
  coco.write();
  const CocoDataset dataset = load_coco(coco.annotations, coco.images);
  auto batches = [&](int workers) {
    LoaderOptions o;
    o.batch_size = 3;
    o.image_size = 48;
    o.augment = AugmentOptions::yolo_recipe(true);
    o.seed = 4;
    o.epoch = 2;
    o.workers = workers;
    BatchLoader loader(dataset, {1, 0, 0, 1, 1, 0}, o);
    std::vector<Batch> out;
    while (auto b = loader.next()) out.push_back(std::move(*b));
    return out;
  };
  const auto serial = batches(0), threaded = batches(3);
  REQUIRE(serial.size() == 2);
  REQUIRE(threaded.size() == 2);
  for (size_t k = 0; k < serial.size(); ++k) {
    CHECK(serial[k].images == threaded[k].images);
    CHECK(serial[k].targets == threaded[k].targets);
  }
}
