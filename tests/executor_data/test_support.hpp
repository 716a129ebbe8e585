#pragma once
// Helpers shared by the data-pipeline tests: a self-removing temporary folder, file writing,
// capturing an InputError's message, and a tiny valid COCO dataset that a test then breaks.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/image_io.hpp"
#include "support/input_error_of.hpp"

namespace test_support {

using trainplan::testing::contains;
using trainplan::testing::input_error_of;

namespace fs = std::filesystem;
namespace data = trainplan::executor::data;

/// A fresh folder under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("trainplan-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A solid-colour RGB image.
inline data::Image solid_image(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  data::Image image;
  image.width = width;
  image.height = height;
  image.rgb.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    image.rgb[i] = r;
    image.rgb[i + 1] = g;
    image.rgb[i + 2] = b;
  }
  return image;
}

/// A valid two-image dataset: images/img_0001.png (id 1) and images/img_0007.png (id 7),
/// both 64x48, categories 11 "dog" and 3 "cat" (deliberately out of id order), one box each.
/// Tests change `doc` or the files, then call write() and load.
struct MiniCoco {
  const TempDir& dir;
  nlohmann::json doc;
  std::string annotations;
  std::string images;

  explicit MiniCoco(const TempDir& d) : dir(d), annotations(d / "ann.json"), images(d / "images") {
    fs::create_directories(images);
    for (const char* name : {"img_0001.png", "img_0007.png"}) {
      data::write_binary_file(images + "/" + name,
                              data::encode_png(solid_image(64, 48, 10, 20, 30)));
    }
    doc = {{"images",
            {{{"id", 1}, {"file_name", "img_0001.png"}, {"width", 64}, {"height", 48}},
             {{"id", 7}, {"file_name", "img_0007.png"}, {"width", 64}, {"height", 48}}}},
           {"annotations",
            {{{"id", 1}, {"image_id", 1}, {"category_id", 3}, {"bbox", {10, 10, 20, 15}}},
             {{"id", 2}, {"image_id", 7}, {"category_id", 11}, {"bbox", {30, 5, 30, 40}}}}},
           {"categories", {{{"id", 11}, {"name", "dog"}}, {{"id", 3}, {"name", "cat"}}}}};
  }

  void write() const { write_text(annotations, doc.dump()); }
  std::string image_path(const std::string& name) const { return images + "/" + name; }
};

}  // namespace test_support
