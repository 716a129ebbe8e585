#include "trainplan/executor/data/mosaic.hpp"

#include <algorithm>
#include <cmath>

#include "random.hpp"
#include "resize.hpp"

namespace trainplan::executor::data {

namespace {

constexpr uint8_t kGrey = 114;  // YOLO's padding value

// The size of an image whose long side becomes `size` (at least 1 px each way).
MosaicTile fitted(const ImageSize& s, int size) {
  const double r = static_cast<double>(size) / std::max(s.width, s.height);
  MosaicTile t;
  t.width = std::clamp(static_cast<int>(std::lround(s.width * r)), 1, size);
  t.height = std::clamp(static_cast<int>(std::lround(s.height * r)), 1, size);
  // Per axis, from the rounded size: a box edge at the image edge stays at the tile edge.
  t.scale_x = static_cast<double>(t.width) / s.width;
  t.scale_y = static_cast<double>(t.height) / s.height;
  return t;
}

// Copies the resized image into the canvas at the tile's place, cutting what lies outside.
void paste(const Image& image, const MosaicTile& t, Image& canvas) {
  const Image resized = detail::resize_image(image, t.width, t.height);
  const int x0 = std::max(0, t.x), x1 = std::min(canvas.width, t.x + t.width);
  const int y0 = std::max(0, t.y), y1 = std::min(canvas.height, t.y + t.height);
  if (x0 >= x1) return;
  for (int y = y0; y < y1; ++y) {
    const uint8_t* from = &resized.rgb[(static_cast<size_t>(y - t.y) * t.width + (x0 - t.x)) * 3];
    std::copy(from, from + (x1 - x0) * 3,
              &canvas.rgb[(static_cast<size_t>(y) * canvas.width + x0) * 3]);
  }
}

// Boxes of one tile in canvas pixels, clipped to the canvas; empty ones are dropped.
void place_boxes(const std::vector<Box>& boxes, const MosaicTile& t, const Image& canvas,
                 std::vector<CornerBox>& out) {
  const float w = static_cast<float>(canvas.width), h = static_cast<float>(canvas.height);
  for (const Box& b : boxes) {
    const float x0 = std::clamp(static_cast<float>(t.x + b.x * t.scale_x), 0.0f, w);
    const float x1 = std::clamp(static_cast<float>(t.x + (b.x + b.w) * t.scale_x), 0.0f, w);
    const float y0 = std::clamp(static_cast<float>(t.y + b.y * t.scale_y), 0.0f, h);
    const float y1 = std::clamp(static_cast<float>(t.y + (b.y + b.h) * t.scale_y), 0.0f, h);
    if (x1 > x0 && y1 > y0) out.push_back({static_cast<float>(b.category), x0, y0, x1, y1});
  }
}

Image grey_canvas(int side) {
  Image c;
  c.width = c.height = side;
  c.rgb.assign(static_cast<size_t>(side) * side * 3, kGrey);
  return c;
}

}  // namespace

std::array<MosaicTile, 4> mosaic_layout(const std::array<ImageSize, 4>& sizes, int size, int cx,
                                        int cy) {
  std::array<MosaicTile, 4> tiles;
  for (int i = 0; i < 4; ++i) {
    MosaicTile& t = tiles[i];
    t = fitted(sizes[i], size);
    // Images 0 and 2 end at the centre on x, 1 and 3 start there; 0 and 1 end there on y.
    t.x = (i == 0 || i == 2) ? cx - t.width : cx;
    t.y = (i == 0 || i == 1) ? cy - t.height : cy;
  }
  return tiles;
}

Canvas make_mosaic(const std::array<const Image*, 4>& images,
                   const std::array<const std::vector<Box>*, 4>& boxes, int size, int cx, int cy) {
  std::array<ImageSize, 4> sizes;
  for (int i = 0; i < 4; ++i) sizes[i] = {images[i]->width, images[i]->height};
  const auto tiles = mosaic_layout(sizes, size, cx, cy);
  Canvas out;
  out.image = grey_canvas(2 * size);
  for (int i = 0; i < 4; ++i) {
    paste(*images[i], tiles[i], out.image);
    place_boxes(*boxes[i], tiles[i], out.image, out.boxes);
  }
  return out;
}

Canvas make_letterbox_canvas(const Image& image, const std::vector<Box>& boxes, int size) {
  MosaicTile t = fitted({image.width, image.height}, size);
  // Centred as YOLOv8's LetterBox does (the odd pixel of padding goes right and down).
  t.x = (size - t.width) / 2;
  t.y = (size - t.height) / 2;
  Canvas out;
  out.image = grey_canvas(size);
  paste(image, t, out.image);
  place_boxes(boxes, t, out.image, out.boxes);
  return out;
}

MosaicDraw draw_mosaic(uint64_t seed, size_t dataset_size, int size) {
  detail::Rng rng(seed);
  MosaicDraw d;
  for (auto& i : d.others) i = static_cast<size_t>(rng.below(dataset_size));
  d.cx = rng.between(size / 2, size + size / 2);
  d.cy = rng.between(size / 2, size + size / 2);
  return d;
}

}  // namespace trainplan::executor::data
