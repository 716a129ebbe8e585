// SyncBatchNorm: the statistics and the backward reductions are summed across ranks, so that a
// data-parallel job normalises with exactly the statistics of its global batch.
#include "trainplan/executor/model/sync_batch_norm.hpp"

#include <cstdint>
#include <ostream>

namespace trainplan::executor {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// Sums `packed` in place across ranks; a null communicator is a world of one. The
/// per-channel sums are small: one all-gather, not an all-reduce (see allreduce_sum_small).
void sum_across_ranks(Communicator* communicator, const torch::Tensor& packed) {
  if (communicator != nullptr) communicator->allreduce_sum_small(packed);
}

torch::Tensor per_channel(const torch::Tensor& v) { return v.view({1, -1, 1, 1}); }

/// y = (x - mean) * invstd * weight + bias with the global mean and invstd given; the backward
/// pass also differentiates through those global statistics (they depend on every rank's x).
struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               const torch::Tensor& mean, const torch::Tensor& invstd, double count,
                               int64_t communicator_address) {
    ctx->save_for_backward({x, weight, mean, invstd});
    ctx->saved_data["count"] = count;
    // IValue cannot hold a raw pointer; the address travels as an integer. The communicator
    // outlives the step (documented on set_communicator).
    ctx->saved_data["communicator"] = communicator_address;
    const torch::Tensor x_hat = (x - per_channel(mean)) * per_channel(invstd);
    return x_hat * per_channel(weight) + per_channel(bias);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const torch::Tensor& mean = saved[2];
    const torch::Tensor& invstd = saved[3];
    const double count = ctx->saved_data["count"].toDouble();
    auto* communicator =
        reinterpret_cast<Communicator*>(ctx->saved_data["communicator"].toInt());  // NOLINT

    const torch::Tensor& grad_out = grad_outputs[0];  // materialised: never undefined
    const torch::Tensor x_hat = (x - per_channel(mean)) * per_channel(invstd);
    const int64_t channels = x.size(1);
    // Local sums in float64, packed so that one collective carries both (one collective per
    // layer and step instead of two).
    const torch::Tensor grad64 = grad_out.to(torch::kFloat64);
    const torch::Tensor sums =
        torch::cat({grad64.sum({0, 2, 3}), (grad64 * x_hat.to(torch::kFloat64)).sum({0, 2, 3})});
    // The parameter gradients are this rank's share; the trainer's gradient all-reduce adds
    // the shares, exactly as for every other parameter.
    const torch::Tensor grad_bias = sums.slice(0, 0, channels).to(weight.scalar_type());
    const torch::Tensor grad_weight = sums.slice(0, channels).to(weight.scalar_type());

    const torch::Tensor global = sums.clone();
    sum_across_ranks(communicator, global);
    const torch::Tensor mean_dy = (global.slice(0, 0, channels) / count).to(x.scalar_type());
    const torch::Tensor mean_dy_xhat = (global.slice(0, channels) / count).to(x.scalar_type());
    const torch::Tensor grad_input =
        (grad_out - per_channel(mean_dy) - x_hat * per_channel(mean_dy_xhat)) *
        per_channel(invstd * weight);
    return {grad_input,      grad_weight,     grad_bias,      torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(const SyncBatchNormOptions& options_) : options(options_) {
  reset();
}

void SyncBatchNormImpl::reset() {
  const int64_t c = options.num_features();
  weight = register_parameter("weight", torch::ones({c}));
  bias = register_parameter("bias", torch::zeros({c}));
  running_mean = register_buffer("running_mean", torch::zeros({c}));
  running_var = register_buffer("running_var", torch::ones({c}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

torch::Tensor SyncBatchNormImpl::forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() == 4 && input.size(1) == options.num_features(), "SyncBatchNorm expects [N, ",
              options.num_features(), ", H, W], got ", input.sizes());
  // Normalisation runs in float32 under mixed precision too (autocast's rule for norms): the
  // next convolution casts back to float16.
  const torch::Tensor x = input.scalar_type() == weight.scalar_type() ? input : input.to(weight.scalar_type());
  if (!is_training()) {
    return torch::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/false,
                             /*momentum=*/0.0, options.eps(), /*cudnn_enabled=*/true);
  }
  const int64_t c = options.num_features();
  // float64 sums: E[x^2] - E[x]^2 loses digits in float32 when summed over a large global
  // batch, and the sums must not depend on how the batch is split across ranks.
  const torch::Tensor x64 = x.detach().to(torch::kFloat64);
  const double local_count = static_cast<double>(x.numel() / c);
  torch::Tensor packed = torch::cat({x64.sum({0, 2, 3}), x64.square().sum({0, 2, 3}),
                                     torch::full({1}, local_count, x64.options())});
  sum_across_ranks(communicator_, packed);

  const double count = packed[2 * c].item<double>();
  TORCH_CHECK(count > 1,
              "SyncBatchNorm: expected more than 1 value per channel when "
              "training, got ",
              count);
  const torch::Tensor mean = packed.slice(0, 0, c) / count;
  const torch::Tensor var = (packed.slice(0, c, 2 * c) / count - mean.square()).clamp_min(0.0);
  const torch::Tensor invstd = (var + options.eps()).rsqrt();
  {
    // The running variance is unbiased (count - 1), as in torch::nn::BatchNorm2d.
    torch::NoGradGuard no_grad;
    const double m = options.momentum();
    running_mean.mul_(1.0 - m).add_(mean.to(running_mean.scalar_type()), m);
    running_var.mul_(1.0 - m).add_((var * (count / (count - 1))).to(running_var.scalar_type()), m);
    num_batches_tracked.add_(1);
  }
  return SyncBatchNormFunction::apply(x, weight, bias, mean.to(x.scalar_type()),
                                      invstd.to(x.scalar_type()), count,
                                      reinterpret_cast<int64_t>(communicator_));  // NOLINT
}

void SyncBatchNormImpl::pretty_print(std::ostream& stream) const {
  stream << "trainplan::executor::SyncBatchNorm(" << options.num_features()
         << ", eps=" << options.eps() << ", momentum=" << options.momentum() << ")";
}

}  // namespace trainplan::executor
