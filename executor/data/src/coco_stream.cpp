#include "coco_stream.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"

namespace trainplan::executor::data::detail {

namespace {

using nlohmann::json;

// The fields the index reads, per section; everything else in an item is skipped unbuilt.
// coco_url is read because LVIS images have no file_name.
bool wanted(Section section, const std::string& key) {
  static const std::vector<std::string> fields[3] = {
      {"id", "file_name", "width", "height", "coco_url"},
      {"image_id", "category_id", "bbox", "iscrowd", "area"},
      {"id", "name"}};
  const auto& list = fields[static_cast<int>(section)];
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::optional<Section> section_of(const std::string& key) {
  if (key == "images") return Section::images;
  if (key == "annotations") return Section::annotations;
  if (key == "categories") return Section::categories;
  return std::nullopt;
}

// What a value being built will become once complete.
enum class Purpose { item, root, section_value };

// nlohmann's SAX interface. Tracks how deep the parser is; builds small values (items) with
// a stack of open containers; skips values nobody reads without building them.
class Handler {
 public:
  Handler(const ItemHandler& on_item, TopLevel& top) : on_item_(on_item), top_(top) {}

  bool null() { return scalar(json(nullptr)); }
  bool boolean(bool v) { return scalar(json(v)); }
  bool number_integer(json::number_integer_t v) { return scalar(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return scalar(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return scalar(json(v)); }
  bool string(json::string_t& v) { return scalar(json(std::move(v))); }
  bool binary(json::binary_t&) { return scalar(json(nullptr)); }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    if (skip_ > 0) return true;
    if (building_) {
      // Only the item's own fields are filtered; nested values are built whole.
      if (purpose_ == Purpose::item && stack_.size() == 1 && !wanted(section_, k)) {
        skip_next_ = true;
      } else {
        key_ = std::move(k);
      }
      return true;
    }
    if (depth_ == 1) {
      current_ = section_of(k);
      if (current_) top_.present[static_cast<int>(*current_)] = true;
    }
    return true;
  }

  bool parse_error(size_t byte, const std::string&, const nlohmann::detail::exception& e) {
    error_byte_ = byte;
    error_ = e.what();
    return false;
  }

  size_t error_byte() const { return error_byte_; }
  const std::string& error() const { return error_; }

 private:
  // Puts a finished value where it belongs in the value being built.
  json* add(json&& v) {
    json* parent = stack_.back();
    if (parent->is_object()) return &((*parent)[key_] = std::move(v));
    parent->push_back(std::move(v));
    return &parent->back();
  }

  // Starts building at the current position, or reports that nothing needs building.
  bool starts_value() const {
    if (depth_ == 0) return true;                  // the root
    if (depth_ == 1) return current_.has_value();  // a section's value
    return depth_ == 2 && in_section_;             // an item
  }

  Purpose purpose_here() const {
    if (depth_ == 0) return Purpose::root;
    return depth_ == 1 ? Purpose::section_value : Purpose::item;
  }

  bool scalar(json&& v) {
    if (skip_ > 0) return true;
    if (skip_next_) {
      skip_next_ = false;
      return true;
    }
    if (building_) {
      add(std::move(v));
      return true;
    }
    if (!starts_value()) return true;
    purpose_ = purpose_here();
    built_ = std::move(v);
    finish();
    return true;
  }

  bool open(json&& container) {
    const bool is_array = container.is_array();
    if (skip_ > 0 || skip_next_) {
      skip_next_ = false;
      ++skip_;
      ++depth_;
      return true;
    }
    if (building_) {
      stack_.push_back(add(std::move(container)));
    } else if (depth_ == 0 && !is_array) {
      // The root object: its members are looked at one by one, never built.
    } else if (depth_ == 1 && current_ && is_array) {
      in_section_ = true;
      section_ = *current_;
      next_index_ = 0;
    } else if (starts_value()) {
      building_ = true;
      purpose_ = purpose_here();
      built_ = std::move(container);
      stack_.assign(1, &built_);
    } else {
      ++skip_;  // a top-level member nobody reads (info, licenses)
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    if (building_) {
      stack_.pop_back();
      if (stack_.empty()) {
        building_ = false;
        finish();
      }
      return true;
    }
    if (depth_ == 1 && in_section_) in_section_ = false;
    return true;
  }

  // A complete value: an item goes to the caller; the others are structural problems.
  void finish() {
    switch (purpose_) {
      case Purpose::item:
        on_item_(section_, next_index_++, built_);
        break;
      case Purpose::root:
        top_.root_not_object = json_excerpt(built_);
        break;
      case Purpose::section_value:
        top_.not_array[static_cast<int>(*current_)] = json_excerpt(built_);
        break;
    }
    built_ = json();
  }

  const ItemHandler& on_item_;
  TopLevel& top_;
  int depth_ = 0;       // containers open in the file
  int skip_ = 0;        // containers open inside a value being skipped
  bool skip_next_ = false;
  bool building_ = false;
  bool in_section_ = false;
  std::optional<Section> current_;  // the section whose value comes next (root level)
  Section section_ = Section::images;
  size_t next_index_ = 0;
  Purpose purpose_ = Purpose::item;
  json built_;
  std::vector<json*> stack_;
  std::string key_;
  size_t error_byte_ = 0;
  std::string error_;
};

// A read-only mapping of a whole file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(fmt::format("{}: cannot open file: {}", path, std::strerror(errno)));
    struct stat st {};
    ::fstat(fd, &st);
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        throw InputError(fmt::format("{}: cannot read file: {}", path, std::strerror(errno)));
      }
      data_ = static_cast<const char*>(p);
      // One pass front to back: let the kernel read ahead and drop pages behind us.
      ::madvise(p, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* begin() const { return data_ != nullptr ? data_ : ""; }
  const char* end() const { return begin() + size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

TopLevel stream_coco_file(const std::string& path, const ItemHandler& on_item) {
  MappedFile file(path);
  TopLevel top;
  Handler handler(on_item, top);
  if (!json::sax_parse(file.begin(), file.end(), &handler)) {
    // The offset points one past the offending byte; report line:column as parse_json_file.
    const size_t at = std::min<size_t>(handler.error_byte() > 0 ? handler.error_byte() - 1 : 0,
                                       static_cast<size_t>(file.end() - file.begin()));
    size_t line = 1, column = 1;
    for (const char* p = file.begin(); p < file.begin() + at; ++p) {
      if (*p == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = handler.error();
    const auto cut = what.find("parse error");
    if (cut != std::string::npos) what = what.substr(cut);
    throw InputError(fmt::format("{}:{}:{}: invalid JSON: {}", path, line, column, what));
  }
  return top;
}

}  // namespace trainplan::executor::data::detail
