#include "image_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/image_io.hpp"

namespace trainplan::executor::data::detail {

namespace {

std::optional<std::string> check_one(const ImageRecord& record, bool decode) {
  try {
    ImageSize size;
    if (decode) {
      Image image = decode_image(record.path);
      size = {image.width, image.height};
    } else {
      size = probe_image(record.path);
    }
    // Boxes were checked against the annotated size; a different file size would put them
    // in the wrong place.
    if (size.width != record.width || size.height != record.height) {
      return fmt::format("{}: image file is {}x{} but the annotation says {}x{}", record.path,
                         size.width, size.height, record.width, record.height);
    }
  } catch (const InputError& error) {
    return std::string(error.what());
  } catch (const std::exception& error) {
    // An exception escaping a worker thread would terminate the program; report it instead.
    return fmt::format("{}: cannot check image: {}", record.path, error.what());
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::optional<std::string>> check_image_files(
    const std::vector<const ImageRecord*>& records, bool decode, int threads) {
  std::vector<std::optional<std::string>> problems(records.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(std::max<size_t>(1, records.size() / 16)));
  // Work is handed out one record at a time: decode times vary a lot between images. Each
  // worker writes only its own slots, so no lock is needed.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < records.size(); i = next++) {
      if (records[i] != nullptr) problems[i] = check_one(*records[i], decode);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return problems;
}

}  // namespace trainplan::executor::data::detail
