#include "image_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
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
    const std::vector<const ImageRecord*>& records, bool decode, int threads,
    const std::function<void(size_t, size_t)>& progress) {
  std::vector<std::optional<std::string>> problems(records.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(std::max<size_t>(1, records.size() / 16)));
  // Work is handed out one record at a time: decode times vary a lot between images. Each
  // worker writes only its own slots, so no lock is needed.
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex report_mutex;  // progress is called by one thread at a time
  auto last_report = std::chrono::steady_clock::now();
  auto work = [&] {
    for (size_t i = next++; i < records.size(); i = next++) {
      if (records[i] != nullptr) problems[i] = check_one(*records[i], decode);
      const size_t finished = ++done;
      if (progress && report_mutex.try_lock()) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report > std::chrono::milliseconds(500)) {
          last_report = now;
          progress(finished, records.size());
        }
        report_mutex.unlock();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (progress && !records.empty()) progress(records.size(), records.size());
  return problems;
}

}  // namespace trainplan::executor::data::detail
