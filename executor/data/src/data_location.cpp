#include "trainplan/executor/data/data_location.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "trainplan/error.hpp"

namespace trainplan::executor::data {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

const char* name_of(SplitKind k) { return k == SplitKind::train ? "train" : "val"; }

// One layout's files for a split, relative to the data set's folder.
struct Candidate {
  std::string annotations;
  std::string images;
};

// The layouts, in the order they are tried (docs/data-layouts.md).
std::vector<Candidate> candidates(SplitKind k) {
  const std::string s = name_of(k);
  return {
      {"annotations/" + s + ".json", s},                            // trainplan synthetic
      {"annotations/instances_" + s + "2017.json", s + "2017"},     // COCO 2017
      // LVIS names images by their COCO address (train2017/... or val2017/...), so file
      // names are relative to the folder itself; its val set has images from both.
      {"annotations/lvis_v1_" + s + ".json", ""},                   // LVIS v1
      {"annotations/zhiyuan_objv2_" + s + ".json", s},              // Objects365 (mmdet style)
      {s + "/zhiyuan_objv2_" + s + ".json", s},                     // Objects365 (as shipped)
  };
}

}  // namespace

SplitKind split_of_id(const std::string& id, SplitKind fallback) {
  for (const char* tail : {"minival", "val", "val2017", "val2014", "validation"})
    if (ends_with(id, tail)) return SplitKind::val;
  for (const char* tail : {"train", "train2017", "train2014"})
    if (ends_with(id, tail)) return SplitKind::train;
  return fallback;
}

DataSources data_sources(const std::vector<std::string>& flags, const std::string& root) {
  DataSources sources;
  sources.root = root;
  for (const auto& flag : flags) {
    const auto eq = flag.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size()) {
      throw InputError(fmt::format(
          "--data: \"{}\" is not accepted; expected ID=PATH, e.g. coco-train2017=/data/coco", flag));
    }
    const std::string id = flag.substr(0, eq), path = flag.substr(eq + 1);
    auto [it, added] = sources.folders.emplace(id, path);
    if (!added && it->second != path) {
      throw InputError(fmt::format("--data: data set \"{}\" is given twice ({} and {}); expected "
                                   "one folder per id",
                                   id, it->second, path));
    }
  }
  return sources;
}

std::string dataset_folder(const std::string& id, const DataSources& sources) {
  auto it = sources.folders.find(id);
  return it != sources.folders.end() ? it->second : sources.root + "/" + id;
}

DataSplit synthetic_split(const std::string& folder, SplitKind k) {
  return {folder + "/annotations/" + name_of(k) + ".json", folder + "/" + name_of(k)};
}

bool find_split(const std::string& folder, SplitKind k, DataSplit& out,
                std::vector<std::string>* tried) {
  for (const Candidate& c : candidates(k)) {
    const std::string annotations = folder + "/" + c.annotations;
    const std::string images = c.images.empty() ? folder : folder + "/" + c.images;
    if (tried != nullptr) tried->push_back(annotations);
    std::error_code ec;
    if (fs::is_regular_file(annotations, ec) && fs::is_directory(images, ec)) {
      out = {annotations, images};
      return true;
    }
  }
  return false;
}

DataSplit locate_split(const std::string& id, SplitKind k, const DataSources& sources,
                       const std::string& who) {
  const std::string folder = dataset_folder(id, sources);
  DataSplit found;
  std::vector<std::string> tried;
  if (find_split(folder, k, found, &tried)) return found;
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  const bool given = sources.folders.count(id) > 0;
  throw InputError(fmt::format(
      "{}: data set \"{}\" ({} split) not found in {}{}: tried {} (each with its image folder); "
      "give its folder with --data {}=PATH{} (layouts: docs/data-layouts.md)",
      who, id, name_of(k), folder,
      given ? " (from --data)" : fmt::format(" (--data-root {})", sources.root), list, id,
      given ? "" : " or put it under --data-root"));
}

}  // namespace trainplan::executor::data
