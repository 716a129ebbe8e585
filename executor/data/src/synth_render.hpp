#pragma once
// Drawing one synthetic scene: the pixels and the boxes of its objects.
#include <cstdint>
#include <vector>

#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/image_io.hpp"

namespace trainplan::executor::data::detail {

/// The number of distinct shape/colour classes available.
constexpr int kSyntheticClasses = 10;

/// The name of class k (0-based, < kSyntheticClasses).
const char* shape_name(int k);

/// Renders a size x size scene with 1..max_objects objects of classes 0..classes-1; their
/// boxes (integer pixels, tight to the drawn pixels within a pixel) go to `boxes`.
Image render_scene(int size, int classes, int max_objects, uint64_t seed, std::vector<Box>& boxes);

}  // namespace trainplan::executor::data::detail
