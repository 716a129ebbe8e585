#include "trainplan/executor/data/transforms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "random.hpp"
#include "resize.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor::data {

namespace {

// YOLO's letterbox grey: the padding looks like "nothing" to a model trained this way.
constexpr float kPadValue = 114.0f / 255.0f;
// Boxes this thin after clipping carry no learnable object.
constexpr float kMinBoxPx = 2.0f;
// A box cropped to less than this fraction of its area is dropped rather than kept as a
// sliver that no longer looks like its class (YOLOv5's box_candidates uses the same 0.1).
constexpr float kMinVisibleFraction = 0.1f;

// Where output column (or row) d samples from: two source pixels and a blend weight, or
// `inside` false for padding. Computed once per column and once per row.
struct Tap {
  int i0 = 0, i1 = 0;
  float weight = 0;
  bool inside = false;
};

std::vector<Tap> make_taps(int out_size, int extent, int level_extent, double level_factor,
                           double scale, double pad, bool flip) {
  std::vector<Tap> taps(out_size);
  for (int d = 0; d < out_size; ++d) {
    // Continuous coordinates: pixel i spans [i, i + 1), its centre is i + 0.5.
    double u = (d + 0.5 - pad) / scale;
    Tap& t = taps[d];
    t.inside = u >= 0 && u < extent;
    if (flip) u = extent - u;
    double s = std::clamp(u / level_factor - 0.5, 0.0, static_cast<double>(level_extent - 1));
    t.i0 = static_cast<int>(s);
    t.i1 = std::min(t.i0 + 1, level_extent - 1);
    t.weight = static_cast<float>(s - t.i0);
  }
  return taps;
}

void resample(const Image& image, double scale, double pad_x, double pad_y, bool flip,
              Sample& out) {
  const int size = out.size;
  const Image* level = &image;
  Image reduced;
  double factor = 1;
  while (scale * factor < 0.5 && level->width >= 2 && level->height >= 2) {
    reduced = detail::halve(*level);
    level = &reduced;
    factor *= 2;
  }
  const auto xs = make_taps(size, image.width, level->width, factor, scale, pad_x, flip);
  const auto ys = make_taps(size, image.height, level->height, factor, scale, pad_y, false);
  const size_t plane = static_cast<size_t>(size) * size;
  out.chw.assign(plane * 3, kPadValue);
  const uint8_t* px = level->rgb.data();
  const size_t stride = static_cast<size_t>(level->width) * 3;
  for (int y = 0; y < size; ++y) {
    const Tap& ty = ys[y];
    if (!ty.inside) continue;
    const uint8_t* row0 = px + ty.i0 * stride;
    const uint8_t* row1 = px + ty.i1 * stride;
    for (int x = 0; x < size; ++x) {
      const Tap& tx = xs[x];
      if (!tx.inside) continue;
      for (int c = 0; c < 3; ++c) {
        float top = row0[tx.i0 * 3 + c] + tx.weight * (row0[tx.i1 * 3 + c] - row0[tx.i0 * 3 + c]);
        float bottom =
            row1[tx.i0 * 3 + c] + tx.weight * (row1[tx.i1 * 3 + c] - row1[tx.i0 * 3 + c]);
        out.chw[c * plane + static_cast<size_t>(y) * size + x] =
            (top + ty.weight * (bottom - top)) * (1.0f / 255.0f);
      }
    }
  }
}

void transform_boxes(const std::vector<Box>& boxes, int width, Sample& out) {
  const float limit = static_cast<float>(out.size);
  for (const Box& b : boxes) {
    const float x = out.flipped ? width - b.x - b.w : b.x;
    const float x0 = out.scale * x + out.pad_x, x1 = out.scale * (x + b.w) + out.pad_x;
    const float y0 = out.scale * b.y + out.pad_y, y1 = out.scale * (b.y + b.h) + out.pad_y;
    const float cx0 = std::clamp(x0, 0.0f, limit), cx1 = std::clamp(x1, 0.0f, limit);
    const float cy0 = std::clamp(y0, 0.0f, limit), cy1 = std::clamp(y1, 0.0f, limit);
    const float w = cx1 - cx0, h = cy1 - cy0;
    if (w < kMinBoxPx || h < kMinBoxPx) continue;
    if (w * h < kMinVisibleFraction * (x1 - x0) * (y1 - y0)) continue;
    out.boxes.push_back({static_cast<float>(b.category), (cx0 + cx1) / 2, (cy0 + cy1) / 2, w, h});
  }
}

}  // namespace

void validate(const AugmentOptions& o) {
  if (!(o.scale_min > 0) || !(o.scale_max <= 4) || !(o.scale_min <= o.scale_max)) {
    throw InputError(
        fmt::format("augment scale range [{}, {}] is invalid; expected "
                    "0 < scale_min <= scale_max <= 4",
                    o.scale_min, o.scale_max));
  }
  if (!(o.flip_probability >= 0 && o.flip_probability <= 1)) {
    throw InputError(
        fmt::format("augment flip_probability {} is invalid; expected 0..1", o.flip_probability));
  }
  // The recipe's ranges: beyond these the affine folds the image or HSV inverts colours.
  auto check = [](const char* name, float v, float max) {
    if (!(v >= 0 && v <= max))
      throw InputError(fmt::format("augment {} {} is invalid; expected 0..{}", name, v, max));
  };
  check("affine degrees", o.affine.degrees, 180);
  check("affine translate", o.affine.translate, 0.5f);
  check("affine scale", o.affine.scale, 0.9f);
  check("affine shear", o.affine.shear, 45);
  check("hsv hue", o.hsv.hue, 1);
  check("hsv saturation", o.hsv.saturation, 1);
  check("hsv value", o.hsv.value, 1);
}

Sample transform_image(const Image& image, const std::vector<Box>& boxes, int64_t image_id,
                       int size, const AugmentOptions& options, uint64_t seed) {
  validate(options);
  if (image.width < 1 || image.height < 1 ||
      image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3) {
    throw InputError(fmt::format("image {} ({}x{}, {} bytes) is not a valid RGB image", image_id,
                                 image.width, image.height, image.rgb.size()));
  }
  if (size < 1 || size > 8192) {
    throw InputError(fmt::format("image size {} is invalid; expected 1..8192 pixels", size));
  }
  // Both draws are always made, in this order, so adding or disabling one augmentation never
  // shifts the other's random stream.
  detail::Rng rng(seed);
  const double zoom = rng.uniform(options.scale_min, options.scale_max);
  const bool flip = rng.uniform() < options.flip_probability;

  Sample out;
  out.size = size;
  out.image_id = image_id;
  out.flipped = flip;
  const double fit = static_cast<double>(size) / std::max(image.width, image.height);
  const double scale = fit * zoom;  // zoom is exactly scale_min when the range is empty
  const double pad_x = (size - image.width * scale) / 2;
  const double pad_y = (size - image.height * scale) / 2;
  out.scale = static_cast<float>(scale);
  out.pad_x = static_cast<float>(pad_x);
  out.pad_y = static_cast<float>(pad_y);
  resample(image, scale, pad_x, pad_y, flip, out);
  transform_boxes(boxes, image.width, out);
  return out;
}

Image decode_record(const ImageRecord& record) {
  Image image = decode_image(record.path);
  if (image.width != record.width || image.height != record.height) {
    throw InputError(fmt::format("{}: image file is {}x{} but its annotation (image {}) says {}x{}",
                                 record.path, image.width, image.height, record.id, record.width,
                                 record.height));
  }
  return image;
}

Sample make_sample(const ImageRecord& record, int size, const AugmentOptions& options,
                   uint64_t seed) {
  return transform_image(decode_record(record), record.boxes, record.id, size, options, seed);
}

std::array<float, 4> to_original_xywh(const std::array<float, 4>& b, float scale, float pad_x,
                                      float pad_y) {
  const float w = b[2] / scale, h = b[3] / scale;
  return {(b[0] - pad_x) / scale - w / 2, (b[1] - pad_y) / scale - h / 2, w, h};
}

}  // namespace trainplan::executor::data
