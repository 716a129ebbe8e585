#include "trainplan/executor/backend_choice.hpp"

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
  if (c.device == "cuda")
    // The training loop does not place the model on a GPU yet (issue 12): refused rather than
    // silently training on the CPU.
    throw InputError("--device cuda: the training loop runs on the CPU only so far; use "
                     "--device cpu (--backend nccl runs the collectives on the GPUs)");
  c.backend = backend == "auto" ? (c.device == "cuda" ? "nccl" : "gloo") : backend;
  if (c.backend == "nccl")
    if (const std::string why = nccl_unavailable_reason(); !why.empty())
      throw InputError("--backend nccl: " + why + "; use --backend gloo");
  return c;
}

}  // namespace trainplan::executor
