#pragma once
// Per-sample augmentation and letterboxing: an image of any size becomes a square SxS float
// tensor (CHW, values in [0, 1]) with its boxes in the same pixel frame. Every random choice
// comes from one 64-bit seed, so a sample is the same whichever rank, thread or batch makes
// it (see sample_seed in sampler.hpp).
#include <array>
#include <cstdint>
#include <vector>

#include "trainplan/executor/data/affine.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/hsv.hpp"
#include "trainplan/executor/data/image_io.hpp"

namespace trainplan::executor::data {

/// Augmentation settings. The defaults are for training (a letterbox with a random zoom and
/// flip); recipe() is the YOLOv8 / YOLO-World pipeline; evaluation() turns everything off.
struct AugmentOptions {
  /// Random zoom factor drawn uniformly in [scale_min, scale_max], applied on top of the
  /// letterbox fit: > 1 zooms in (the centre is kept, the borders are cropped), < 1 zooms
  /// out (more grey padding). [1, 1] disables it.
  float scale_min = 0.75f;
  float scale_max = 1.25f;
  /// Probability of a horizontal flip (in both pipelines).
  float flip_probability = 0.5f;

  /// The recipe pipeline instead of the zoomed letterbox: a mosaic of four images (with
  /// `mosaic`) or one letterboxed image, then the random affine, HSV and the flip. The zoom
  /// range above is then unused.
  bool recipe = false;
  /// With `recipe`: four images per sample (off in the recipe's last, "close mosaic" epochs).
  bool mosaic = false;
  /// With `recipe`: the random affine's ranges and the HSV gains (YOLOv8's defaults).
  AffineOptions affine;
  HsvOptions hsv;

  /// No zoom and no flip: a plain letterbox, for validation and inference.
  static AugmentOptions evaluation() {
    AugmentOptions o;
    o.scale_min = o.scale_max = 1.0f;
    o.flip_probability = 0.0f;
    return o;
  }

  /// YOLOv8's training augmentation: mosaic when asked, random affine, HSV, flip 0.5.
  static AugmentOptions yolo_recipe(bool mosaic) {
    AugmentOptions o;
    o.recipe = true;
    o.mosaic = mosaic;
    return o;
  }
};

/// One transformed sample. A point (x, y) of the original image lands at
/// (scale * x + pad_x, scale * y + pad_y) (after mirroring x to width - x when flipped).
struct Sample {
  /// 3 x size x size floats in [0, 1], channel-major (R plane, G plane, B plane).
  std::vector<float> chw;
  int size = 0;
  /// class, cx, cy, w, h in letterboxed pixels; boxes left smaller than 2 px are dropped.
  std::vector<std::array<float, 5>> boxes;
  int64_t image_id = 0;
  float scale = 1.0f;
  float pad_x = 0.0f;
  float pad_y = 0.0f;
  bool flipped = false;
};

/// Checks the options; throws InputError naming the bad field.
void validate(const AugmentOptions& options);

/// Transforms a decoded image and its boxes (original pixels) into a `size` x `size` sample.
Sample transform_image(const Image& image, const std::vector<Box>& boxes, int64_t image_id,
                       int size, const AugmentOptions& options, uint64_t seed);

/// Decodes the record's image file and transforms it. Throws InputError when the file cannot
/// be decoded or no longer has the annotated size.
Sample make_sample(const ImageRecord& record, int size, const AugmentOptions& options,
                   uint64_t seed);

/// Decodes the record's image file. Throws InputError when the file cannot be decoded or no
/// longer has the annotated size.
Image decode_record(const ImageRecord& record);

/// Training or evaluation sample `index` of `dataset`. With a recipe's mosaic, three more
/// images are drawn from the seed; otherwise it is make_sample(dataset.images[index], ...).
/// A sample of the recipe pipeline has scale 1 and no padding (its boxes are not mapped back).
Sample make_sample(const CocoDataset& dataset, size_t index, int size,
                   const AugmentOptions& options, uint64_t seed);

/// Maps a box (cx, cy, w, h in letterboxed pixels of an unflipped sample) back to COCO xywh
/// in original pixels: the inverse of the letterbox, for predictions.
std::array<float, 4> to_original_xywh(const std::array<float, 4>& cxcywh, float scale, float pad_x,
                                      float pad_y);

}  // namespace trainplan::executor::data
