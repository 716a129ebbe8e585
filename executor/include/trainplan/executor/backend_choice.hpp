#pragma once
// --device and --backend: what `auto` means on this machine, and the refusals that come before
// any worker starts (exit 2).
#include <torch/torch.h>

#include <string>

namespace trainplan::executor {

/// The device the model runs on and the collective backend.
struct BackendChoice {
  std::string device;   ///< "cuda" or "cpu"
  std::string backend;  ///< "nccl" or "gloo"
};

/// Resolves --device (auto, cuda, cpu) and --backend (auto, nccl, gloo): auto picks cuda and
/// NCCL when LibTorch sees GPUs, else cpu and Gloo; NCCL with the cpu device stages tensors
/// through pinned buffers. Throws InputError for cuda without a CUDA LibTorch, and for nccl
/// where this build has no NCCL or no GPU is visible.
BackendChoice choose_backend(const std::string& device, const std::string& backend);

/// The device a rank trains on: cuda:local_rank for the chosen device "cuda", else the CPU.
/// Throws InputError when this node has fewer visible GPUs than its local ranks need.
torch::Device training_device(const std::string& device, int local_rank);

}  // namespace trainplan::executor
