#include "trainplan/executor/data/hsv.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "random.hpp"

namespace trainplan::executor::data {

HsvGains draw_hsv(const HsvOptions& o, uint64_t seed) {
  detail::Rng rng(seed);
  HsvGains g;
  g.hue = 1 + rng.uniform(-1, 1) * o.hue;
  g.saturation = 1 + rng.uniform(-1, 1) * o.saturation;
  g.value = 1 + rng.uniform(-1, 1) * o.value;
  return g;
}

void apply_hsv(std::vector<float>& chw, int size, const HsvGains& gains) {
  const size_t plane = static_cast<size_t>(size) * size;
  const float gh = static_cast<float>(gains.hue), gs = static_cast<float>(gains.saturation),
              gv = static_cast<float>(gains.value);
  float* R = chw.data();
  float* G = R + plane;
  float* B = G + plane;
  for (size_t i = 0; i < plane; ++i) {
    const float r = R[i], g = G[i], b = B[i];
    const float max = std::max({r, g, b}), min = std::min({r, g, b});
    const float chroma = max - min;
    // Hue in sixths of a turn, [0, 6).
    float h = 0;
    if (chroma > 0) {
      if (max == r) h = (g - b) / chroma;
      else if (max == g) h = (b - r) / chroma + 2;
      else h = (r - g) / chroma + 4;
      if (h < 0) h += 6;
    }
    const float s = max > 0 ? chroma / max : 0;
    // YOLO multiplies the hue (OpenCV's 0..180 scale) and wraps it; the same here in sixths.
    h = std::fmod(h * gh, 6.0f);
    const float s2 = std::min(s * gs, 1.0f), v2 = std::min(max * gv, 1.0f);
    // Back to RGB from (h, s2, v2).
    const float c2 = v2 * s2;
    const float x = c2 * (1 - std::fabs(std::fmod(h, 2.0f) - 1));
    const float m = v2 - c2;
    float r2 = 0, g2 = 0, b2 = 0;
    switch (std::min(static_cast<int>(h), 5)) {
      case 0: r2 = c2, g2 = x; break;
      case 1: r2 = x, g2 = c2; break;
      case 2: g2 = c2, b2 = x; break;
      case 3: g2 = x, b2 = c2; break;
      case 4: r2 = x, b2 = c2; break;
      default: r2 = c2, b2 = x; break;
    }
    R[i] = r2 + m;
    G[i] = g2 + m;
    B[i] = b2 + m;
  }
}

}  // namespace trainplan::executor::data
