#include "resize.hpp"

#include <algorithm>
#include <cstddef>

namespace trainplan::executor::data::detail {

// Bilinear sampling alone aliases badly when shrinking by more than 2x (e.g. 4000 px photos
// to 640), so large reductions first go down this mip chain.
Image halve(const Image& in) {
  Image out;
  out.width = std::max(1, in.width / 2);
  out.height = std::max(1, in.height / 2);
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  auto at = [&](int x, int y, int c) {
    x = std::min(x, in.width - 1);
    y = std::min(y, in.height - 1);
    return static_cast<int>(in.rgb[(static_cast<size_t>(y) * in.width + x) * 3 + c]);
  };
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        int sum = at(2 * x, 2 * y, c) + at(2 * x + 1, 2 * y, c) + at(2 * x, 2 * y + 1, c) +
                  at(2 * x + 1, 2 * y + 1, c);
        out.rgb[(static_cast<size_t>(y) * out.width + x) * 3 + c] =
            static_cast<uint8_t>((sum + 2) / 4);
      }
    }
  }
  return out;
}

Image resize_image(const Image& in, int width, int height) {
  const Image* level = &in;
  Image reduced;
  while (level->width >= 2 * width && level->height >= 2 * height) {
    reduced = halve(*level);
    level = &reduced;
  }
  if (level->width == width && level->height == height) return *level;
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.resize(static_cast<size_t>(width) * height * 3);
  const double fx = static_cast<double>(level->width) / width;
  const double fy = static_cast<double>(level->height) / height;
  for (int y = 0; y < height; ++y) {
    const double sy = std::clamp((y + 0.5) * fy - 0.5, 0.0, level->height - 1.0);
    const int y0 = static_cast<int>(sy), y1 = std::min(y0 + 1, level->height - 1);
    const float wy = static_cast<float>(sy - y0);
    for (int x = 0; x < width; ++x) {
      const double sx = std::clamp((x + 0.5) * fx - 0.5, 0.0, level->width - 1.0);
      const int x0 = static_cast<int>(sx), x1 = std::min(x0 + 1, level->width - 1);
      const float wx = static_cast<float>(sx - x0);
      for (int c = 0; c < 3; ++c) {
        auto px = [&](int xx, int yy) {
          return static_cast<float>(level->rgb[(static_cast<size_t>(yy) * level->width + xx) * 3 + c]);
        };
        const float top = px(x0, y0) + wx * (px(x1, y0) - px(x0, y0));
        const float bottom = px(x0, y1) + wx * (px(x1, y1) - px(x0, y1));
        out.rgb[(static_cast<size_t>(y) * width + x) * 3 + c] =
            static_cast<uint8_t>(std::clamp(top + wy * (bottom - top) + 0.5f, 0.0f, 255.0f));
      }
    }
  }
  return out;
}

}  // namespace trainplan::executor::data::detail
