#pragma once
// Random affine augmentation (YOLOv5/v8's random_perspective without perspective, mmyolo's
// YOLOv5RandomAffine): rotation, scale, shear and translation of a canvas into the S x S
// sample, boxes transformed by their corners, clipped, and dropped when too little is left.
#include <array>
#include <cstdint>
#include <vector>

#include "trainplan/executor/data/mosaic.hpp"

namespace trainplan::executor::data {

/// Ranges of the random affine; the defaults are YOLOv8's (hyp degrees 0, translate 0.1,
/// scale 0.5, shear 0).
struct AffineOptions {
  /// Rotation drawn in [-degrees, degrees].
  float degrees = 0.0f;
  /// The canvas centre lands at (0.5 +- translate) x S on each axis.
  float translate = 0.1f;
  /// Scale gain drawn in [1 - scale, 1 + scale].
  float scale = 0.5f;
  /// Shear angles drawn in [-shear, shear] degrees on each axis.
  float shear = 0.0f;
};

/// One drawn affine.
struct AffineParams {
  double angle_degrees = 0;
  double scale = 1;
  double shear_x_degrees = 0, shear_y_degrees = 0;
  /// Where the canvas centre lands in the output, pixels.
  double centre_x = 0, centre_y = 0;
};

/// A 2 x 3 matrix: (x, y) -> (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
using Affine2d = std::array<double, 6>;

/// Draws the parameters for an `out_size` x `out_size` output from `seed`. Every draw is
/// made whatever the ranges, in a fixed order, so a zero range never shifts the others.
AffineParams draw_affine(const AffineOptions& options, int out_size, uint64_t seed);

/// The identity parameters for an `out_size` output: no
/// rotation, scale 1, no shear, the canvas centre at the output centre.
AffineParams identity_affine(int out_size);

/// The matrix from canvas pixels to output pixels: move the canvas centre to the origin,
/// rotate and scale, shear, then move to (centre_x, centre_y).
Affine2d affine_matrix(const AffineParams& params, int canvas_width, int canvas_height);

/// YOLOv8's box_candidates: a transformed box (x0, y0, x1, y1) is kept when it is wider and
/// taller than 2 px, keeps more than a tenth of the area of the original box times the
/// scale gain squared, and its aspect ratio is below 100.
bool box_candidate(const std::array<float, 4>& before, const std::array<float, 4>& after,
                   double scale);

/// Transforms boxes (canvas pixels) by `m`: the bounding box of the four moved corners,
/// clipped to the out_size square, kept by box_candidate.
std::vector<CornerBox> affine_boxes(const std::vector<CornerBox>& boxes, const Affine2d& m,
                                    double scale, int out_size);

/// Warps the canvas into a 3 x out_size x out_size float sample (CHW, [0, 1]) by `m`,
/// bilinear; output pixels from outside the canvas are YOLO's grey (114).
std::vector<float> warp_affine(const Image& canvas, const Affine2d& m, int out_size);

}  // namespace trainplan::executor::data
