#pragma once
// Streams a COCO annotation file item by item, so that a million annotations never sit in
// memory as one JSON document: each element of the top-level `images`, `annotations` and
// `categories` arrays is handed over as its own small JSON value, holding only the fields the
// index reads (a polygon "segmentation" list, say, is skipped unread).
#include <array>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace trainplan::executor::data::detail {

/// The three top-level arrays of a COCO file, in the order their checks run.
enum class Section { images = 0, annotations = 1, categories = 2 };

/// What the stream saw of the file's top level, for the structural checks made afterwards.
struct TopLevel {
  /// Set when the root value is not an object: a short rendering of it.
  std::optional<std::string> root_not_object;
  /// Per section: whether its key was present.
  std::array<bool, 3> present{};
  /// Per section: a short rendering of its value when that is not an array.
  std::array<std::optional<std::string>, 3> not_array;
};

/// Called for each array element: its section, its index in the array and its value.
using ItemHandler = std::function<void(Section, size_t, nlohmann::json&)>;

/// Streams `path` (memory-mapped, read once, front to back). A syntax error is an InputError
/// "path:line:column: invalid JSON: parse error ..." as parse_json_file gives.
TopLevel stream_coco_file(const std::string& path, const ItemHandler& on_item);

}  // namespace trainplan::executor::data::detail
