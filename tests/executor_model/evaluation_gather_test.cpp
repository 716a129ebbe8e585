// Distributed evaluation: detections and ground truths of images split across ranks, gathered,
// give every rank the lists (and so the COCO mAP) of one process that evaluated every image.
#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "thread_communicator.hpp"
#include "trainplan/executor/eval/coco_map.hpp"
#include "trainplan/executor/eval/gather.hpp"

using trainplan::executor::Box;
using trainplan::executor::coco_map;
using trainplan::executor::Detection;
using trainplan::executor::EvaluationRecords;
using trainplan::executor::gather_evaluation;
using trainplan::executor::GroundTruth;
using trainplan::executor::make_local_communicator;
using trainplan::executor::testing::run_ranks;
using trainplan::executor::testing::ThreadCommunicator;
using trainplan::executor::testing::ThreadGroup;

namespace {

/// Six images, two classes: per image one truth (with a COCO area) and two or three detections
/// (one good, one shifted, sometimes a wrong class), scores that interleave across images;
/// some images also have a crowd region.
EvaluationRecords whole_set() {
  EvaluationRecords r;
  for (int image = 0; image < 6; ++image) {
    const double x = 10.0 * image;
    const Box truth{x, 5, x + 20, 30};
    r.truths.push_back(GroundTruth{image, image % 2, truth, 400.0 - image});
    if (image % 3 == 1)
      r.truths.push_back(GroundTruth{image, image % 2, Box{x + 30, 40, x + 80, 90}, 0, true});
    r.detections.push_back(Detection{image, image % 2, 0.9 - 0.1 * image, truth});
    r.detections.push_back(
        Detection{image, image % 2, 0.35 + 0.07 * image, Box{x + 6, 9, x + 26, 34}});
    if (image % 3 == 0)
      r.detections.push_back(Detection{image, 1 - image % 2, 0.5, Box{x, 5, x + 20, 30}});
  }
  return r;
}

/// The records of the images `keep` accepts.
template <typename Keep>
EvaluationRecords share(const EvaluationRecords& all, Keep keep) {
  EvaluationRecords mine;
  for (const auto& d : all.detections)
    if (keep(d.image)) mine.detections.push_back(d);
  for (const auto& g : all.truths)
    if (keep(g.image)) mine.truths.push_back(g);
  return mine;
}

bool same(const EvaluationRecords& a, const EvaluationRecords& b) {
  if (a.detections.size() != b.detections.size() || a.truths.size() != b.truths.size()) return false;
  for (size_t i = 0; i < a.detections.size(); ++i) {
    const auto &x = a.detections[i], &y = b.detections[i];
    if (x.image != y.image || x.class_id != y.class_id || x.score != y.score ||
        x.box.x1 != y.box.x1 || x.box.y2 != y.box.y2)
      return false;
  }
  for (size_t i = 0; i < a.truths.size(); ++i) {
    const auto &x = a.truths[i], &y = b.truths[i];
    if (x.image != y.image || x.box.x2 != y.box.x2 || x.area != y.area || x.crowd != y.crowd)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("gathered evaluation records equal one process's, in image order, on every rank") {
  const EvaluationRecords all = whole_set();
  auto local = make_local_communicator();
  const EvaluationRecords single = gather_evaluation(all, *local);
  const auto expected = coco_map(single.detections, single.truths, 2);
  REQUIRE(expected.map50 > 0);

  SUBCASE("interleaved images, as evaluate() shares them") {
    ThreadGroup group(2);
    std::vector<EvaluationRecords> got(2);
    run_ranks(2, [&](int r) {
      ThreadCommunicator comm(group, r);
      got[r] = gather_evaluation(share(all, [r](int image) { return image % 2 == r; }), comm);
    });
    for (int r = 0; r < 2; ++r) {
      CHECK(same(got[r], single));
      const auto map = coco_map(got[r].detections, got[r].truths, 2);
      CHECK(map.map50 == expected.map50);
      CHECK(map.map50_95 == expected.map50_95);
      CHECK(map.map_small == expected.map_small);
      CHECK(map.ar100 == expected.ar100);
    }
  }
  SUBCASE("a rank with nothing to report (padding)") {
    ThreadGroup group(2);
    std::vector<EvaluationRecords> got(2);
    run_ranks(2, [&](int r) {
      ThreadCommunicator comm(group, r);
      got[r] = gather_evaluation(r == 0 ? all : EvaluationRecords{}, comm);
    });
    CHECK(same(got[0], single));
    CHECK(same(got[1], single));
  }
}
