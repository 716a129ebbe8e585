#pragma once
// The data pipeline's only source of randomness. Every random choice (permutations, augment
// draws, synthetic scenes) comes from SplitMix64 so that results are bit-identical across
// compilers and standard libraries: std::shuffle and the std:: distributions are
// implementation-defined, which would make a run irreproducible on another machine.
#include <cstddef>
#include <cstdint>

namespace trainplan::executor::data::detail {

/// SplitMix64's finaliser: a strong 64-bit mix, also used to derive independent seeds.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Combines a seed with one more value into a new seed (order matters).
inline uint64_t combine_seed(uint64_t seed, uint64_t value) {
  return mix64(seed ^ mix64(value + 0x9e3779b97f4a7c15ULL));
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny state, passes BigCrush, trivially seedable.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n), n > 0, without modulo bias (rejection of the short tail).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }

  /// Uniform integer in [lo, hi] (inclusive).
  int between(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

 private:
  uint64_t state_;
};

}  // namespace trainplan::executor::data::detail
