// The recipe pipeline (YOLOv8's v8_transforms, YOLO-World's train pipeline): mosaic or
// letterbox, random affine, HSV, horizontal flip. Each step draws from its own seed derived
// from the sample's, so a sample depends only on (seed, epoch, dataset index) and turning
// one step off never changes another's draws.
#include <fmt/format.h>

#include <algorithm>

#include "random.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/data/transforms.hpp"

namespace trainplan::executor::data {

namespace {

enum Step : uint64_t { kMosaicStep = 1, kAffineStep = 2, kHsvStep = 3, kFlipStep = 4 };

Canvas mosaic_canvas(const CocoDataset& dataset, size_t index, int size, uint64_t seed) {
  const MosaicDraw draw = draw_mosaic(detail::combine_seed(seed, kMosaicStep),
                                      dataset.images.size(), size);
  const std::array<const ImageRecord*, 4> records = {
      &dataset.images[index], &dataset.images[draw.others[0]], &dataset.images[draw.others[1]],
      &dataset.images[draw.others[2]]};
  std::array<Image, 4> images;
  std::array<const Image*, 4> image_ptrs;
  std::array<const std::vector<Box>*, 4> box_ptrs;
  for (int i = 0; i < 4; ++i) {
    images[i] = decode_record(*records[i]);
    image_ptrs[i] = &images[i];
    box_ptrs[i] = &records[i]->boxes;
  }
  return make_mosaic(image_ptrs, box_ptrs, size, draw.cx, draw.cy);
}

void flip_horizontally(Sample& s) {
  const size_t n = static_cast<size_t>(s.size);
  for (size_t row = 0; row < 3 * n; ++row) std::reverse(&s.chw[row * n], &s.chw[row * n] + n);
  for (auto& b : s.boxes) b[1] = s.size - b[1];
}

}  // namespace

Sample make_sample(const CocoDataset& dataset, size_t index, int size,
                   const AugmentOptions& options, uint64_t seed) {
  if (index >= dataset.images.size())
    throw InputError(fmt::format("dataset index {} is out of range; the dataset has {} images",
                                 index, dataset.images.size()));
  const ImageRecord& record = dataset.images[index];
  if (!options.recipe) return make_sample(record, size, options, seed);
  validate(options);
  if (size < 1 || size > 8192)
    throw InputError(fmt::format("image size {} is invalid; expected 1..8192 pixels", size));

  const Canvas canvas = options.mosaic
                            ? mosaic_canvas(dataset, index, size, seed)
                            : make_letterbox_canvas(decode_record(record), record.boxes, size);
  // The mosaic's 2S canvas is cropped back to S by the affine (YOLOv8's border of -S/2).
  const AffineParams affine =
      draw_affine(options.affine, size, detail::combine_seed(seed, kAffineStep));
  const Affine2d m = affine_matrix(affine, canvas.image.width, canvas.image.height);

  Sample out;
  out.size = size;
  out.image_id = record.id;
  out.chw = warp_affine(canvas.image, m, size);
  for (const CornerBox& b : affine_boxes(canvas.boxes, m, affine.scale, size))
    out.boxes.push_back({b[0], (b[1] + b[3]) / 2, (b[2] + b[4]) / 2, b[3] - b[1], b[4] - b[2]});
  apply_hsv(out.chw, size, draw_hsv(options.hsv, detail::combine_seed(seed, kHsvStep)));
  detail::Rng flip(detail::combine_seed(seed, kFlipStep));
  out.flipped = flip.uniform() < options.flip_probability;
  if (out.flipped) flip_horizontally(out);
  return out;
}

}  // namespace trainplan::executor::data
