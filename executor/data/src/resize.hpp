#pragma once
// Image resizing shared by the letterbox and the mosaic: a 2x2 box-filter mip chain for large
// reductions, then bilinear sampling.
#include "trainplan/executor/data/image_io.hpp"

namespace trainplan::executor::data::detail {

/// 2x2 box-filter halving. A pixel j of the half image covers source pixels 2j and 2j+1, so
/// continuous coordinates halve exactly.
Image halve(const Image& in);

/// `in` resized to width x height (each >= 1): halved while the reduction exceeds 2x on both
/// axes, then bilinear with pixel centres aligned (as cv2.INTER_LINEAR).
Image resize_image(const Image& in, int width, int height);

}  // namespace trainplan::executor::data::detail
