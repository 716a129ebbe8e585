#pragma once
// The per-file half of load_coco: does each image file exist, decode, and have the size its
// annotation claims. Separate because it is the slow, parallel part.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trainplan/executor/data/coco_dataset.hpp"

namespace trainplan::executor::data::detail {

/// For each record (null entries are skipped), the problem with its file, or nothing.
/// `decode` decodes every image fully; otherwise only headers are read. `threads` 0 means
/// one per hardware thread. `progress` (when set) is called from one thread at a time with
/// (records checked, records) about every half second and once at the end.
std::vector<std::optional<std::string>> check_image_files(
    const std::vector<const ImageRecord*>& records, bool decode, int threads,
    const std::function<void(size_t, size_t)>& progress = {});

}  // namespace trainplan::executor::data::detail
