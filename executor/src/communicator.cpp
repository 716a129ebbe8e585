// The collectives every backend gets from its primitives.
#include "trainplan/executor/communicator.hpp"

#include <cstring>

#include "trainplan/error.hpp"

namespace trainplan::executor {

void Communicator::allreduce_sum_small(const torch::Tensor& tensor) {
  if (world_size() == 1) return;
  torch::NoGradGuard no_grad;
  // sum(0) over the rank dimension adds in rank order on every rank: identical results.
  tensor.copy_(allgather(tensor).sum(0));
}

std::string broadcast_from_rank0(Communicator& comm, const std::function<std::string()>& read) {
  if (comm.world_size() == 1) return read();
  std::string bytes;
  bool failed = false;
  if (comm.rank() == 0) {
    try {
      bytes = read();
    } catch (const std::exception& e) {
      bytes = e.what();
      failed = true;
    }
  }
  // The size first (negative: rank 0's error message follows), then the bytes.
  torch::Tensor size = torch::tensor({failed ? -int64_t(bytes.size()) - 1 : int64_t(bytes.size())},
                                     torch::kInt64);
  comm.broadcast({size}, 0);
  const int64_t n = size.item<int64_t>();
  const int64_t length = n < 0 ? -n - 1 : n;
  torch::Tensor data = torch::empty({length}, torch::kUInt8);
  if (comm.rank() == 0 && length > 0) std::memcpy(data.data_ptr(), bytes.data(), size_t(length));
  if (length > 0) comm.broadcast({data}, 0);
  std::string received(reinterpret_cast<const char*>(data.data_ptr()), size_t(length));
  if (n < 0) throw InputError(received);
  return received;
}

}  // namespace trainplan::executor
