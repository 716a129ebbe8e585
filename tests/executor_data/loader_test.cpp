// BatchLoader: batches are bit-identical with 0, 1 and 4 worker threads, each slot holds the
// sample its index asks for (images, ids, letterbox, targets with the right index-in-batch),
// a run resumes from a start batch, drop_last works, worker failures reach next() at the
// failing batch, and destruction is prompt.
#include "trainplan/executor/data/loader.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "test_support.hpp"
#include "trainplan/executor/data/sampler.hpp"
#include "trainplan/executor/data/synth.hpp"

using namespace test_support;
using namespace trainplan::executor::data;

namespace {

// One synthetic dataset for all loader tests (20 train images of 64 px).
const CocoDataset& dataset() {
  static TempDir dir;
  static CocoDataset ds = [] {
    SynthOptions o;
    o.out_dir = dir / "synth";
    o.images = 25;
    o.size = 64;
    o.seed = 11;
    write_synthetic_dataset(o);
    return load_coco(o.out_dir + "/annotations/train.json", o.out_dir + "/train", {});
  }();
  return ds;
}

LoaderOptions options(int workers) {
  LoaderOptions o;
  o.batch_size = 6;
  o.image_size = 48;
  o.seed = 5;
  o.epoch = 2;
  o.workers = workers;
  o.prefetch = 2;
  return o;
}

std::vector<Batch> drain(BatchLoader& loader) {
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<size_t> rank_indices() {
  DistributedSampler s(dataset().images.size(), 0, 1, 5, true);
  s.set_epoch(2);
  return s.indices();
}

}  // namespace

TEST_CASE("batches are identical whatever the number of workers, and hold the right samples") {
  const auto indices = rank_indices();
  REQUIRE(indices.size() == 20);
  BatchLoader inline_loader(dataset(), indices, options(0));
  CHECK(inline_loader.batches() == 4);
  const auto reference = drain(inline_loader);
  REQUIRE(reference.size() == 4);
  CHECK(reference[3].count == 2);  // 20 = 6 + 6 + 6 + 2

  for (int workers : {1, 4}) {
    CAPTURE(workers);
    BatchLoader loader(dataset(), indices, options(workers));
    const auto batches = drain(loader);
    REQUIRE(batches.size() == reference.size());
    for (size_t k = 0; k < batches.size(); ++k) {
      CHECK(batches[k].index == static_cast<int64_t>(k));
      CHECK(batches[k].images == reference[k].images);
      CHECK(batches[k].targets == reference[k].targets);
      CHECK(batches[k].image_ids == reference[k].image_ids);
    }
    CHECK(loader.seconds_waiting() >= 0);
  }

  // Each slot i of batch k is the sample of indices[6k + i] with its own sample seed.
  for (size_t k = 0; k < reference.size(); ++k) {
    const Batch& batch = reference[k];
    CHECK(batch.size == 48);
    CHECK(batch.images.size() == static_cast<size_t>(batch.count) * 3 * 48 * 48);
    std::vector<std::array<float, 6>> expected_targets;
    for (int i = 0; i < batch.count; ++i) {
      const size_t index = indices[6 * k + i];
      Sample s = make_sample(dataset().images[index], 48, {}, sample_seed(5, 2, index));
      CHECK(batch.image_ids[i] == dataset().images[index].id);
      CHECK(batch.scales[i] == s.scale);
      CHECK(batch.pad_x[i] == s.pad_x);
      CHECK(batch.pad_y[i] == s.pad_y);
      CHECK(std::equal(s.chw.begin(), s.chw.end(), batch.images.begin() + i * s.chw.size()));
      for (const auto& b : s.boxes)
        expected_targets.push_back({static_cast<float>(i), b[0], b[1], b[2], b[3], b[4]});
    }
    CHECK(batch.targets == expected_targets);
  }
}

TEST_CASE("a loader resumes from a start batch, and drop_last drops the short batch") {
  const auto indices = rank_indices();
  BatchLoader full(dataset(), indices, options(2));
  const auto all = drain(full);
  LoaderOptions resume = options(3);
  resume.start_batch = 2;
  BatchLoader resumed(dataset(), indices, resume);
  CHECK(resumed.batches() == 4);
  const auto rest = drain(resumed);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].index == 2);
  CHECK(rest[0].images == all[2].images);
  CHECK(rest[1].targets == all[3].targets);

  LoaderOptions drop = options(2);
  drop.drop_last = true;
  BatchLoader dropping(dataset(), indices, drop);
  CHECK(dropping.batches() == 3);
  CHECK(drain(dropping).size() == 3);
}

TEST_CASE("a worker's failure is rethrown by next() at the failing batch") {
  CocoDataset broken = dataset();
  const auto indices = rank_indices();
  broken.images[indices[8]].path = "/nonexistent/img.png";  // batch 1, slot 2
  BatchLoader loader(broken, indices, options(4));
  CHECK(loader.next().has_value());
  // The loader names the image entry as well as the file (images are first opened here).
  CHECK(input_error_of([&] { loader.next(); }) ==
        "/nonexistent/img.png: image file does not exist (image id " +
            std::to_string(broken.images[indices[8]].id) +
            "; `trainplan data check` scans every image)");
  CHECK(loader.next()->index == 2);  // the failed batch was consumed
}

TEST_CASE("destroying a loader mid-epoch stops its workers promptly") {
  LoaderOptions o = options(4);
  o.prefetch = 4;
  const auto start = std::chrono::steady_clock::now();
  {
    BatchLoader loader(dataset(), rank_indices(), o);
    CHECK(loader.next().has_value());
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("bad loader options are InputErrors") {
  LoaderOptions o = options(1);
  o.batch_size = 0;
  CHECK(input_error_of([&] { BatchLoader(dataset(), {0}, o); }) ==
        "batch size 0 is invalid; expected >= 1");
  o = options(1);
  o.start_batch = 5;
  CHECK(input_error_of([&] { BatchLoader(dataset(), rank_indices(), o); }) ==
        "start batch 5 is invalid; the epoch has 4 batches");
  CHECK(input_error_of([&] { BatchLoader(dataset(), {999}, options(1)); }) ==
        "dataset index 999 is out of range; the dataset has 20 images");
}
