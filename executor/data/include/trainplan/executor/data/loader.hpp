#pragma once
// Turns one rank's index list into batches, made ahead of time by worker threads. Batches come
// out in order and are bit-identical whatever the number of threads: each sample's content
// depends only on (seed, epoch, dataset index) (sample_seed), and each has a fixed slot.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/transforms.hpp"

namespace trainplan::executor::data {

/// A batch ready for the model.
struct Batch {
  /// Images in this batch (the last one of an epoch may be short).
  int count = 0;
  /// Side of the square images, pixels.
  int size = 0;
  /// count x 3 x size x size floats in [0, 1] (NCHW).
  std::vector<float> images;
  /// One row per object: index in batch, class, cx, cy, w, h (letterboxed pixels).
  std::vector<std::array<float, 6>> targets;
  /// Per image: COCO id, letterbox scale and padding (to map predictions back).
  std::vector<int64_t> image_ids;
  std::vector<float> scales, pad_x, pad_y;
  /// This batch's number within the epoch (counting from 0, also when resuming).
  int64_t index = 0;
};

/// How a BatchLoader makes its batches.
struct LoaderOptions {
  int batch_size = 16;
  /// Square input side, pixels.
  int image_size = 640;
  AugmentOptions augment;
  /// Base seed and epoch, combined with each dataset index by sample_seed.
  uint64_t seed = 0;
  int64_t epoch = 0;
  /// Worker threads; 0 makes each batch on the thread that calls next().
  int workers = 2;
  /// At most this many batches are being made or waiting at once (memory bound:
  /// prefetch x batch_size x 3 x image_size^2 floats).
  int prefetch = 2;
  /// First batch to return: resuming in mid-epoch skips the batches already trained on.
  int64_t start_batch = 0;
  /// Leave out a last, short batch.
  bool drop_last = false;
  /// A sample whose image cannot be read (missing, corrupt: found only when loaded) is
  /// replaced by the next dataset index that loads (mmdetection's refetch, deterministic so
  /// ranks and resumed runs still agree), and reported; without it the error ends the epoch.
  bool skip_bad_samples = false;
  /// Told, from a worker thread, of each replaced sample (file, image id, why).
  std::function<void(const std::string&)> report_skipped;
};

/// Makes the batches of one epoch from this rank's dataset indices (a DistributedSampler's
/// indices()). The dataset must outlive the loader.
class BatchLoader {
 public:
  /// Starts the workers. Throws InputError for bad options or an index outside the dataset.
  BatchLoader(const CocoDataset& dataset, std::vector<size_t> indices,
              const LoaderOptions& options);
  /// Stops the workers; each finishes at most the one sample it is making.
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// The next batch, or nothing after the epoch's last. A failure while making a batch (a
  /// corrupt image, say) is rethrown here, when that batch is reached; that batch is then
  /// consumed.
  std::optional<Batch> next();

  /// Batches in the whole epoch, counting those skipped by start_batch.
  int64_t batches() const;

  /// Total time next() has spent waiting for data (the trainer's data_s measurement).
  double seconds_waiting() const;

 private:
  void stop_workers();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trainplan::executor::data
