// COCO mAP and class-aware NMS on hand-made cases whose answers are computed by hand.
#include "trainplan/executor/eval/coco_map.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "trainplan/executor/eval/nms.hpp"

using trainplan::executor::average_precision;
using trainplan::executor::Box;
using trainplan::executor::class_aware_nms;
using trainplan::executor::coco_iou_thresholds;
using trainplan::executor::coco_map;
using trainplan::executor::Detection;
using trainplan::executor::GroundTruth;

namespace {

Detection det(int image, int cls, double score, Box b) { return Detection{image, cls, score, b}; }
GroundTruth gt(int image, int cls, Box b) { return GroundTruth{image, cls, b}; }

const Box kA{0, 0, 10, 10};
const Box kB{20, 20, 40, 30};
const Box kFar{100, 100, 120, 120};

}  // namespace

TEST_CASE("the ten COCO IoU thresholds") {
  const std::vector<double> t = coco_iou_thresholds();
  REQUIRE(t.size() == 10);
  CHECK(t.front() == 0.5);
  CHECK(t[2] == 0.6);
  CHECK(t.back() == 0.95);
}

TEST_CASE("perfect detections give mAP 1") {
  const std::vector<GroundTruth> truths{gt(0, 0, kA), gt(0, 1, kB), gt(1, 0, kB)};
  const std::vector<Detection> dets{det(0, 0, 0.9, kA), det(0, 1, 0.8, kB), det(1, 0, 0.7, kB)};
  const auto r = coco_map(dets, truths, 2);
  CHECK(r.classes_evaluated == 2);
  CHECK(r.map50 == doctest::Approx(1.0));
  CHECK(r.map50_95 == doctest::Approx(1.0));
}

TEST_CASE("a false positive ranked first lowers AP to 2/3") {
  // Ranks: FP, TP, TP with two truths. Precision 0, 1/2, 2/3 at recall 0, 1/2, 1; its
  // envelope is 2/3 everywhere, so each of the 101 recall points reads 2/3.
  const std::vector<GroundTruth> truths{gt(0, 0, kA), gt(0, 0, kB)};
  const std::vector<Detection> dets{det(0, 0, 0.9, kFar), det(0, 0, 0.8, kA), det(0, 0, 0.7, kB)};
  const auto r = coco_map(dets, truths, 1);
  CHECK(r.map50 == doctest::Approx(2.0 / 3.0));
  CHECK(r.map50_95 == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("a false positive between two hits: 101-point interpolation") {
  // Ranks: TP, FP, TP. Recall 1/2, 1/2, 1; precision 1, 1/2, 2/3; envelope 1, 2/3, 2/3.
  // Recall points 0..0.50 (51 of them) read 1, points 0.51..1 (50) read 2/3.
  const std::vector<GroundTruth> truths{gt(0, 0, kA), gt(0, 0, kB)};
  const std::vector<Detection> dets{det(0, 0, 0.9, kA), det(0, 0, 0.8, kFar), det(0, 0, 0.7, kB)};
  CHECK(average_precision(dets, truths, 0.5) == doctest::Approx((51.0 + 50.0 * 2.0 / 3.0) / 101));
}

TEST_CASE("a detection at IoU 0.6 counts for map50 and for thresholds up to 0.6 only") {
  // Intersection 10 x 6 = 60, union 100: IoU exactly 0.6. It matches at 0.50, 0.55 and 0.60
  // (AP 1) and misses at 0.65 ... 0.95 (AP 0): map50_95 = 3 / 10.
  const std::vector<GroundTruth> truths{gt(0, 0, kA)};
  const std::vector<Detection> dets{det(0, 0, 0.9, Box{0, 0, 10, 6})};
  const auto r = coco_map(dets, truths, 1);
  CHECK(r.map50 == doctest::Approx(1.0));
  CHECK(r.map50_95 == doctest::Approx(0.3));
}

TEST_CASE("a duplicate after full recall does not lower AP, a missed truth caps recall") {
  const std::vector<GroundTruth> one{gt(0, 0, kA)};
  CHECK(average_precision({det(0, 0, 0.9, kA), det(0, 0, 0.8, kA)}, one, 0.5) ==
        doctest::Approx(1.0));
  // Two truths, one found: recall reaches 1/2 only; points 0..0.50 read 1, the rest 0.
  const std::vector<GroundTruth> two{gt(0, 0, kA), gt(1, 0, kA)};
  CHECK(average_precision({det(0, 0, 0.9, kA)}, two, 0.5) == doctest::Approx(51.0 / 101));
}

TEST_CASE("matching respects images and classes, classes without truth are not averaged") {
  // The detection is in the wrong image, then in the wrong class: both are misses.
  CHECK(average_precision({det(1, 0, 0.9, kA)}, {gt(0, 0, kA)}, 0.5) == 0.0);
  const auto wrong_class = coco_map({det(0, 1, 0.9, kA)}, {gt(0, 0, kA)}, 2);
  CHECK(wrong_class.classes_evaluated == 1);
  CHECK(wrong_class.map50 == 0.0);
  // Extra detections of a class with no truth leave the figures alone.
  const auto extra = coco_map({det(0, 0, 0.5, kA), det(0, 1, 0.9, kB)}, {gt(0, 0, kA)}, 2);
  CHECK(extra.map50 == doctest::Approx(1.0));
  CHECK(coco_map({}, {}, 3).map50 == 0.0);
}

TEST_CASE("class-aware NMS removes a duplicate and keeps other classes and images") {
  const Box shifted{1, 0, 11, 10};  // IoU with kA = 90 / 110 = 0.82
  const std::vector<Detection> input{det(0, 0, 0.8, shifted), det(0, 0, 0.9, kA),
                                     det(0, 1, 0.7, kA), det(1, 0, 0.6, kA), det(0, 0, 0.5, kB)};
  const auto kept = class_aware_nms(input, 0.6);
  REQUIRE(kept.size() == 4);
  CHECK(kept[0].score == 0.9);  // the better of the duplicates survives
  CHECK(kept[1].class_id == 1);
  CHECK(kept[2].image == 1);
  CHECK(kept[3].box.x1 == kB.x1);
  // With a looser threshold the duplicate (IoU 0.82) stays; max_keep bounds the output.
  CHECK(class_aware_nms(input, 0.85).size() == 5);
  CHECK(class_aware_nms(input, 0.6, 2).size() == 2);
}
