#include "trainplan/executor/backend_choice.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include "trainplan/error.hpp"
#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {

BackendChoice choose_backend(const std::string& device, const std::string& backend) {
  BackendChoice c;
  const bool cuda_libtorch = torch::cuda::is_available();
  if (device == "cuda" && !cuda_libtorch)
    throw InputError(
        "--device cuda: this build's LibTorch sees no GPU (Debian's libtorch-dev is CPU-only): "
        "build against a CUDA LibTorch with cmake -DCMAKE_PREFIX_PATH=/path/to/libtorch, or "
        "use --device cpu (with --backend nccl the collectives still run on the GPUs)");
  c.device = device == "auto" ? (cuda_libtorch ? "cuda" : "cpu") : device;
  c.backend = backend == "auto" ? (c.device == "cuda" ? "nccl" : "gloo") : backend;
  if (c.backend == "nccl")
    if (const std::string why = nccl_unavailable_reason(); !why.empty())
      throw InputError("--backend nccl: " + why + "; use --backend gloo");
  return c;
}

}  // namespace trainplan::executor

namespace trainplan::executor {

torch::Device training_device(const std::string& device, int local_rank) {
  if (device != "cuda") return torch::kCPU;
  const int visible = int(torch::cuda::device_count());
  // torchrun users meet this as "invalid device ordinal" deep inside CUDA: say it up front.
  if (local_rank >= visible)
    throw InputError(fmt::format(
        "--device cuda: local rank {} needs GPU {}, but this process sees {} GPU(s); start at "
        "most {} processes per node (--nproc / --nproc-per-node) or check CUDA_VISIBLE_DEVICES",
        local_rank, local_rank, visible, visible));
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank));
}

}  // namespace trainplan::executor
