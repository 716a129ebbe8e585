#include "trainplan/executor/data/sampler.hpp"

#include <fmt/format.h>

#include <numeric>

#include "random.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor::data {

uint64_t sample_seed(uint64_t base_seed, int64_t epoch, size_t dataset_index) {
  return detail::combine_seed(detail::combine_seed(base_seed, static_cast<uint64_t>(epoch)),
                              static_cast<uint64_t>(dataset_index));
}

std::vector<size_t> permutation(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Mixing first so that seeds 0, 1, 2 (seed + epoch) give unrelated streams.
  detail::Rng rng(detail::mix64(seed));
  // Fisher-Yates from the back: position i takes a uniform pick among positions 0..i.
  for (size_t i = n; i > 1; --i) {
    size_t j = static_cast<size_t>(rng.below(i));
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

DistributedSampler::DistributedSampler(size_t dataset_size, int rank, int world_size, uint64_t seed,
                                       bool shuffle, bool drop_last)
    : dataset_size_(dataset_size),
      rank_(rank),
      world_size_(world_size),
      seed_(seed),
      shuffle_(shuffle) {
  if (world_size < 1) {
    throw InputError(fmt::format("world size {} is invalid; expected at least 1", world_size));
  }
  if (rank < 0 || rank >= world_size) {
    throw InputError(fmt::format("rank {} is invalid; expected 0..{}", rank, world_size - 1));
  }
  if (dataset_size == 0)
    throw InputError("the dataset is empty; a sampler needs at least one item");
  const size_t w = static_cast<size_t>(world_size);
  if (drop_last && dataset_size < w) {
    throw InputError(fmt::format("drop_last with {} items and {} ranks leaves no item per rank",
                                 dataset_size, world_size));
  }
  per_rank_ = drop_last ? dataset_size / w : (dataset_size + w - 1) / w;
}

std::vector<size_t> DistributedSampler::indices() const {
  std::vector<size_t> order;
  if (shuffle_) {
    order = permutation(dataset_size_, seed_ + static_cast<uint64_t>(epoch_));
  } else {
    order.resize(dataset_size_);
    std::iota(order.begin(), order.end(), size_t{0});
  }
  const size_t w = static_cast<size_t>(world_size_);
  const size_t total = per_rank_ * w;
  // Padding repeats the list from its start (wrapping again if the pad is longer than the
  // list, as torch does), so every rank gets the same number of items and no rank waits.
  std::vector<size_t> mine;
  mine.reserve(per_rank_);
  for (size_t position = static_cast<size_t>(rank_); position < total; position += w) {
    mine.push_back(order[position % dataset_size_]);
  }
  return mine;
}

}  // namespace trainplan::executor::data
