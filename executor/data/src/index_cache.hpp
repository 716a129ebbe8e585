#pragma once
// A binary copy of a CocoIndex kept beside its annotation file (`<file>.trainplan-index`),
// or, where that folder is read-only, in $XDG_CACHE_HOME/trainplan (~/.cache/trainplan), so
// that every rank of every stage does not stream a multi-gigabyte JSON again. It is used only
// while it matches the JSON's path, size and modification time and the format version.
#include <optional>
#include <string>

#include "coco_index.hpp"

namespace trainplan::executor::data::detail {

/// The cached index of `annotation_json`, when a valid one exists (a stale, foreign or
/// damaged cache reads as none).
std::optional<CocoIndex> read_cached_index(const std::string& annotation_json);

/// Stores the index (atomically). Best effort: a cache that cannot be written is not an
/// error. Nothing is written while the JSON is under 2 s old, because a change within the
/// same file-system time tick would keep its size and time and go unnoticed.
void write_cached_index(const std::string& annotation_json, const CocoIndex& index);

/// Where the cache beside the file would be, and where the fallback one would be.
std::string index_path_beside(const std::string& annotation_json);
std::string index_path_in_cache_dir(const std::string& annotation_json);

/// The index of `annotation_json`: from the cache when valid, else streamed and cached.
CocoIndex cached_coco_index(const std::string& annotation_json);

}  // namespace trainplan::executor::data::detail
