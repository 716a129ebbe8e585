// The COCO protocol beyond plain matching: crowd regions, S/M/L area ranges on COCO's area
// field, 101-point interpolation and the 100-detection cut. Each expected value is derived in
// the comments from the ranked true/false positives.
#include <doctest/doctest.h>

#include <vector>

#include "trainplan/executor/eval/coco_map.hpp"
#include "trainplan/executor/eval/image_evaluation.hpp"

using trainplan::executor::average_precision;
using trainplan::executor::Box;
using trainplan::executor::coco_iou_thresholds;
using trainplan::executor::coco_map;
using trainplan::executor::crowd_overlap;
using trainplan::executor::Detection;
using trainplan::executor::evaluate_image;
using trainplan::executor::GroundTruth;
using trainplan::executor::kAllAreas;
using trainplan::executor::Outcome;

namespace {

Detection det(int image, int cls, double score, Box b) { return Detection{image, cls, score, b}; }
GroundTruth gt(int image, int cls, Box b, double area = 0) {
  return GroundTruth{image, cls, b, area};
}
GroundTruth crowd(int image, int cls, Box b) { return GroundTruth{image, cls, b, 0, true}; }

const Box kA{0, 0, 10, 10};
const Box kB{20, 20, 40, 30};
const Box kC{50, 0, 60, 10};
const Box kFar{100, 100, 120, 120};
const Box kRegion{50, 50, 150, 150};  // a crowd region: 100 x 100

}  // namespace

TEST_CASE("crowd overlap is intersection over the detection's area") {
  // Half of a 20 x 20 detection lies in the region: 200 / 400, whatever the region's size.
  CHECK(crowd_overlap(Box{140, 100, 160, 120}, kRegion) == doctest::Approx(0.5));
  CHECK(crowd_overlap(Box{60, 60, 80, 80}, kRegion) == 1.0);
  CHECK(crowd_overlap(Box{0, 0, 0, 0}, kRegion) == 0.0);
}

TEST_CASE("a crowd region absorbs detections that would otherwise be false positives") {
  // Two detections inside the region rank above the true positive.
  const std::vector<Detection> dets{det(0, 0, 0.9, Box{60, 60, 80, 80}),
                                    det(0, 0, 0.85, Box{100, 100, 140, 140}), det(0, 0, 0.8, kA)};
  SUBCASE("with the region: both ignored, the hit ranks first, AP 1") {
    const auto r = coco_map(dets, {gt(0, 0, kA), crowd(0, 0, kRegion)}, 1);
    CHECK(r.classes_evaluated == 1);
    CHECK(r.map50 == doctest::Approx(1.0));
    CHECK(r.map50_95 == doctest::Approx(1.0));
    CHECK(r.ar100 == doctest::Approx(1.0));
  }
  SUBCASE("without it: FP, FP, TP, precision 0, 0, 1/3 at recall 0, 0, 1, envelope 1/3") {
    const auto r = coco_map(dets, {gt(0, 0, kA)}, 1);
    CHECK(r.map50 == doctest::Approx(1.0 / 3.0));
    CHECK(r.ar100 == doctest::Approx(1.0));
  }
}

TEST_CASE("a detection half inside a crowd region is ignored at IoU 0.5 only") {
  // Its crowd overlap is 0.5 (its IoU with the region 200 / 10200 would never match). At
  // 0.50 it is ignored and the hit alone gives AP 1; at 0.55 ... 0.95 it is a false positive
  // ranked first: FP, TP gives precision 1/2 at recall 1, AP 1/2. Mean (1 + 9 / 2) / 10.
  const std::vector<Detection> dets{det(0, 0, 0.9, Box{140, 100, 160, 120}), det(0, 0, 0.8, kA)};
  const auto r = coco_map(dets, {gt(0, 0, kA), crowd(0, 0, kRegion)}, 1);
  CHECK(r.map50 == doctest::Approx(1.0));
  CHECK(r.map75 == doctest::Approx(0.5));
  CHECK(r.map50_95 == doctest::Approx(0.55));
}

TEST_CASE("a detection prefers an object to a crowd region, which takes any number") {
  // The object lies inside the region, and the detections cover both. The first takes the
  // object (TP), the next two fall back on the region (ignored): AP 1. Had the region taken
  // the first, the object would be missed (AP 0).
  const std::vector<Detection> dets{det(0, 0, 0.9, kA), det(0, 0, 0.8, kA), det(0, 0, 0.7, kA)};
  const std::vector<GroundTruth> truths{crowd(0, 0, Box{0, 0, 100, 100}), gt(0, 0, kA)};
  const auto e = evaluate_image(dets, truths, {0.5}, kAllAreas, 100);
  CHECK(e.counted_truths == 1);
  REQUIRE(e.outcomes.at(0).size() == 3);
  CHECK(e.outcomes[0][0] == Outcome::true_positive);
  CHECK(e.outcomes[0][1] == Outcome::ignored);
  CHECK(e.outcomes[0][2] == Outcome::ignored);
  CHECK(coco_map(dets, truths, 1).map50_95 == doctest::Approx(1.0));
}

TEST_CASE("a class with only crowd regions is not evaluated") {
  const auto r = coco_map({det(0, 0, 0.9, kA), det(0, 1, 0.9, Box{60, 60, 80, 80})},
                          {gt(0, 0, kA), crowd(0, 1, kRegion)}, 2);
  CHECK(r.classes_evaluated == 1);
  CHECK(r.map50 == doctest::Approx(1.0));
}

TEST_CASE("area ranges count their own objects, placed by COCO's area field") {
  // One image, one class. Objects (box area, COCO area -> range):
  //   s  20x20 = 400,    area 300   -> small
  //   m  50x50 = 2500,   area 2000  -> medium
  //   l  120x120 = 14400, area 10000 -> large
  //   x  40x40 = 1600,   area 900   -> small by its COCO area (medium by its box)
  // Detections, by score: miss L (120x120, large) 0.95, s 0.9, m 0.8, miss S (10x10, small)
  // 0.7, l 0.6, x 0.5. Every hit has IoU 1, so all ten thresholds agree.
  const Box s{0, 0, 20, 20}, m{100, 100, 150, 150}, l{200, 200, 320, 320}, x{400, 400, 440, 440};
  const std::vector<GroundTruth> truths{gt(0, 0, s, 300), gt(0, 0, m, 2000), gt(0, 0, l, 10000),
                                        gt(0, 0, x, 900)};
  const std::vector<Detection> dets{
      det(0, 0, 0.95, Box{700, 700, 820, 820}), det(0, 0, 0.9, s), det(0, 0, 0.8, m),
      det(0, 0, 0.7, Box{600, 600, 610, 610}),  det(0, 0, 0.6, l), det(0, 0, 0.5, x)};
  const auto r = coco_map(dets, truths, 1);
  // All areas: FP TP TP FP TP TP over 4 objects. Precision 0, 1/2, 2/3, 1/2, 3/5, 2/3 at
  // recall 0, 1/4, 1/2, 1/2, 3/4, 1: the envelope is 2/3 throughout, so AP = 2/3.
  CHECK(r.map50_95 == doctest::Approx(2.0 / 3.0));
  CHECK(r.ar100 == doctest::Approx(1.0));
  // Small (s, x count): hits on m and l match ignored objects (ignored), the large miss is
  // outside the range (ignored), the small miss counts. TP FP TP over 2: precision 1, 1/2,
  // 2/3 at recall 1/2, 1/2, 1; envelope 1, 2/3, 2/3: points 0..0.50 (51) read 1, 0.51..1
  // (50) read 2/3. Using box areas instead, x would be medium and small would be TP FP (AP 1).
  CHECK(r.map_small == doctest::Approx((51 + 50 * 2.0 / 3.0) / 101));
  // Medium (m counts): everything else is ignored, AP 1.
  CHECK(r.map_medium == doctest::Approx(1.0));
  // Large (l counts): the large miss is a FP ranked first, then the hit: AP 1/2.
  CHECK(r.map_large == doctest::Approx(0.5));
}

TEST_CASE("an area range without objects reports -1, and an object's area bounds are inclusive") {
  // A 32 x 32 object (area 1024) is both small and medium; nothing is large.
  const Box b{0, 0, 32, 32};
  const auto r = coco_map({det(0, 0, 0.9, b)}, {gt(0, 0, b)}, 1);
  CHECK(r.map_small == doctest::Approx(1.0));
  CHECK(r.map_medium == doctest::Approx(1.0));
  CHECK(r.map_large == -1.0);
  const auto none = coco_map({}, {}, 1);
  CHECK(none.map50_95 == 0.0);
  CHECK(none.map_small == -1.0);
  CHECK(none.classes_evaluated == 0);
}

TEST_CASE("101-point interpolation differs from the all-point area") {
  // Three objects; ranks TP FP TP FP TP. Precision 1, 1/2, 2/3, 1/2, 3/5 at recall 1/3, 1/3,
  // 2/3, 2/3, 1; envelope 1, 2/3, 2/3, 3/5, 3/5. Recall points 0..0.33 (34) read 1, 0.34..0.66
  // (33) read 2/3, 0.67..1 (34) read 3/5. The all-point area (VOC 2010) weighs each level by
  // its recall step of 1/3 instead.
  const std::vector<GroundTruth> truths{gt(0, 0, kA), gt(0, 0, kB), gt(0, 0, kC)};
  const std::vector<Detection> dets{det(0, 0, 0.9, kA), det(0, 0, 0.8, kFar), det(0, 0, 0.7, kB),
                                    det(0, 0, 0.6, Box{200, 0, 210, 10}), det(0, 0, 0.5, kC)};
  const double points101 = (34 * 1.0 + 33 * (2.0 / 3.0) + 34 * (3.0 / 5.0)) / 101;
  const double all_points = (1.0 + 2.0 / 3.0 + 3.0 / 5.0) / 3;
  CHECK(points101 != doctest::Approx(all_points));
  CHECK(average_precision(dets, truths, 0.5) == doctest::Approx(points101));
  CHECK(coco_map(dets, truths, 1).map50_95 == doctest::Approx(points101));
}

TEST_CASE("only the 100 best detections of an image and class count") {
  // Image 0, class 0: 100 misses outscore the hit, which comes 101st and is cut: AP 0,
  // recall 0 (uncut it would give precision 1/101 at recall 1). Class 1 in the same image
  // has its own 100: its hit, the image's 102nd detection, still counts (AP 1).
  std::vector<Detection> dets;
  for (int i = 0; i < 100; ++i)
    dets.push_back(det(0, 0, 0.99 - 0.001 * i, Box{1000.0 + 20 * i, 0, 1010.0 + 20 * i, 10}));
  dets.push_back(det(0, 0, 0.5, kA));
  dets.push_back(det(0, 1, 0.4, kB));
  const std::vector<GroundTruth> truths{gt(0, 0, kA), gt(0, 1, kB)};
  CHECK(average_precision(std::vector<Detection>(dets.begin(), dets.end() - 1), {truths[0]}, 0.5) ==
        0.0);
  const auto r = coco_map(dets, truths, 2);
  CHECK(r.classes_evaluated == 2);
  CHECK(r.map50 == doctest::Approx(0.5));
  CHECK(r.ar100 == doctest::Approx(0.5));
  // The cut is per image: the same hit in a second image of class 0 is found.
  dets.push_back(det(1, 0, 0.3, kA));
  const auto two = coco_map(dets, {gt(0, 0, kA), gt(1, 0, kA)}, 1);
  CHECK(two.ar100 == doctest::Approx(0.5));
}
