#pragma once
// Random numbers of one Monte Carlo run: a generator seeded from (seed, run index), so run i
// draws the same numbers whether it runs alone or among millions, on every platform.
//
// Why not std::mt19937_64: seeding it fills 312 words and its first draw regenerates them all,
// about 1 us per run; measured, that was 88% of a 10,000,000-run simulation (31 s). xoshiro256**
// (Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 2021) has
// four words of state, passes BigCrush, and its authors recommend seeding it with splitmix64.
#include <cmath>
#include <cstdint>

namespace trainplan::costmodel::detail {

/// splitmix64 (Steele, Lea and Flood, OOPSLA 2014): advances `state` and returns a well-mixed
/// 64-bit value; the usual way to turn related integers into unrelated seeds.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// xoshiro256** seeded per run.
class RunRandom {
 public:
  /// The stream of run `run_index` under `seed`.
  void start(std::uint64_t seed, std::uint64_t run_index) {
    std::uint64_t state = seed;
    std::uint64_t mixed = splitmix64(state) + run_index;  // distinct per run, then re-mixed
    for (auto& word : s_) word = splitmix64(mixed);       // never all zero in practice
  }

  /// The next 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) from the top 53 bits (std::uniform_real_distribution is not specified
  /// bit for bit across standard libraries).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

  /// Exp(rate) by inverse transform: -ln(1 - u) / rate; 1 - u lies in (0, 1], so it is finite.
  double exponential(double rate) { return -std::log1p(-uniform()) / rate; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4] = {1, 2, 3, 4};
};

}  // namespace trainplan::costmodel::detail
