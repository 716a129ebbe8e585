// DistributedSampler keeps torch's semantics (padding, round-robin dealing) and the property
// the trainer relies on: the ranks' k-th local batches together are exactly the k-th global
// batch of a one-rank run, so the data seen does not depend on the number of GPUs.
#include "trainplan/executor/data/sampler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "test_support.hpp"

using namespace test_support;
using trainplan::executor::data::DistributedSampler;
using trainplan::executor::data::permutation;
using trainplan::executor::data::sample_seed;

TEST_CASE("permutation is a deterministic permutation, pinned across platforms") {
  auto p = permutation(1000, 5);
  auto sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> identity(1000);
  std::iota(identity.begin(), identity.end(), size_t{0});
  CHECK(sorted == identity);
  CHECK(p == permutation(1000, 5));
  CHECK(p != permutation(1000, 6));
  // Golden value: a change here changes every run's data order (and breaks resumption).
  CHECK(permutation(10, 0) == std::vector<size_t>{6, 3, 2, 9, 8, 1, 4, 7, 0, 5});
}

TEST_CASE("each rank gets ceil(n / W) items, padding repeats the list from its start") {
  DistributedSampler one(10, 0, 1, 3, true);
  const auto all = one.indices();
  CHECK(all.size() == 10);
  for (int rank = 0; rank < 3; ++rank) {
    DistributedSampler s(10, rank, 3, 3, true);
    CHECK(s.size() == 4);
    const auto mine = s.indices();
    REQUIRE(mine.size() == 4);
    for (size_t j = 0; j < 4; ++j) CHECK(mine[j] == all[(rank + 3 * j) % 10]);
  }
}

TEST_CASE("without shuffle rank r reads r, r + W, r + 2W, ...") {
  DistributedSampler s(7, 1, 2, 99, false);
  CHECK(s.indices() == std::vector<size_t>{1, 3, 5, 0});  // 7 items padded to 8 with item 0
  DistributedSampler dropped(7, 1, 2, 99, false, true);
  CHECK(dropped.indices() == std::vector<size_t>{1, 3, 5});
}

TEST_CASE("the ranks' k-th local batches form the k-th global batch (W = 2, 3)") {
  for (int world : {2, 3}) {
    for (bool drop_last : {false, true}) {
      CAPTURE(world);
      CAPTURE(drop_last);
      const size_t n = 23;
      DistributedSampler single(n, 0, 1, 77, true);
      single.set_epoch(4);
      auto global = single.indices();
      // The one-rank list padded the way the W-rank list is (torch: repeat from the start).
      DistributedSampler probe(n, 0, world, 77, true, drop_last);
      const size_t total = probe.size() * world;
      for (size_t i = n; i < total; ++i) global.push_back(global[i - n]);
      global.resize(total);

      std::vector<std::vector<size_t>> lists;
      for (int r = 0; r < world; ++r) {
        DistributedSampler s(n, r, world, 77, true, drop_last);
        s.set_epoch(4);
        lists.push_back(s.indices());
        CHECK(lists.back().size() == probe.size());
      }
      for (size_t b : {1, 2, 3, 5}) {
        for (size_t k = 0; (k + 1) * b <= probe.size(); ++k) {
          std::multiset<size_t> from_ranks, expected;
          for (const auto& list : lists)
            from_ranks.insert(list.begin() + k * b, list.begin() + (k + 1) * b);
          expected.insert(global.begin() + k * b * world, global.begin() + (k + 1) * b * world);
          CHECK(from_ranks == expected);
        }
      }
    }
  }
}

TEST_CASE("epochs reshuffle, sample seeds depend only on (seed, epoch, index)") {
  DistributedSampler s(50, 0, 1, 1, true);
  const auto epoch0 = s.indices();
  s.set_epoch(1);
  CHECK(s.indices() != epoch0);
  s.set_epoch(0);
  CHECK(s.indices() == epoch0);

  CHECK(sample_seed(1, 2, 3) == sample_seed(1, 2, 3));
  CHECK(sample_seed(1, 2, 3) != sample_seed(1, 2, 4));
  CHECK(sample_seed(1, 2, 3) != sample_seed(1, 3, 3));
  CHECK(sample_seed(1, 2, 3) != sample_seed(2, 2, 3));
  CHECK(sample_seed(0, 1, 0) != sample_seed(0, 0, 1));  // epoch and index do not commute
}

TEST_CASE("bad sampler arguments are InputErrors") {
  CHECK(input_error_of([] { DistributedSampler(10, 2, 2, 0, true); }) ==
        "rank 2 is invalid; expected 0..1");
  CHECK(input_error_of([] { DistributedSampler(10, 0, 0, 0, true); }) ==
        "world size 0 is invalid; expected at least 1");
  CHECK(input_error_of([] { DistributedSampler(0, 0, 1, 0, true); }) ==
        "the dataset is empty; a sampler needs at least one item");
  CHECK(input_error_of([] { DistributedSampler(3, 0, 4, 0, true, true); }) ==
        "drop_last with 3 items and 4 ranks leaves no item per rank");
}
