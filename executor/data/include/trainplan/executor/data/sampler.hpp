#pragma once
// Which dataset indices each rank reads in an epoch, with torch.utils.data.DistributedSampler's
// semantics: one permutation per epoch shared by all ranks, padded to a multiple of the world
// size, and dealt round-robin. The permutation comes from the project's own SplitMix64
// Fisher-Yates (not std::shuffle, whose algorithm differs between standard libraries), so
// every rank on every machine computes the same order.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace trainplan::executor::data {

/// The seed that augments dataset item `dataset_index` in `epoch`. It depends on nothing
/// else, so a sample is augmented identically whatever rank, batch or thread draws it, and
/// a resumed or re-sharded run sees the same images.
uint64_t sample_seed(uint64_t base_seed, int64_t epoch, size_t dataset_index);

/// A uniformly random permutation of 0..n-1 determined by `seed` alone.
std::vector<size_t> permutation(size_t n, uint64_t seed);

/// This rank's share of the dataset for an epoch.
///
/// The epoch's list is permutation(n, seed + epoch) (or 0..n-1 without shuffle). Without
/// drop_last it is padded, by repeating it from the start, to a multiple of world_size;
/// with drop_last it is cut down to one instead. Rank r takes list positions r, r + W,
/// r + 2W, ... Hence for any k and b, the union over ranks of their positions
/// [k*b, (k+1)*b) is exactly positions [k*b*W, (k+1)*b*W) of the one-rank list: a global
/// batch covers the same images whatever the number of GPUs.
class DistributedSampler {
 public:
  /// Throws InputError for an empty dataset, a rank outside [0, world_size), a world size
  /// below 1, or drop_last with fewer items than ranks.
  DistributedSampler(size_t dataset_size, int rank, int world_size, uint64_t seed, bool shuffle,
                     bool drop_last = false);

  /// Selects the epoch (a new order each epoch when shuffling).
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }

  /// This rank's dataset indices for the current epoch, in reading order.
  std::vector<size_t> indices() const;

  /// The number of indices each rank gets per epoch (the same on every rank).
  size_t size() const { return per_rank_; }

 private:
  size_t dataset_size_;
  int rank_;
  int world_size_;
  uint64_t seed_;
  bool shuffle_;
  size_t per_rank_;
  int64_t epoch_ = 0;
};

}  // namespace trainplan::executor::data
