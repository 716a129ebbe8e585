#include "trainplan/executor/data/synth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>

#include "random.hpp"
#include "synth_render.hpp"
#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor::data {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void check_range(const char* flag, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    throw InputError(fmt::format("{} {} is invalid; expected {}..{}", flag, value, lo, hi));
  }
}

void validate(const SynthOptions& o) {
  if (o.out_dir.empty()) throw InputError("--out is empty; expected an output folder");
  if (o.images < 1) {
    throw InputError(fmt::format("--images {} is invalid; expected at least 1", o.images));
  }
  check_range("--classes", o.classes, 1, detail::kSyntheticClasses);
  check_range("--size", o.size, 32, 1024);
  check_range("--max-objects", o.max_objects, 1, 20);
  if (!(o.val_fraction >= 0 && o.val_fraction < 1)) {
    throw InputError(
        fmt::format("--val-fraction {} is invalid; expected a number in [0, 1)", o.val_fraction));
  }
}

int val_count(const SynthOptions& o) {
  if (o.images < 2 || o.val_fraction <= 0) return 0;
  const int n = static_cast<int>(std::lround(o.images * o.val_fraction));
  return std::clamp(n, 1, o.images - 1);
}

void make_dir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw RunError(fmt::format("{}: cannot create folder: {}", dir.string(), error.message()));
  }
}

json empty_coco(const SynthOptions& o, const std::vector<std::string>& names) {
  json categories = json::array();
  for (size_t k = 0; k < names.size(); ++k) {
    categories.push_back({{"id", k + 1}, {"name", names[k]}, {"supercategory", "shape"}});
  }
  return {{"info", {{"description", "trainplan synthetic shapes"}, {"seed", o.seed}}},
          {"images", json::array()},
          {"annotations", json::array()},
          {"categories", categories}};
}

}  // namespace

std::vector<std::string> synthetic_class_names(int classes) {
  check_range("--classes", classes, 1, detail::kSyntheticClasses);
  std::vector<std::string> names;
  for (int k = 0; k < classes; ++k) names.emplace_back(detail::shape_name(k));
  return names;
}

void write_synthetic_dataset(const SynthOptions& o) {
  validate(o);
  const fs::path root(o.out_dir);
  for (const char* sub : {"train", "val", "annotations"}) make_dir(root / sub);
  const auto names = synthetic_class_names(o.classes);
  const int first_val = o.images - val_count(o);
  auto file_name = [](int i) { return fmt::format("{:06d}.png", i + 1); };

  // Rendering and PNG encoding dominate, and images are independent: spread them over
  // threads. Each image has its own seed, so image i is the same whatever the thread, the
  // split or the image count.
  std::vector<std::vector<Box>> scenes(o.images);
  std::atomic<int> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto work = [&] {
    for (int i = next++; i < o.images; i = next++) {
      try {
        const Image image =
            detail::render_scene(o.size, o.classes, o.max_objects,
                                 detail::combine_seed(o.seed, static_cast<uint64_t>(i)), scenes[i]);
        const fs::path dir = root / (i >= first_val ? "val" : "train");
        write_binary_file((dir / file_name(i)).string(), encode_png(image));
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  const int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1,
                                 std::min(8, o.images / 16 + 1));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  json coco[2] = {empty_coco(o, names), empty_coco(o, names)};
  int64_t annotation_id = 1;
  for (int i = 0; i < o.images; ++i) {
    json& out = coco[i >= first_val ? 1 : 0];
    const int64_t image_id = i + 1;
    out["images"].push_back(
        {{"id", image_id}, {"file_name", file_name(i)}, {"width", o.size}, {"height", o.size}});
    for (const Box& b : scenes[i]) {
      out["annotations"].push_back({{"id", annotation_id++},
                                    {"image_id", image_id},
                                    {"category_id", b.category + 1},
                                    {"bbox", {b.x, b.y, b.w, b.h}},
                                    {"area", b.w * b.h},
                                    {"iscrowd", 0}});
    }
  }
  // Annotations last: they only ever name image files that are already complete.
  write_file_atomically((root / "annotations" / "train.json").string(), coco[0].dump() + "\n");
  write_file_atomically((root / "annotations" / "val.json").string(), coco[1].dump() + "\n");
  std::string classes_txt;
  for (const auto& name : names) classes_txt += name + "\n";
  write_file_atomically((root / "classes.txt").string(), classes_txt);
}

}  // namespace trainplan::executor::data
