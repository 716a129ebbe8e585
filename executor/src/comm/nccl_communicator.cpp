// NCCL, called directly (no ProcessGroupNCCL: Debian's LibTorch has none): the unique id goes
// through the job's c10d store, collectives run on the communicator's own CUDA stream, and
// every wait polls the stream and ncclCommGetAsyncError, aborting the communicator when the
// timeout passes, so a dead or hung peer never hangs a rank. CPU tensors (a CPU LibTorch, the
// default here) pass through pinned host and device staging buffers; CUDA tensors (a
// CUDA-enabled LibTorch) are used in place.
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nccl.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "job_store.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {

namespace {

using Clock = std::chrono::steady_clock;

void check_cuda(cudaError_t e, int rank, const char* what) {
  if (e != cudaSuccess)
    throw RunError(fmt::format("rank {}: {}: CUDA error {} ({})", rank, what, int(e), cudaGetErrorString(e)));
}

ncclDataType_t nccl_type(const torch::Tensor& t, int rank) {
  switch (t.scalar_type()) {
    case torch::kFloat32: return ncclFloat32;
    case torch::kFloat64: return ncclFloat64;
    case torch::kFloat16: return ncclFloat16;
    case torch::kBFloat16: return ncclBfloat16;
    case torch::kInt64: return ncclInt64;
    case torch::kInt32: return ncclInt32;
    case torch::kUInt8: return ncclUint8;
    default:
      throw RunError(fmt::format("rank {}: NCCL cannot reduce tensors of type {}", rank,
                                 c10::toString(t.scalar_type())));
  }
}

// A pinned host block and a device block of the same size, reused across collectives.
struct Staging {
  size_t bytes = 0;
  void* host = nullptr;
  void* device = nullptr;
};

class NcclState;

// One collective in flight: its completion event, and for staged CPU tensors where the result
// is copied back when it completes.
class NcclWork : public Work {
 public:
  NcclWork(std::shared_ptr<NcclState> state, std::string what, cudaEvent_t done, Staging staging,
           std::vector<torch::Tensor> outputs)
      : state_(std::move(state)), what_(std::move(what)), done_(done), staging_(staging),
        outputs_(std::move(outputs)) {}
  ~NcclWork() override;
  void wait() override;
  /// wait() with another limit than the collectives' timeout (barrier_within).
  void wait_within(std::chrono::milliseconds limit);

 private:
  std::shared_ptr<NcclState> state_;
  std::string what_;
  cudaEvent_t done_;
  Staging staging_;
  std::vector<torch::Tensor> outputs_;  // CPU tensors that receive the staged result
  bool waited_ = false;
};

// The communicator's resources, shared with its works (a work may outlive a failed call).
class NcclState : public std::enable_shared_from_this<NcclState> {
 public:
  int rank = 0, world = 1, device = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  std::chrono::milliseconds timeout{60000};
  bool aborted = false;
  std::mutex pool_mutex;
  std::vector<Staging> free_blocks;

  ~NcclState() {
    for (auto& b : free_blocks) {
      cudaFreeHost(b.host);
      cudaFree(b.device);
    }
    if (comm && !aborted) ncclCommDestroy(comm);
    if (stream) cudaStreamDestroy(stream);
  }

  Staging take(size_t bytes) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    for (size_t i = 0; i < free_blocks.size(); ++i)
      if (free_blocks[i].bytes >= bytes) {
        Staging b = free_blocks[i];
        free_blocks.erase(free_blocks.begin() + long(i));
        return b;
      }
    Staging b;
    b.bytes = std::max<size_t>(bytes, 256);
    check_cuda(cudaMallocHost(&b.host, b.bytes), rank, "pinned staging buffer");
    check_cuda(cudaMalloc(&b.device, b.bytes), rank, "device staging buffer");
    return b;
  }

  void give_back(Staging b) {
    if (!b.host) return;
    std::lock_guard<std::mutex> lock(pool_mutex);
    free_blocks.push_back(b);
  }

  // Fails the collective `what`, aborting the communicator so no kernel waits forever.
  [[noreturn]] void fail(const std::string& what, const std::string& why) {
    if (comm && !aborted) {
      ncclCommAbort(comm);
      aborted = true;
    }
    throw PeerFailure(fmt::format("rank {}: NCCL {} failed: {}; the communicator was aborted", rank,
                               what, why));
  }

  // A call of a non-blocking communicator returns ncclInProgress until it has been enqueued.
  void settle(ncclResult_t result, const std::string& what, Clock::time_point deadline) {
    while (result == ncclInProgress) {
      if (Clock::now() > deadline) fail(what, "still in progress at the timeout");
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      ncclCommGetAsyncError(comm, &result);
    }
    if (result != ncclSuccess) fail(what, ncclGetErrorString(result));
  }

  // Waits for `done`, polling NCCL's asynchronous error; `timeout` bounds it.
  void wait_for(cudaEvent_t done, const std::string& what, std::chrono::milliseconds limit) {
    ScopedPhase waiting(Phase::collective);  // waits for peers: never the hung rank
    const auto deadline = Clock::now() + limit;
    for (;;) {
      const cudaError_t state = cudaEventQuery(done);
      if (state == cudaSuccess) return;
      if (state != cudaErrorNotReady) fail(what, cudaGetErrorString(state));
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm, &async);
      if (async != ncclSuccess && async != ncclInProgress) fail(what, ncclGetErrorString(async));
      if (Clock::now() > deadline)
        fail(what, fmt::format("not finished within {} s (a peer died or hangs)", limit.count() / 1000.0));
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
};

NcclWork::~NcclWork() {
  if (!waited_) {
    try {
      wait();
    } catch (const std::exception&) {
      // Destroyed during unwinding: the failure is already being reported.
    }
  }
  cudaEventDestroy(done_);
  state_->give_back(staging_);
}

void NcclWork::wait() { wait_within(state_->timeout); }

void NcclWork::wait_within(std::chrono::milliseconds limit) {
  if (waited_) return;
  waited_ = true;
  state_->wait_for(done_, what_, limit);
  // Staged: the result is in the pinned block, packed in the order of the outputs.
  size_t offset = 0;
  for (auto& t : outputs_) {
    const size_t bytes = size_t(t.numel()) * t.element_size();
    std::memcpy(t.data_ptr(), static_cast<char*>(staging_.host) + offset, bytes);
    offset += bytes;
  }
}

class NcclCommunicator : public Communicator {
 public:
  NcclCommunicator(const WorldInfo& world, const CollectiveOptions& options)
      : state_(std::make_shared<NcclState>()) {
    NcclState& s = *state_;
    s.rank = world.rank;
    s.world = world.world_size;
    s.timeout = options.timeout;
    int devices = 0;
    check_cuda(cudaGetDeviceCount(&devices), world.rank, "counting GPUs");
    s.device = world.local_rank % devices;
    check_cuda(cudaSetDevice(s.device), world.rank, "selecting the GPU");
    try {
      store_ = join_job_store(world, options.rendezvous_timeout);
      // Rank 0 makes the unique id; the others read it from the store (a blocking get bounded
      // by the rendezvous timeout).
      ncclUniqueId id;
      const std::string key = "trainplan/nccl/unique-id";
      if (world.rank == 0) {
        if (ncclGetUniqueId(&id) != ncclSuccess) throw std::runtime_error("ncclGetUniqueId failed");
        store_->set(key, std::vector<uint8_t>(reinterpret_cast<uint8_t*>(&id),
                                              reinterpret_cast<uint8_t*>(&id) + sizeof(id)));
      } else {
        const auto bytes = store_->get(key);
        if (bytes.size() != sizeof(id)) throw std::runtime_error("malformed NCCL unique id in the store");
        std::memcpy(&id, bytes.data(), sizeof(id));
      }
      // Non-blocking, so that a rank that never joins is a timeout, not a hang.
      ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
      config.blocking = 0;
      const auto deadline = Clock::now() + options.rendezvous_timeout;
      ncclResult_t result = ncclCommInitRankConfig(&s.comm, s.world, id, s.rank, &config);
      s.settle(result, "communicator initialisation", deadline);
      store_->setTimeout(options.timeout);
    } catch (const RunError& e) {
      throw RunError(rendezvous_failure(world, options.rendezvous_timeout, e.what(), store_.get(), ""));
    } catch (const std::exception& e) {
      throw RunError(rendezvous_failure(world, options.rendezvous_timeout, e.what(), store_.get(), ""));
    }
    check_cuda(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), world.rank, "stream");
  }

  int rank() const override { return state_->rank; }
  int world_size() const override { return state_->world; }
  std::string backend() const override { return "nccl"; }

  std::unique_ptr<Work> allreduce_sum_async(std::vector<torch::Tensor> tensors) override {
    return launch("all-reduce", tensors, tensors, [&](const void* in, void* out, size_t count,
                                                      ncclDataType_t type) {
      return ncclAllReduce(in, out, count, type, ncclSum, state_->comm, state_->stream);
    });
  }

  torch::Tensor allgather(const torch::Tensor& tensor) override {
    const torch::Tensor input = tensor.contiguous();
    std::vector<int64_t> sizes{state_->world};
    sizes.insert(sizes.end(), input.sizes().begin(), input.sizes().end());
    torch::Tensor gathered = torch::empty(sizes, input.options());
    NcclState& s = *state_;
    const ncclDataType_t type = nccl_type(input, s.rank);
    const size_t bytes = size_t(input.numel()) * input.element_size();
    const auto deadline = Clock::now() + s.timeout;
    if (input.is_cuda()) {
      after_default_stream();
      s.settle(ncclAllGather(input.data_ptr(), gathered.data_ptr(), size_t(input.numel()), type,
                             s.comm, s.stream),
               "all-gather", deadline);
      finish("all-gather", {}, Staging{})->wait();
      return gathered;
    }
    // Staged: the input at the start of the block, the gathered rows after it.
    Staging block = s.take(bytes * size_t(s.world + 1));
    std::memcpy(block.host, input.data_ptr(), bytes);
    check_cuda(cudaMemcpyAsync(block.device, block.host, bytes, cudaMemcpyHostToDevice, s.stream),
               s.rank, "staging to the GPU");
    char* out_device = static_cast<char*>(block.device) + bytes;
    s.settle(ncclAllGather(block.device, out_device, size_t(input.numel()), type, s.comm, s.stream),
             "all-gather", deadline);
    check_cuda(cudaMemcpyAsync(static_cast<char*>(block.host), out_device, bytes * size_t(s.world),
                               cudaMemcpyDeviceToHost, s.stream),
               s.rank, "staging from the GPU");
    finish("all-gather", {gathered}, block)->wait();
    return gathered;
  }

  void broadcast(std::vector<torch::Tensor> tensors, int root) override {
    launch("broadcast", tensors, tensors, [&](const void* in, void* out, size_t count,
                                              ncclDataType_t type) {
      return ncclBroadcast(in, out, count, type, root, state_->comm, state_->stream);
    })->wait();
  }

  void barrier() override { barrier_within(state_->timeout); }

  void barrier_within(std::chrono::milliseconds timeout) override {
    // An all-reduce of one number: NCCL has no barrier.
    NcclState& s = *state_;
    Staging block = s.take(sizeof(float));
    const auto deadline = Clock::now() + timeout;
    s.settle(ncclAllReduce(block.device, block.device, 1, ncclFloat32, ncclSum, s.comm, s.stream),
             "barrier", deadline);
    cudaEvent_t done = record();
    NcclWork(state_, "barrier", done, block, {}).wait_within(timeout);
  }

 private:
  // Orders our stream after the work already queued on the legacy default stream (a CUDA
  // LibTorch's current stream unless the program changed it), so CUDA tensors are ready.
  void after_default_stream() {
    cudaEvent_t ready;
    check_cuda(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming), state_->rank, "event");
    check_cuda(cudaEventRecord(ready, nullptr), state_->rank, "event");
    check_cuda(cudaStreamWaitEvent(state_->stream, ready, 0), state_->rank, "event");
    cudaEventDestroy(ready);
  }

  cudaEvent_t record() {
    cudaEvent_t done;
    check_cuda(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), state_->rank, "event");
    check_cuda(cudaEventRecord(done, state_->stream), state_->rank, "event");
    return done;
  }

  std::unique_ptr<NcclWork> finish(const std::string& what, std::vector<torch::Tensor> outputs,
                                   Staging block) {
    return std::make_unique<NcclWork>(state_, what, record(), block, std::move(outputs));
  }

  // One collective over `tensors` (in place): CUDA tensors each in a group of calls; CPU
  // tensors packed into one staged block, one call (they must share a type).
  template <typename Call>
  std::unique_ptr<Work> launch(const std::string& what, std::vector<torch::Tensor>& tensors,
                               std::vector<torch::Tensor>& outputs, Call call) {
    NcclState& s = *state_;
    const auto deadline = Clock::now() + s.timeout;
    if (tensors.empty()) return finish(what, {}, Staging{});
    if (tensors.front().is_cuda()) {
      after_default_stream();
      ncclGroupStart();
      for (auto& t : tensors) {
        if (!t.is_contiguous())
          throw RunError(fmt::format("rank {}: NCCL {} needs contiguous tensors", s.rank, what));
        const ncclResult_t r = call(t.data_ptr(), t.data_ptr(), size_t(t.numel()), nccl_type(t, s.rank));
        if (r != ncclSuccess && r != ncclInProgress) s.fail(what, ncclGetErrorString(r));
      }
      s.settle(ncclGroupEnd(), what, deadline);
      return finish(what, {}, Staging{});
    }
    const ncclDataType_t type = nccl_type(tensors.front(), s.rank);
    // Checked before anything is launched: a rank that throws later leaves its peers waiting.
    for (const auto& t : outputs)
      if (!t.is_contiguous())
        throw RunError(fmt::format("rank {}: NCCL {} writes into contiguous tensors only", s.rank, what));
    size_t bytes = 0, count = 0;
    for (const auto& t : tensors) {
      if (t.scalar_type() != tensors.front().scalar_type())
        throw RunError(fmt::format("rank {}: one NCCL {} takes tensors of one type", s.rank, what));
      bytes += size_t(t.numel()) * t.element_size();
      count += size_t(t.numel());
    }
    Staging block = s.take(bytes);
    size_t offset = 0;
    for (const auto& t : tensors) {
      const torch::Tensor c = t.contiguous();
      const size_t n = size_t(c.numel()) * c.element_size();
      std::memcpy(static_cast<char*>(block.host) + offset, c.data_ptr(), n);
      offset += n;
    }
    check_cuda(cudaMemcpyAsync(block.device, block.host, bytes, cudaMemcpyHostToDevice, s.stream),
               s.rank, "staging to the GPU");
    s.settle(call(block.device, block.device, count, type), what, deadline);
    check_cuda(cudaMemcpyAsync(block.host, block.device, bytes, cudaMemcpyDeviceToHost, s.stream),
               s.rank, "staging from the GPU");
    return finish(what, outputs, block);
  }

  std::shared_ptr<NcclState> state_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
};

}  // namespace

std::string nccl_unavailable_reason() {
  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess)
    return fmt::format("no GPU is visible to CUDA ({})", cudaGetErrorString(e));
  if (devices == 0) return "no GPU is visible to CUDA";
  return "";
}

std::unique_ptr<Communicator> make_nccl_communicator(const WorldInfo& world,
                                                     const CollectiveOptions& options) {
  if (const std::string why = nccl_unavailable_reason(); !why.empty())
    throw InputError("--backend nccl: " + why);
  return std::make_unique<NcclCommunicator>(world, options);
}

}  // namespace trainplan::executor
