#include "coco_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

#include "coco_stream.hpp"
#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::executor::data::detail {

namespace {

using nlohmann::json;

// A box may overhang its image by this much: COCO-style exporters round outwards, and
// rejecting a box 0.5 px over the edge would only annoy. It is clipped afterwards.
constexpr double kEdgeTolerancePx = 1.0;

int64_t integer_field(JsonObjectReader& r, const std::string& key) {
  const json& v = r.raw(key);
  if (!v.is_number_integer())
    r.fail(key, fmt::format("expected an integer, got {}", json_excerpt(v)));
  return v.get<int64_t>();
}

int positive_int_field(JsonObjectReader& r, const std::string& key) {
  int64_t v = integer_field(r, key);
  if (v <= 0 || v > 1'000'000) r.fail(key, fmt::format("expected a size in pixels > 0, got {}", v));
  return static_cast<int>(v);
}

// COCO writes iscrowd as 0/1; some exporters write false/true.
bool is_crowd(const json& v) {
  return v.is_boolean() ? v.get<bool>() : v.is_number() && v.get<double>() != 0;
}

// LVIS lists no file_name, only the COCO download address, e.g.
// http://images.cocodataset.org/train2017/000000391895.jpg: its last two parts
// ("train2017/000000391895.jpg") name the file under the data set's folder.
std::optional<std::string> file_from_url(const std::string& url) {
  const auto last = url.rfind('/');
  if (last == std::string::npos || last == 0) return std::nullopt;
  const auto folder = url.rfind('/', last - 1);
  if (folder == std::string::npos || last + 1 == url.size()) return std::nullopt;
  return url.substr(folder + 1);
}

// A bbox as kept until the end of the stream (categories may follow the annotations), in
// 40 bytes rather than a JSON value: a million annotations are common.
struct PendingBox {
  double v[4] = {0, 0, 0, 0};
  uint8_t integral = 0;  // bit i: v[i] was written as an integer (for messages)
};

// JSON's rendering of a bbox (as json::dump gives), for messages.
std::string dump_box(const PendingBox& b) {
  std::string out = "[";
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out += ",";
    out += ((b.integral >> i) & 1) ? fmt::format("{}", static_cast<int64_t>(b.v[i]))
                                   : json(b.v[i]).dump();
  }
  return out + "]";
}

// One annotation between the stream and the final checks. Checks that need nothing else
// are made while streaming, and their message kept with the stage at which today's order of
// checks reaches it, so the first reported problem is the same whatever the file order.
struct PendingAnnotation {
  enum Stage : uint8_t { none, before_image, before_category, before_box };
  int64_t image_id = 0;
  int64_t category_id = 0;
  PendingBox box;
  float area = 0;
  bool crowd = false;
  Stage problem_stage = none;
  bool problem_names_item = false;  // the message is prefixed with the item and its image
  uint32_t problem = 0;             // index into Builder::messages_
};

class Builder {
 public:
  explicit Builder(std::string file) : file_(std::move(file)) {}

  void on_item(Section section, size_t index, json& item) {
    switch (section) {
      case Section::images:
        image(index, item);
        break;
      case Section::annotations:
        annotation(index, item);
        break;
      case Section::categories:
        category(index, item);
        break;
    }
  }

  CocoIndex finish(const TopLevel& top) {
    if (top.root_not_object) {
      throw InputError(
          fmt::format("{}: $: expected a JSON object, got {}", file_, *top.root_not_object));
    }
    static const char* names[3] = {"images", "annotations", "categories"};
    for (int s = 0; s < 3; ++s) {
      if (!top.present[s])
        throw InputError(fmt::format("{}: $.{}: missing required field", file_, names[s]));
      if (top.not_array[s]) {
        throw InputError(fmt::format("{}: $.{}: expected a JSON array, got {}", file_, names[s],
                                     *top.not_array[s]));
      }
    }
    if (index_.listed_images == 0) {
      throw InputError(fmt::format("{}: $.images: no images; at least one is needed", file_));
    }
    if (category_error_) throw InputError(*category_error_);
    if (categories_.empty()) {
      throw InputError(
          fmt::format("{}: $.categories: no categories; at least one is needed", file_));
    }
    std::map<int64_t, int> category_index;
    for (const auto& [id, name] : categories_) {
      category_index.emplace(id, static_cast<int>(index_.class_names.size()));
      index_.class_names.push_back(name);
    }
    resolve_annotations(category_index);
    return std::move(index_);
  }

 private:
  void image(size_t i, const json& item) {
    ++index_.listed_images;
    IndexEntry e;
    e.json_index = i;
    try {
      JsonObjectReader r(item, file_, fmt::format("$.images[{}]", i));
      e.record.id = integer_field(r, "id");
      if (r.has("file_name") || !r.has("coco_url")) {
        e.record.path = r.string("file_name");
      } else {
        const std::string url = r.string("coco_url");
        auto name = file_from_url(url);
        if (!name) {
          r.fail("coco_url", fmt::format("\"{}\" does not end in <folder>/<file> (and there is no "
                                         "file_name)", url));
        }
        e.record.path = *name;
      }
      e.record.width = positive_int_field(r, "width");
      e.record.height = positive_int_field(r, "height");
      if (by_id_.count(e.record.id)) r.fail("id", fmt::format("duplicate image id {}", e.record.id));
    } catch (const InputError& error) {
      index_.problems.emplace_back(error.what());
      return;
    }
    by_id_.emplace(e.record.id, index_.entries.size());
    index_.entries.push_back(std::move(e));
  }

  void category(size_t i, const json& item) {
    if (category_error_) return;
    try {
      JsonObjectReader c(item, file_, fmt::format("$.categories[{}]", i));
      int64_t id = integer_field(c, "id");
      std::string name = c.string("name");
      if (!categories_.emplace(id, name).second)
        c.fail("id", fmt::format("duplicate category id {}", id));
    } catch (const InputError& error) {
      category_error_ = error.what();
    }
  }

  uint32_t keep_message(std::string message) {
    messages_.push_back(std::move(message));
    return static_cast<uint32_t>(messages_.size() - 1);
  }

  void annotation(size_t j, const json& item) {
    PendingAnnotation a;
    auto problem = [&](PendingAnnotation::Stage stage, std::string message, bool names_item) {
      a.problem_stage = stage;
      a.problem_names_item = names_item;
      a.problem = keep_message(std::move(message));
    };
    try {
      JsonObjectReader r(item, file_, fmt::format("$.annotations[{}]", j));
      a.image_id = integer_field(r, "image_id");
      try {
        a.category_id = integer_field(r, "category_id");
      } catch (const InputError& error) {
        problem(PendingAnnotation::before_category, error.what(), false);
      }
      if (!a.problem_stage) {
        a.crowd = r.has("iscrowd") && is_crowd(r.raw("iscrowd"));
        try {
          read_box(r, a, problem);
        } catch (const InputError& error) {  // a missing bbox, met after the category check
          problem(PendingAnnotation::before_box, error.what(), false);
        }
      }
    } catch (const InputError& error) {
      problem(PendingAnnotation::before_image, error.what(), false);
    }
    pending_.push_back(a);
  }

  template <class Problem>
  void read_box(JsonObjectReader& r, PendingAnnotation& a, Problem& problem) {
    if (r.has("area")) {
      const json& v = r.raw("area");
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0) {
        problem(PendingAnnotation::before_box,
                fmt::format("{}: {}: expected a number >= 0 (pixels), got {}", file_,
                            r.path_of("area"), json_excerpt(v)),
                false);
        return;
      }
      a.area = static_cast<float>(v.get<double>());
    }
    const json& bbox = r.raw("bbox");
    if (!bbox.is_array() || bbox.size() != 4 ||
        !std::all_of(bbox.begin(), bbox.end(), [](const json& v) {
          return v.is_number() && std::isfinite(v.get<double>());
        })) {
      problem(PendingAnnotation::before_box,
              fmt::format("bbox {} is not [x, y, width, height] with 4 finite numbers",
                          json_excerpt(bbox)),
              true);
      return;
    }
    for (int i = 0; i < 4; ++i) {
      a.box.v[i] = bbox[i].get<double>();
      if (bbox[i].is_number_integer()) a.box.integral |= static_cast<uint8_t>(1u << i);
    }
  }

  // Today's order of checks per annotation: its fields, its image, its category, its box.
  void resolve_annotations(const std::map<int64_t, int>& categories) {
    for (size_t j = 0; j < pending_.size(); ++j) {
      const PendingAnnotation& a = pending_[j];
      const std::string where = fmt::format("{}: $.annotations[{}]", file_, j);
      IndexEntry* entry = nullptr;
      try {
        if (a.problem_stage == PendingAnnotation::before_image) fail(a, "");
        auto found = by_id_.find(a.image_id);
        if (found == by_id_.end()) {
          // An orphan annotation: there is no image to leave out, only the annotation.
          throw InputError(
              fmt::format("{}: image_id {} is not among $.images", where, a.image_id));
        }
        entry = &index_.entries[found->second];
        const std::string item =
            fmt::format("{} (image {}, \"{}\")", where, a.image_id, entry->record.path);
        if (a.problem_stage == PendingAnnotation::before_category) fail(a, item);
        auto category = categories.find(a.category_id);
        if (category == categories.end()) {
          throw InputError(fmt::format("{}: category_id {} is not among $.categories (ids: {})",
                                       item, a.category_id, known_ids(categories)));
        }
        if (a.problem_stage == PendingAnnotation::before_box) fail(a, item);
        Box box;
        box.category = category->second;
        box.area = a.area;
        if (auto problem = check_box(a.box, entry->record, box)) {
          throw InputError(fmt::format("{}: {}", item, *problem));
        }
        // Crowd regions mark many objects at once: never trained on, but kept for evaluation
        // (detections there are neither true nor false positives).
        (a.crowd ? entry->record.crowd : entry->record.boxes).push_back(box);
      } catch (const InputError& error) {
        // A bad annotation spoils its whole image: keeping the image without the object would
        // teach the model that the object is background.
        if (entry != nullptr) entry->bad = true;
        index_.problems.emplace_back(error.what());
      }
    }
    pending_.clear();
    pending_.shrink_to_fit();
  }

  [[noreturn]] void fail(const PendingAnnotation& a, const std::string& item) const {
    const std::string& message = messages_[a.problem];
    throw InputError(a.problem_names_item ? fmt::format("{}: {}", item, message) : message);
  }

  static std::string known_ids(const std::map<int64_t, int>& index) {
    std::string list;
    int shown = 0;
    for (const auto& entry : index) {
      if (shown++ == 10) return list + ", ...";
      list += list.empty() ? fmt::format("{}", entry.first) : fmt::format(", {}", entry.first);
    }
    return list;
  }

  // Checks one bbox against its image; returns the problem, or nothing (and the clipped box).
  static std::optional<std::string> check_box(const PendingBox& b, const ImageRecord& image,
                                              Box& box) {
    const double x = b.v[0], y = b.v[1], w = b.v[2], h = b.v[3];
    const std::string inside =
        fmt::format("boxes must lie inside the {}x{} image", image.width, image.height);
    if (w < 0) return fmt::format("box {} has a negative width; {}", dump_box(b), inside);
    if (h < 0) return fmt::format("box {} has a negative height; {}", dump_box(b), inside);
    if (w == 0 || h == 0) return fmt::format("box {} has zero size; {}", dump_box(b), inside);
    if (x < -kEdgeTolerancePx || y < -kEdgeTolerancePx || x + w > image.width + kEdgeTolerancePx ||
        y + h > image.height + kEdgeTolerancePx) {
      return fmt::format("box {} extends outside the image; {} (1 px tolerance)", dump_box(b),
                         inside);
    }
    const double x0 = std::max(0.0, x), y0 = std::max(0.0, y);
    const double x1 = std::min<double>(image.width, x + w),
                 y1 = std::min<double>(image.height, y + h);
    box.x = static_cast<float>(x0);
    box.y = static_cast<float>(y0);
    box.w = static_cast<float>(x1 - x0);
    box.h = static_cast<float>(y1 - y0);
    return std::nullopt;
  }

  std::string file_;
  CocoIndex index_;
  std::unordered_map<int64_t, size_t> by_id_;
  std::map<int64_t, std::string> categories_;
  std::optional<std::string> category_error_;
  std::vector<PendingAnnotation> pending_;
  std::vector<std::string> messages_;
};

}  // namespace

CocoIndex build_coco_index(const std::string& annotation_json) {
  Builder builder(annotation_json);
  const TopLevel top = stream_coco_file(
      annotation_json, [&](Section s, size_t i, json& item) { builder.on_item(s, i, item); });
  return builder.finish(top);
}

}  // namespace trainplan::executor::data::detail
