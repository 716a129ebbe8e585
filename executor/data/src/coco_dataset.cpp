#include "trainplan/executor/data/coco_dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "image_checks.hpp"
#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::executor::data {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A box may overhang its image by this much: COCO-style exporters round outwards, and
// rejecting a box 0.5 px over the edge would only annoy. It is clipped afterwards.
constexpr double kEdgeTolerancePx = 1.0;

// Collects item-level problems: thrown at once, or reported and skipped.
class Problems {
 public:
  Problems(bool skip, std::vector<std::string>* out) : skip_(skip), out_(out) {}
  void report(const std::string& message) {
    if (!skip_) throw InputError(message);
    if (out_ != nullptr) out_->push_back(message);
  }

 private:
  bool skip_;
  std::vector<std::string>* out_;
};

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

// Categories sorted by COCO id; returns id -> contiguous index and fills the names.
std::map<int64_t, int> read_categories(const json& categories, const std::string& file,
                                       std::vector<std::string>& names) {
  std::map<int64_t, std::string> by_id;
  for (size_t i = 0; i < categories.size(); ++i) {
    JsonObjectReader c(categories[i], file, fmt::format("$.categories[{}]", i));
    int64_t id = integer_field(c, "id");
    std::string name = c.string("name");
    if (!by_id.emplace(id, name).second) c.fail("id", fmt::format("duplicate category id {}", id));
  }
  if (by_id.empty())
    throw InputError(fmt::format("{}: $.categories: no categories; at least one is needed", file));
  std::map<int64_t, int> index;
  for (const auto& [id, name] : by_id) {
    index.emplace(id, static_cast<int>(names.size()));
    names.push_back(name);
  }
  return index;
}

// COCO writes iscrowd as 0/1; some exporters write false/true.
bool is_crowd(const json& v) {
  return v.is_boolean() ? v.get<bool>() : v.is_number() && v.get<double>() != 0;
}

std::string known_ids(const std::map<int64_t, int>& index) {
  std::string list;
  int shown = 0;
  for (const auto& entry : index) {
    if (shown++ == 10) return list + ", ...";
    list += list.empty() ? fmt::format("{}", entry.first) : fmt::format(", {}", entry.first);
  }
  return list;
}

// One image entry while loading: its record, where it came from, and whether it is bad.
struct Entry {
  ImageRecord record;
  std::string file_name;
  size_t json_index = 0;
  bool bad = false;
};

// Checks one bbox against its image; returns the problem, or nothing (and the clipped box).
std::optional<std::string> check_box(const json& bbox, const ImageRecord& image, Box& box) {
  if (!bbox.is_array() || bbox.size() != 4 ||
      !std::all_of(bbox.begin(), bbox.end(),
                   [](const json& v) { return v.is_number() && std::isfinite(v.get<double>()); })) {
    return fmt::format("bbox {} is not [x, y, width, height] with 4 finite numbers",
                       json_excerpt(bbox));
  }
  const double x = bbox[0].get<double>(), y = bbox[1].get<double>();
  const double w = bbox[2].get<double>(), h = bbox[3].get<double>();
  const std::string inside =
      fmt::format("boxes must lie inside the {}x{} image", image.width, image.height);
  const std::string shown = bbox.dump();
  if (w < 0) return fmt::format("box {} has a negative width; {}", shown, inside);
  if (h < 0) return fmt::format("box {} has a negative height; {}", shown, inside);
  if (w == 0 || h == 0) return fmt::format("box {} has zero size; {}", shown, inside);
  if (x < -kEdgeTolerancePx || y < -kEdgeTolerancePx || x + w > image.width + kEdgeTolerancePx ||
      y + h > image.height + kEdgeTolerancePx) {
    return fmt::format("box {} extends outside the image; {} (1 px tolerance)", shown, inside);
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

// COCO's "area" (the segment's area, which S/M/L evaluation ranges use), when present.
std::optional<std::string> read_area(JsonObjectReader& r, Box& box) {
  if (!r.has("area")) return std::nullopt;
  const json& v = r.raw("area");
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
    return fmt::format("area {} is not a finite number >= 0", json_excerpt(v));
  box.area = v.get<float>();
  return std::nullopt;
}

void read_images(const json& images, const std::string& file, const std::string& image_dir,
                 Problems& problems, std::vector<Entry>& entries,
                 std::map<int64_t, size_t>& by_id) {
  for (size_t i = 0; i < images.size(); ++i) {
    Entry e;
    e.json_index = i;
    try {
      JsonObjectReader r(images[i], file, fmt::format("$.images[{}]", i));
      e.record.id = integer_field(r, "id");
      e.file_name = r.string("file_name");
      e.record.width = positive_int_field(r, "width");
      e.record.height = positive_int_field(r, "height");
      if (by_id.count(e.record.id)) r.fail("id", fmt::format("duplicate image id {}", e.record.id));
    } catch (const InputError& error) {
      problems.report(error.what());
      continue;
    }
    e.record.path = (fs::path(image_dir) / e.file_name).string();
    by_id.emplace(e.record.id, entries.size());
    entries.push_back(std::move(e));
  }
}

void read_annotations(const json& annotations, const std::string& file,
                      const std::map<int64_t, int>& categories, Problems& problems,
                      std::vector<Entry>& entries, const std::map<int64_t, size_t>& by_id) {
  for (size_t j = 0; j < annotations.size(); ++j) {
    const std::string where = fmt::format("{}: $.annotations[{}]", file, j);
    Entry* entry = nullptr;
    try {
      JsonObjectReader r(annotations[j], file, fmt::format("$.annotations[{}]", j));
      int64_t image_id = integer_field(r, "image_id");
      auto found = by_id.find(image_id);
      if (found == by_id.end()) {
        // An orphan annotation: there is no image to leave out, only the annotation.
        throw InputError(fmt::format("{}: image_id {} is not among $.images", where, image_id));
      }
      entry = &entries[found->second];
      const std::string item =
          fmt::format("{} (image {}, \"{}\")", where, image_id, entry->file_name);
      int64_t category_id = integer_field(r, "category_id");
      auto category = categories.find(category_id);
      if (category == categories.end()) {
        throw InputError(fmt::format("{}: category_id {} is not among $.categories (ids: {})", item,
                                     category_id, known_ids(categories)));
      }
      Box box;
      box.category = category->second;
      if (auto problem = check_box(r.raw("bbox"), entry->record, box)) {
        throw InputError(fmt::format("{}: {}", item, *problem));
      }
      if (auto problem = read_area(r, box)) throw InputError(fmt::format("{}: {}", item, *problem));
      // Crowd regions mark many objects at once: not trained on (as YOLO-style trainers do),
      // but kept so that evaluation ignores the detections inside them.
      const bool crowd = r.has("iscrowd") && is_crowd(r.raw("iscrowd"));
      (crowd ? entry->record.crowd : entry->record.boxes).push_back(box);
    } catch (const InputError& error) {
      // A bad annotation spoils its whole image: keeping the image without the object would
      // teach the model that the object is background.
      if (entry != nullptr) entry->bad = true;
      problems.report(error.what());
    }
  }
}

}  // namespace

CocoDataset load_coco(const std::string& annotation_json, const std::string& image_dir,
                      const LoadOptions& options, std::vector<std::string>* skipped) {
  if (!fs::is_regular_file(annotation_json)) {
    throw InputError(fmt::format("{}: annotation file does not exist", annotation_json));
  }
  if (!fs::is_directory(image_dir)) {
    throw InputError(fmt::format("{}: image directory does not exist (images of {})", image_dir,
                                 annotation_json));
  }
  const json root = parse_json_file(annotation_json);
  JsonObjectReader top(root, annotation_json, "$");
  const json& images = top.array("images");
  const json& annotations = top.array("annotations");
  const json& categories = top.array("categories");
  if (images.empty()) {
    throw InputError(
        fmt::format("{}: $.images: no images; at least one is needed", annotation_json));
  }

  CocoDataset dataset;
  const auto category_index = read_categories(categories, annotation_json, dataset.class_names);
  Problems problems(options.skip_bad_samples, skipped);
  std::vector<Entry> entries;
  std::map<int64_t, size_t> by_id;
  read_images(images, annotation_json, image_dir, problems, entries, by_id);
  read_annotations(annotations, annotation_json, category_index, problems, entries, by_id);

  // File checks are the slow part (a decode per image), so they run in parallel; problems
  // are reported afterwards in file order so that the first error is always the same.
  std::vector<const ImageRecord*> to_check;
  for (const Entry& e : entries) to_check.push_back(e.bad ? nullptr : &e.record);
  const auto file_problems =
      detail::check_image_files(to_check, options.decode_check, options.check_threads);
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    if (e.bad) continue;
    if (file_problems[i]) {
      e.bad = true;
      problems.report(fmt::format("{}: $.images[{}] (image {}, \"{}\"): {}", annotation_json,
                                  e.json_index, e.record.id, e.file_name, *file_problems[i]));
      continue;
    }
    dataset.images.push_back(std::move(e.record));
  }
  if (dataset.images.empty()) {  // only reachable when skipping
    throw InputError(fmt::format("{}: no usable images: all {} listed were skipped as bad",
                                 annotation_json, images.size()));
  }
  return dataset;
}

}  // namespace trainplan::executor::data
