#include "trainplan/executor/data/coco_dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "coco_index.hpp"
#include "image_checks.hpp"
#include "index_cache.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor::data {

namespace {

namespace fs = std::filesystem;

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
  detail::CocoIndex index = options.use_cache ? detail::cached_coco_index(annotation_json)
                                              : detail::build_coco_index(annotation_json);
  CocoDataset dataset;
  dataset.class_names = std::move(index.class_names);
  Problems problems(options.skip_bad_samples, skipped);
  for (const auto& problem : index.problems) problems.report(problem);
  std::vector<detail::IndexEntry>& entries = index.entries;
  // The index keeps file names relative so that it stays valid wherever the images are.
  std::vector<std::string> file_names(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    file_names[i] = std::move(entries[i].record.path);
    entries[i].record.path = (fs::path(image_dir) / file_names[i]).string();
  }

  // File checks are the slow part (a decode per image), so they run in parallel; problems
  // are reported afterwards in file order so that the first error is always the same.
  std::vector<const ImageRecord*> to_check;
  if (options.check_files) {
    for (const auto& e : entries) to_check.push_back(e.bad ? nullptr : &e.record);
  }
  const auto file_problems = detail::check_image_files(to_check, options.decode_check,
                                                       options.check_threads, options.progress);
  dataset.images.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    detail::IndexEntry& e = entries[i];
    if (e.bad) continue;
    if (i < file_problems.size() && file_problems[i]) {
      e.bad = true;
      problems.report(fmt::format("{}: $.images[{}] (image {}, \"{}\"): {}", annotation_json,
                                  e.json_index, e.record.id, file_names[i], *file_problems[i]));
      continue;
    }
    dataset.images.push_back(std::move(e.record));
  }
  if (dataset.images.empty()) {  // only reachable when skipping
    throw InputError(fmt::format("{}: no usable images: all {} listed were skipped as bad",
                                 annotation_json, index.listed_images));
  }
  return dataset;
}

std::vector<std::string> coco_class_names(const std::string& annotation_json) {
  return detail::cached_coco_index(annotation_json).class_names;
}

size_t coco_image_count(const std::string& annotation_json) {
  const auto index = detail::cached_coco_index(annotation_json);
  return static_cast<size_t>(std::count_if(index.entries.begin(), index.entries.end(),
                                           [](const detail::IndexEntry& e) { return !e.bad; }));
}

}  // namespace trainplan::executor::data
