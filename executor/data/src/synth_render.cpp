#include "synth_render.hpp"

#include <algorithm>
#include <cmath>

#include "random.hpp"

namespace trainplan::executor::data::detail {

namespace {

struct ShapeStyle {
  const char* name;
  uint8_t r, g, b;
};

// Shape and colour both identify the class, so the task is learnable in a few epochs; the
// colours are far apart and far from the grey backgrounds.
constexpr ShapeStyle kStyles[kSyntheticClasses] = {
    {"circle", 220, 40, 40},   {"square", 40, 180, 60},   {"triangle", 40, 80, 230},
    {"cross", 235, 205, 30},   {"ring", 210, 50, 210},    {"diamond", 30, 200, 210},
    {"frame", 245, 135, 20},   {"hexagon", 120, 50, 170}, {"x-cross", 250, 250, 250},
    {"semicircle", 15, 15, 15}};

// Whether the point (u, v) of the object's box, both in [-1, 1] (v downwards), is inside
// shape k. Every shape reaches all four sides of its box, so the box is tight.
bool inside_shape(int k, double u, double v) {
  const double au = std::abs(u), av = std::abs(v);
  switch (k) {
    case 0:
      return u * u + v * v <= 1.0;
    case 1:
      return true;
    case 2:
      return au <= (v + 1.0) / 2.0;  // apex at the top centre, base along the bottom
    case 3:
      return au <= 0.34 || av <= 0.34;
    case 4: {
      double r2 = u * u + v * v;
      return r2 <= 1.0 && r2 >= 0.3;
    }
    case 5:
      return au + av <= 1.0;
    case 6:
      return std::max(au, av) >= 0.6;
    case 7:
      return au <= 1.0 - 0.5 * av;  // corners at (+-1, 0) and (+-0.5, +-1)
    case 8:
      return std::abs(u - v) <= 0.45 || std::abs(u + v) <= 0.45;
    default:
      return v <= 1.0 && u * u + (v - 1.0) * (v - 1.0) / 4.0 <= 1.0;  // flat side down
  }
}

double iou(const Box& a, const Box& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const double inter = w * h;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

void fill_background(Image& image, Rng& rng) {
  const int base = rng.between(70, 170);
  const int tint[3] = {base + rng.between(-15, 15), base + rng.between(-15, 15),
                       base + rng.between(-15, 15)};
  const int noise = rng.uniform() < 0.5 ? 0 : rng.between(6, 24);  // plain or noisy
  uint64_t bits = 0;
  for (size_t i = 0; i < image.rgb.size(); ++i) {
    int value = tint[i % 3];
    if (noise > 0) {
      if (i % 8 == 0) bits = rng.next();  // one 64-bit draw gives 8 noise bytes
      value += static_cast<int>((bits >> (8 * (i % 8))) & 0xff) * (2 * noise + 1) / 256 - noise;
    }
    image.rgb[i] = static_cast<uint8_t>(std::clamp(value, 0, 255));
  }
}

void draw(Image& image, const Box& box) {
  const ShapeStyle& style = kStyles[box.category];
  const int x0 = static_cast<int>(box.x), y0 = static_cast<int>(box.y);
  const int w = static_cast<int>(box.w), h = static_cast<int>(box.h);
  for (int y = y0; y < y0 + h; ++y) {
    const double v = (y - y0 + 0.5) / h * 2.0 - 1.0;
    for (int x = x0; x < x0 + w; ++x) {
      const double u = (x - x0 + 0.5) / w * 2.0 - 1.0;
      if (!inside_shape(box.category, u, v)) continue;
      uint8_t* p = &image.rgb[(static_cast<size_t>(y) * image.width + x) * 3];
      p[0] = style.r;
      p[1] = style.g;
      p[2] = style.b;
    }
  }
}

}  // namespace

const char* shape_name(int k) { return kStyles[k].name; }

Image render_scene(int size, int classes, int max_objects, uint64_t seed, std::vector<Box>& boxes) {
  Rng rng(seed);
  Image image;
  image.width = image.height = size;
  image.rgb.resize(static_cast<size_t>(size) * size * 3);
  fill_background(image, rng);

  boxes.clear();
  const int wanted = rng.between(1, max_objects);
  const int lo = static_cast<int>(std::ceil(0.15 * size)), hi = static_cast<int>(0.45 * size);
  for (int n = 0; n < wanted; ++n) {
    // Rejection sampling keeps objects apart (IoU <= 0.1); a crowded scene just gets fewer.
    for (int attempt = 0; attempt < 30; ++attempt) {
      Box box;
      box.category = rng.between(0, classes - 1);
      box.w = static_cast<float>(rng.between(lo, hi));
      box.h = std::clamp(std::round(box.w * static_cast<float>(rng.uniform(0.8, 1.25))),
                         static_cast<float>(lo), static_cast<float>(hi));
      box.x = static_cast<float>(rng.between(0, size - static_cast<int>(box.w)));
      box.y = static_cast<float>(rng.between(0, size - static_cast<int>(box.h)));
      if (std::all_of(boxes.begin(), boxes.end(),
                      [&](const Box& b) { return iou(b, box) <= 0.1; })) {
        boxes.push_back(box);
        break;
      }
    }
  }
  for (const Box& box : boxes) draw(image, box);
  return image;
}

}  // namespace trainplan::executor::data::detail
