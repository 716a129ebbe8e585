#include "trainplan/executor/bucketed_reducer.hpp"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

namespace trainplan::executor {

struct BucketedReducer::Bucket {
  std::vector<size_t> params;  // indices into params_
  size_t ready = 0;
  torch::Tensor flat;          // the bucket's gradients, contiguous
  std::unique_ptr<Work> work;
};

// Runs after AccumulateGrad has added this backward's gradient into param.grad(), so the
// bucket sees the accumulated value (micro-batches included), as DDP's reducer does.
struct BucketedReducer::Hook : torch::autograd::FunctionPostHook {
  Hook(BucketedReducer* reducer, size_t index) : reducer_(reducer), index_(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    reducer_->mark_ready(index_);
    return outputs;
  }
  BucketedReducer* reducer_;
  size_t index_;
};

BucketedReducer::BucketedReducer(std::vector<torch::Tensor> parameters, Communicator& comm,
                                 double bucket_mb)
    : comm_(comm) {
  for (auto& p : parameters)
    if (p.requires_grad()) params_.push_back(p);
  const double limit_bytes = bucket_mb * 1024 * 1024;
  bucket_of_.resize(params_.size());
  // Reverse order: the last layers' gradients arrive first in backward.
  double bytes = limit_bytes;
  for (size_t k = params_.size(); k-- > 0;) {
    const double size = double(params_[k].numel()) * params_[k].element_size();
    if (bytes + size > limit_bytes && !(buckets_.size() && buckets_.back()->params.empty())) {
      buckets_.push_back(std::make_unique<Bucket>());
      bytes = 0;
    }
    buckets_.back()->params.push_back(k);
    bucket_of_[k] = buckets_.size() - 1;
    bytes += size;
  }
  for (auto& b : buckets_) {
    int64_t numel = 0;
    for (size_t k : b->params) numel += params_[k].numel();
    b->flat = torch::zeros({numel}, params_[b->params.front()].options().requires_grad(false));
  }
  for (size_t k = 0; k < params_.size(); ++k) {
    auto accumulator = torch::autograd::impl::grad_accumulator(params_[k]);
    uintptr_t key = accumulator->add_post_hook(std::make_unique<Hook>(this, k));
    hooks_.emplace_back(accumulator, key);
  }
}

BucketedReducer::~BucketedReducer() {
  for (auto& [node, key] : hooks_) node->del_post_hook(key);
}

void BucketedReducer::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors,
                                           Communicator& comm) {
  if (comm.world_size() == 1 || tensors.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.detach().reshape({-1}).to(torch::kFloat64));
  torch::Tensor flat = torch::cat(flat_parts);
  comm.broadcast({flat}, 0);
  int64_t offset = 0;
  for (const auto& t : tensors) {
    auto n = t.numel();
    t.detach().copy_(flat.slice(0, offset, offset + n).view(t.sizes()).to(t.scalar_type()));
    offset += n;
  }
}

void BucketedReducer::prepare_for_backward() {
  armed_ = true;
  for (auto& b : buckets_) {
    b->ready = 0;
    b->work.reset();
  }
}

void BucketedReducer::mark_ready(size_t parameter) {
  if (!armed_) return;  // an accumulation micro-step: no communication
  Bucket& b = *buckets_[bucket_of_[parameter]];
  if (++b.ready == b.params.size()) launch(b);
}

void BucketedReducer::launch(Bucket& b) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (size_t k : b.params) {
    const auto& p = params_[k];
    auto n = p.numel();
    auto slot = b.flat.slice(0, offset, offset + n);
    if (p.grad().defined())
      slot.copy_(p.grad().reshape({-1}));
    else
      slot.zero_();  // a parameter unused this step contributes zero, as in DDP
    offset += n;
  }
  b.work = comm_.allreduce_sum_async({b.flat});
}

void BucketedReducer::finish() {
  if (!armed_) return;
  armed_ = false;
  torch::NoGradGuard no_grad;
  const double world = comm_.world_size();
  for (auto& b : buckets_) {
    if (!b->work) launch(*b);
    b->work->wait();
    b->work.reset();
    b->flat.div_(world);
    int64_t offset = 0;
    for (size_t k : b->params) {
      auto& p = params_[k];
      auto n = p.numel();
      auto averaged = b->flat.slice(0, offset, offset + n).view(p.sizes());
      if (p.grad().defined())
        p.mutable_grad().copy_(averaged);
      else
        p.mutable_grad() = averaged.clone();
      offset += n;
    }
  }
}

size_t BucketedReducer::bucket_count() const { return buckets_.size(); }

}  // namespace trainplan::executor
