#include "data_check.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/data_location.hpp"

namespace trainplan::cli {

namespace {

namespace data = executor::data;
namespace fs = std::filesystem;

struct CheckOptions {
  std::string path;
  std::string images;  // with an annotation file: its image folder
  int threads = 0;
  bool header_only = false;
  bool annotations_only = false;
};

// A split to check, named for the summary.
struct Target {
  std::string name;
  data::DataSplit split;
};

// A folder: each split any known layout has; a file: that annotation file.
std::vector<Target> targets_of(const CheckOptions& o) {
  if (fs::is_regular_file(o.path)) {
    if (o.images.empty())
      throw InputError(fmt::format("{}: an annotation file needs --images DIR, the folder its "
                                   "file names are relative to",
                                   o.path));
    return {{fs::path(o.path).filename().string(), {o.path, o.images}}};
  }
  if (!fs::is_directory(o.path))
    throw InputError(fmt::format("{}: no such data set folder or annotation file", o.path));
  std::vector<Target> out;
  std::vector<std::string> tried;
  for (auto [kind, name] : {std::pair{data::SplitKind::train, "train"}, {data::SplitKind::val, "val"}}) {
    data::DataSplit split;
    if (data::find_split(o.path, kind, split, &tried)) out.push_back({name, split});
  }
  if (out.empty()) {
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
    throw InputError(fmt::format("{}: no known data set layout: tried {} (each with its image "
                                 "folder; layouts: docs/data-layouts.md)",
                                 o.path, list));
  }
  return out;
}

// Checks one split; prints each bad sample; returns (images, bad).
std::pair<size_t, size_t> check(const Target& t, const CheckOptions& o) {
  data::LoadOptions lo;
  lo.skip_bad_samples = true;
  lo.check_files = !o.annotations_only;
  lo.decode_check = !o.header_only;
  lo.check_threads = o.threads;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  // One line rewritten in place on a terminal; a line per update in a log.
  lo.progress = [&](size_t done, size_t total) {
    std::fprintf(stderr, "%schecking %s: %zu/%zu images%s", tty ? "\r" : "", t.name.c_str(), done,
                 total, tty ? "" : "\n");
    std::fflush(stderr);
  };
  std::vector<std::string> bad;
  size_t usable = 0;
  try {
    usable = data::load_coco(t.split.annotations, t.split.images, lo, &bad).images.size();
  } catch (const InputError&) {
    if (bad.empty()) throw;  // structural: not a list of bad samples
  }
  if (tty) std::fprintf(stderr, "\n");
  for (const auto& line : bad) std::printf("bad: %s\n", line.c_str());
  return {usable, bad.size()};
}

}  // namespace

void add_data_check_command(CLI::App& data, CommandRunner& run) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = data.add_subcommand(
      "check", "Open and decode every image of a data set; list bad samples (exit 2 if any)");
  cmd->add_option("path", o->path,
                  "Data set folder (synthetic, COCO 2017, LVIS v1 or Objects365 layout) or an "
                  "annotation file")
      ->required();
  cmd->add_option("--images", o->images, "With an annotation file: its image folder");
  cmd->add_option("--threads", o->threads, "Checking threads (default: one per core)");
  cmd->add_flag("--header-only", o->header_only, "Read image headers only (fast; no decode)");
  cmd->add_flag("--annotations-only", o->annotations_only,
                "Check the annotations only (and build their index cache); open no image");
  cmd->callback([o, &run] {
    run = [o] {
      if (o->threads < 0 || o->threads > 1024)
        throw InputError(fmt::format("--threads: {} is not accepted; expected 0..1024", o->threads));
      size_t total_bad = 0;
      std::vector<std::string> summary;
      for (const Target& t : targets_of(*o)) {
        auto [usable, bad] = check(t, *o);
        total_bad += bad;
        summary.push_back(fmt::format("{} ({}): {} usable images, {} bad sample{}", t.name,
                                      t.split.annotations, usable, bad, bad == 1 ? "" : "s"));
      }
      for (const auto& line : summary) std::printf("%s\n", line.c_str());
      std::printf("%s\n", total_bad == 0 ? "data check: all samples are good"
                                         : fmt::format("data check: {} bad sample{}", total_bad,
                                                       total_bad == 1 ? "" : "s")
                                               .c_str());
      return total_bad == 0 ? 0 : 2;
    };
  });
}

}  // namespace trainplan::cli
