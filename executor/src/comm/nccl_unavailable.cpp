// A build without the CUDA toolkit and NCCL: `--backend nccl` is refused with the reason.
#include "trainplan/error.hpp"
#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {

std::string nccl_unavailable_reason() {
  return "this build has no NCCL: CMake found no CUDA toolkit with nccl.h and libnccl (they are "
         "looked for under /usr/local/cuda, or -DCUDAToolkit_ROOT=DIR)";
}

std::unique_ptr<Communicator> make_nccl_communicator(const WorldInfo&, const CollectiveOptions&) {
  throw InputError("--backend nccl: " + nccl_unavailable_reason());
}

}  // namespace trainplan::executor
