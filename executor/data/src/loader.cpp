#include "trainplan/executor/data/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "trainplan/error.hpp"
#include "trainplan/executor/data/sampler.hpp"

namespace trainplan::executor::data {

namespace {

// A run of unreadable images this long means the data set is broken, not a few files in it.
constexpr size_t kMaxReplacements = 16;

// A batch being made: every slot is written by exactly one worker, outside the lock, into
// storage allocated up front, so workers never contend except to take the next sample.
struct Pending {
  Batch batch;
  std::vector<std::vector<std::array<float, 5>>> boxes;
  std::vector<std::exception_ptr> errors;
  int finished = 0;
};

}  // namespace

struct BatchLoader::Impl {
  const CocoDataset& dataset;
  std::vector<size_t> indices;
  LoaderOptions options;
  int64_t num_batches = 0;
  int64_t end_position = 0;  // samples used this epoch (a short last batch dropped or not)

  std::mutex mutex;
  std::condition_variable work_ready;   // workers wait here for the window to open
  std::condition_variable batch_ready;  // next() waits here
  int64_t next_position = 0;            // next sample to hand to a worker
  int64_t consumer_batch = 0;           // the batch next() returns next
  bool stop = false;
  std::map<int64_t, std::unique_ptr<Pending>> pending;
  std::vector<std::thread> threads;
  double waited_s = 0;

  Impl(const CocoDataset& d, std::vector<size_t> i, const LoaderOptions& o)
      : dataset(d), indices(std::move(i)), options(o) {}

  // Called with the lock held: the batch's storage, created by whoever gets there first.
  Pending& pending_batch(int64_t k) {
    auto& slot = pending[k];
    if (!slot) {
      slot = std::make_unique<Pending>();
      const int b = options.batch_size, s = options.image_size;
      Batch& batch = slot->batch;
      batch.index = k;
      batch.size = s;
      batch.count = static_cast<int>(std::min<int64_t>(b, end_position - k * b));
      batch.images.resize(static_cast<size_t>(batch.count) * 3 * s * s);
      batch.image_ids.resize(batch.count);
      batch.scales.resize(batch.count);
      batch.pad_x.resize(batch.count);
      batch.pad_y.resize(batch.count);
      slot->boxes.resize(batch.count);
      slot->errors.resize(batch.count);
    }
    return *slot;
  }

  // Dataset index `index`'s sample, or with skip_bad_samples the next index's that loads.
  Sample sample_or_replacement(size_t index) {
    const size_t n = dataset.images.size();
    for (size_t tries = 0;; ++tries) {
      const size_t candidate = (index + tries) % n;
      try {
        return make_sample(dataset, candidate, options.image_size, options.augment,
                           sample_seed(options.seed, options.epoch, candidate));
      } catch (const InputError& error) {
        if (!options.skip_bad_samples || tries + 1 >= std::min<size_t>(n, kMaxReplacements)) throw;
        if (options.report_skipped)
          options.report_skipped(fmt::format("skipped image id {}: {}; image id {} takes its place",
                                             dataset.images[candidate].id, error.what(),
                                             dataset.images[(candidate + 1) % n].id));
      }
    }
  }

  // Makes sample `position` into its slot; runs without the lock.
  void make(Pending& p, int64_t position) {
    const int slot = static_cast<int>(position % options.batch_size);
    try {
      Sample s = sample_or_replacement(indices[position]);
      std::copy(s.chw.begin(), s.chw.end(), p.batch.images.begin() + slot * s.chw.size());
      p.batch.image_ids[slot] = s.image_id;
      p.batch.scales[slot] = s.scale;
      p.batch.pad_x[slot] = s.pad_x;
      p.batch.pad_y[slot] = s.pad_y;
      p.boxes[slot] = std::move(s.boxes);
    } catch (const InputError& error) {
      // Images are first opened here (start-up reads only the annotations): name the image
      // entry too, and the command that finds every such file before a run.
      const ImageRecord& record = dataset.images[indices[position]];
      const std::string what = error.what();
      p.errors[slot] = std::make_exception_ptr(InputError(
          what.find(fmt::format("(image {})", record.id)) != std::string::npos
              ? what
              : fmt::format("{} (image id {}; `trainplan data check` scans every image)", what,
                            record.id)));
    } catch (...) {
      p.errors[slot] = std::current_exception();
    }
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      work_ready.wait(lock, [&] {
        return stop || (next_position < end_position &&
                        next_position / options.batch_size < consumer_batch + options.prefetch);
      });
      if (stop) return;
      const int64_t position = next_position++;
      Pending& p = pending_batch(position / options.batch_size);
      lock.unlock();
      make(p, position);
      lock.lock();
      if (++p.finished == p.batch.count) batch_ready.notify_all();
    }
  }

  // Moves a finished batch out, rethrowing its first failure (lowest slot, so the error a
  // user sees does not depend on thread timing).
  static Batch finish(Pending& p) {
    for (const auto& error : p.errors) {
      if (error) std::rethrow_exception(error);
    }
    Batch batch = std::move(p.batch);
    for (int i = 0; i < batch.count; ++i) {
      for (const auto& b : p.boxes[i]) {
        batch.targets.push_back({static_cast<float>(i), b[0], b[1], b[2], b[3], b[4]});
      }
    }
    return batch;
  }
};

BatchLoader::BatchLoader(const CocoDataset& dataset, std::vector<size_t> indices,
                         const LoaderOptions& options)
    : impl_(std::make_unique<Impl>(dataset, std::move(indices), options)) {
  Impl& m = *impl_;
  const LoaderOptions& o = m.options;
  if (o.batch_size < 1)
    throw InputError(fmt::format("batch size {} is invalid; expected >= 1", o.batch_size));
  if (o.image_size < 1)
    throw InputError(fmt::format("image size {} is invalid; expected >= 1", o.image_size));
  if (o.workers < 0 || o.workers > 256)
    throw InputError(fmt::format("loader workers {} is invalid; expected 0..256", o.workers));
  if (o.prefetch < 1)
    throw InputError(fmt::format("loader prefetch {} is invalid; expected >= 1", o.prefetch));
  validate(o.augment);
  for (size_t i : m.indices) {
    if (i >= dataset.images.size()) {
      throw InputError(fmt::format("dataset index {} is out of range; the dataset has {} images", i,
                                   dataset.images.size()));
    }
  }
  const int64_t n = static_cast<int64_t>(m.indices.size());
  m.num_batches = o.drop_last ? n / o.batch_size : (n + o.batch_size - 1) / o.batch_size;
  m.end_position = std::min(n, m.num_batches * o.batch_size);
  if (o.start_batch < 0 || o.start_batch > m.num_batches) {
    throw InputError(fmt::format("start batch {} is invalid; the epoch has {} batches",
                                 o.start_batch, m.num_batches));
  }
  m.consumer_batch = o.start_batch;
  m.next_position = o.start_batch * o.batch_size;
  try {
    for (int t = 0; t < o.workers; ++t) m.threads.emplace_back([&m] { m.work(); });
  } catch (...) {
    // The destructor does not run for a half-built object; joinable threads left behind
    // would call std::terminate.
    stop_workers();
    throw;
  }
}

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->work_ready.notify_all();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

BatchLoader::~BatchLoader() { stop_workers(); }

std::optional<Batch> BatchLoader::next() {
  Impl& m = *impl_;
  if (m.consumer_batch >= m.num_batches) return std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Pending> done;
  if (m.threads.empty()) {
    Pending& p = m.pending_batch(m.consumer_batch);
    for (int64_t pos = m.consumer_batch * m.options.batch_size;
         pos < m.end_position && pos < (m.consumer_batch + 1) * m.options.batch_size; ++pos) {
      m.make(p, pos);
    }
    done = std::move(m.pending[m.consumer_batch]);
    m.pending.erase(m.consumer_batch);
    ++m.consumer_batch;
  } else {
    std::unique_lock<std::mutex> lock(m.mutex);
    m.batch_ready.wait(lock, [&] {
      auto it = m.pending.find(m.consumer_batch);
      return it != m.pending.end() && it->second->finished == it->second->batch.count;
    });
    done = std::move(m.pending[m.consumer_batch]);
    m.pending.erase(m.consumer_batch);
    ++m.consumer_batch;
    lock.unlock();
    m.work_ready.notify_all();  // the window moved on by one batch
  }
  m.waited_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Impl::finish(*done);
}

int64_t BatchLoader::batches() const { return impl_->num_batches; }

double BatchLoader::seconds_waiting() const { return impl_->waited_s; }

}  // namespace trainplan::executor::data
