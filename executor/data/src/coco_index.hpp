#pragma once
// The checked content of a COCO annotation file, before any image file is looked at: what
// load_coco needs, small enough to cache (see index_cache.hpp) and built by streaming.
#include <cstddef>
#include <string>
#include <vector>

#include "trainplan/executor/data/coco_dataset.hpp"

namespace trainplan::executor::data::detail {

/// One listed image that passed its own checks. record.path holds the image's file name
/// relative to the image folder (joined with it by load_coco).
struct IndexEntry {
  ImageRecord record;
  /// Its index in $.images, for messages.
  size_t json_index = 0;
  /// An annotation of this image is bad: skipped (with skip_bad_samples) so that no object
  /// is silently turned into background.
  bool bad = false;
};

/// Everything load_coco needs from the annotation file.
struct CocoIndex {
  std::vector<std::string> class_names;
  std::vector<IndexEntry> entries;
  /// Item-level problems in the order they are reported (images, then annotations): the
  /// first is the error when bad samples are not skipped.
  std::vector<std::string> problems;
  /// How many images $.images lists, bad ones included.
  size_t listed_images = 0;
};

/// Builds the index by streaming `annotation_json`. Structural problems (malformed JSON,
/// missing or non-array top-level fields, no images, bad categories) throw InputError; item
/// problems are collected in `problems`.
CocoIndex build_coco_index(const std::string& annotation_json);

}  // namespace trainplan::executor::data::detail
