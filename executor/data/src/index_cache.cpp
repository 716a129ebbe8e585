#include "index_cache.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <type_traits>

#include "trainplan/atomic_file.hpp"

namespace trainplan::executor::data::detail {

namespace {

namespace fs = std::filesystem;

// Bump whenever the layout below or the meaning of an index changes.
constexpr uint32_t kFormatVersion = 1;
constexpr char kMagic[8] = {'T', 'P', 'C', 'O', 'C', 'O', 'I', 'X'};

// What identifies the JSON an index was built from.
struct Source {
  std::string path;  // absolute
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

std::optional<Source> source_of(const std::string& annotation_json) {
  struct stat st {};
  if (::stat(annotation_json.c_str(), &st) != 0) return std::nullopt;
  Source s;
  std::error_code ec;
  s.path = fs::absolute(annotation_json, ec).lexically_normal().string();
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return s;
}

class Writer {
 public:
  template <class T>
  void pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(const std::string& s) {
    pod<uint64_t>(s.size());
    out += s;
  }
  void boxes(const std::vector<Box>& list) {
    pod<uint64_t>(list.size());
    for (const Box& b : list) {
      pod(b.category);
      pod(b.x), pod(b.y), pod(b.w), pod(b.h), pod(b.area);
    }
  }
  std::string out;
};

// Reads back what Writer wrote; any overrun marks the whole index as damaged.
class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  template <class T>
  T pod() {
    T v{};
    if (pos_ + sizeof v > in_.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = pod<uint64_t>();
    if (!ok || n > in_.size() - pos_) {
      ok = false;
      return {};
    }
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // A count that cannot exceed what is left (so a damaged count allocates nothing huge).
  uint64_t count(size_t min_bytes_each) {
    const auto n = pod<uint64_t>();
    if (!ok || n > (in_.size() - pos_) / std::max<size_t>(1, min_bytes_each)) ok = false;
    return ok ? n : 0;
  }
  std::vector<Box> boxes() {
    std::vector<Box> list(count(24));
    for (Box& b : list) {
      b.category = pod<int>();
      b.x = pod<float>(), b.y = pod<float>(), b.w = pod<float>(), b.h = pod<float>();
      b.area = pod<float>();
    }
    return list;
  }
  bool at_end() const { return pos_ == in_.size(); }
  bool ok = true;

 private:
  const std::string& in_;
  size_t pos_ = 0;
};

void write_header(Writer& w, const Source& s) {
  w.out.append(kMagic, sizeof kMagic);
  w.pod(kFormatVersion);
  w.str(s.path);
  w.pod(s.size);
  w.pod(s.mtime_ns);
}

std::string serialize(const Source& s, const CocoIndex& index) {
  Writer w;
  write_header(w, s);
  w.pod<uint64_t>(index.listed_images);
  w.pod<uint64_t>(index.class_names.size());
  for (const auto& name : index.class_names) w.str(name);
  w.pod<uint64_t>(index.problems.size());
  for (const auto& p : index.problems) w.str(p);
  w.pod<uint64_t>(index.entries.size());
  for (const IndexEntry& e : index.entries) {
    w.pod(e.record.id);
    w.str(e.record.path);
    w.pod(e.record.width);
    w.pod(e.record.height);
    w.pod<uint64_t>(e.json_index);
    w.pod<uint8_t>(e.bad ? 1 : 0);
    w.boxes(e.record.boxes);
    w.boxes(e.record.crowd);
  }
  return std::move(w.out);
}

std::optional<CocoIndex> deserialize(const std::string& bytes, const Source& s) {
  Writer expected;
  write_header(expected, s);
  if (bytes.compare(0, expected.out.size(), expected.out) != 0) return std::nullopt;
  Reader r(bytes);
  for (size_t i = 0; i < expected.out.size(); ++i) r.pod<char>();
  CocoIndex index;
  index.listed_images = r.pod<uint64_t>();
  index.class_names.resize(r.count(8));
  for (auto& name : index.class_names) name = r.str();
  index.problems.resize(r.count(8));
  for (auto& p : index.problems) p = r.str();
  index.entries.resize(r.count(40));
  for (IndexEntry& e : index.entries) {
    e.record.id = r.pod<int64_t>();
    e.record.path = r.str();
    e.record.width = r.pod<int>();
    e.record.height = r.pod<int>();
    e.json_index = r.pod<uint64_t>();
    e.bad = r.pod<uint8_t>() != 0;
    e.record.boxes = r.boxes();
    e.record.crowd = r.boxes();
    if (!r.ok) return std::nullopt;
  }
  if (!r.ok || !r.at_end()) return std::nullopt;
  return index;
}

// The file's bytes; nothing when it is absent or unreadable (a cache is never required).
std::optional<std::string> read_all(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// FNV-1a: a stable name for the fallback file of one annotation path.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string index_path_beside(const std::string& annotation_json) {
  return annotation_json + ".trainplan-index";
}

std::string index_path_in_cache_dir(const std::string& annotation_json) {
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    dir = fs::path(xdg) / "trainplan";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = fs::path(home) / ".cache" / "trainplan";
  } else {
    dir = fs::temp_directory_path() / "trainplan-cache";
  }
  std::error_code ec;
  const std::string absolute = fs::absolute(annotation_json, ec).lexically_normal().string();
  return (dir / fmt::format("{}-{:016x}.trainplan-index",
                            fs::path(annotation_json).stem().string(), fnv1a(absolute)))
      .string();
}

std::optional<CocoIndex> read_cached_index(const std::string& annotation_json) {
  const auto source = source_of(annotation_json);
  if (!source) return std::nullopt;
  for (const auto& path :
       {index_path_beside(annotation_json), index_path_in_cache_dir(annotation_json)}) {
    if (auto bytes = read_all(path)) {
      if (auto index = deserialize(*bytes, *source)) return index;
    }
  }
  return std::nullopt;
}

void write_cached_index(const std::string& annotation_json, const CocoIndex& index) {
  const auto source = source_of(annotation_json);
  if (!source) return;
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (now_ns - source->mtime_ns < 2'000'000'000) return;
  const std::string bytes = serialize(*source, index);
  try {
    write_file_atomically(index_path_beside(annotation_json), bytes);
    return;
  } catch (const std::exception&) {
    // A read-only data folder (a shared mount): fall back to the user's cache folder.
  }
  try {
    const std::string path = index_path_in_cache_dir(annotation_json);
    fs::create_directories(fs::path(path).parent_path());
    write_file_atomically(path, bytes);
  } catch (const std::exception&) {
    // No cache then: the next load streams the JSON again, which is only slower.
  }
}

CocoIndex cached_coco_index(const std::string& annotation_json) {
  if (auto cached = read_cached_index(annotation_json)) return std::move(*cached);
  CocoIndex index = build_coco_index(annotation_json);
  write_cached_index(annotation_json, index);
  return index;
}

}  // namespace trainplan::executor::data::detail
