#pragma once
// Batch normalisation whose training statistics span every rank, so that N ranks with a
// batch of B each compute exactly what one process with a batch of N*B computes (the
// property that makes data parallelism exact; PyTorch's nn.SyncBatchNorm).
#include <torch/torch.h>

#include "trainplan/executor/communicator.hpp"

namespace trainplan::executor {

/// Options of SyncBatchNorm. The defaults are YOLO's (Ultralytics and mmyolo), not
/// PyTorch's: a slower running average suits the long schedules of detector training.
struct SyncBatchNormOptions {
  explicit SyncBatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  /// Channels of the input [N, C, H, W].
  TORCH_ARG(int64_t, num_features);
  /// Added to the variance before the square root.
  TORCH_ARG(double, eps) = 1e-3;
  /// Weight of the newest batch in the running mean and variance.
  TORCH_ARG(double, momentum) = 0.03;
};

/// BatchNorm2d with statistics over all ranks. Training mode: per-channel sum, sum of squares
/// and count are computed locally in float64 and summed across ranks in one all-reduce; the
/// backward pass all-reduces the per-channel sums of grad_out and grad_out * x_hat and uses
/// the global count, as PyTorch's SyncBatchNorm does. The weight and bias gradients stay
/// local (the trainer's gradient all-reduce combines them). Eval mode uses the running
/// statistics and no collective. Parameter and buffer names match torch::nn::BatchNorm2d.
///
/// Every rank must run the same sequence of SyncBatchNorm forwards and backwards: each one is
/// a collective.
class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
 public:
  explicit SyncBatchNormImpl(const SyncBatchNormOptions& options);
  explicit SyncBatchNormImpl(int64_t num_features)
      : SyncBatchNormImpl(SyncBatchNormOptions(num_features)) {}

  /// (Re)creates the parameters and buffers: weight 1, bias 0, running mean 0, variance 1.
  void reset() override;

  /// Normalises x [N, C, H, W].
  torch::Tensor forward(const torch::Tensor& x);

  /// Sets the communicator used in training mode; nullptr (the default) means a world of
  /// one. The pointer is not owned: the communicator must outlive every forward/backward.
  void set_communicator(Communicator* communicator) { communicator_ = communicator; }
  /// The communicator in use, or nullptr.
  Communicator* communicator() const { return communicator_; }

  /// Prints "trainplan::executor::SyncBatchNorm(C, eps=..., momentum=...)".
  void pretty_print(std::ostream& stream) const override;

  SyncBatchNormOptions options;
  torch::Tensor weight;
  torch::Tensor bias;
  torch::Tensor running_mean;
  torch::Tensor running_var;
  torch::Tensor num_batches_tracked;

 private:
  Communicator* communicator_ = nullptr;
};
TORCH_MODULE(SyncBatchNorm);

}  // namespace trainplan::executor
