#pragma once
// Mosaic augmentation (YOLOv4/v5/v8, YOLO-World's MultiModalMosaic): four images around a
// random centre on a 2S x 2S canvas, so that one sample shows objects at four scales and
// cut by the borders. The random affine (affine.hpp) then crops the canvas back to S x S.
#include <array>
#include <cstdint>
#include <vector>

#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/image_io.hpp"

namespace trainplan::executor::data {

/// A box as a class and corners in canvas pixels: class, x0, y0, x1, y1.
using CornerBox = std::array<float, 5>;

/// Where one image lies on the canvas: its top-left corner (may be off the canvas: the part
/// outside is cut), its size after resizing, and the resize factors from original pixels.
struct MosaicTile {
  int x = 0, y = 0;
  int width = 0, height = 0;
  double scale_x = 1, scale_y = 1;
};

/// An image with its boxes on the canvas (a mosaic of four, or one letterboxed image).
struct Canvas {
  Image image;
  std::vector<CornerBox> boxes;
};

/// The four tiles around the centre (cx, cy) of a 2S x 2S canvas, S = `size`. Each image of
/// `sizes` (original width, height) is resized so that its long side is S, then image 0's
/// bottom-right corner, image 1's bottom-left, image 2's top-right and image 3's top-left
/// touch the centre (YOLOv8's placement).
std::array<MosaicTile, 4> mosaic_layout(const std::array<ImageSize, 4>& sizes, int size, int cx,
                                        int cy);

/// Renders four images and their boxes (original pixels) with mosaic_layout on a 2S x 2S
/// canvas filled with YOLO's grey. Boxes are clipped to the canvas; those left without area
/// are dropped (the affine's candidate rule judges the rest).
Canvas make_mosaic(const std::array<const Image*, 4>& images,
                   const std::array<const std::vector<Box>*, 4>& boxes, int size, int cx, int cy);

/// One image resized so that its long side is `size` and centred on a size x size canvas
/// (the letterbox that precedes the random affine when mosaic is off).
Canvas make_letterbox_canvas(const Image& image, const std::vector<Box>& boxes, int size);

/// The random part of a mosaic: three more dataset indices (uniform, with replacement, as
/// YOLOv8 draws them) and the centre, uniform in [S/2, 3S/2] on each axis.
struct MosaicDraw {
  std::array<size_t, 3> others{};
  int cx = 0, cy = 0;
};

/// Draws a MosaicDraw from `seed` for a dataset of `dataset_size` images.
MosaicDraw draw_mosaic(uint64_t seed, size_t dataset_size, int size);

}  // namespace trainplan::executor::data
