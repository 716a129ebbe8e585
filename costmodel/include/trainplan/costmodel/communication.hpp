#pragma once
// Gradient all-reduce time with an alpha-beta model, ring and tree, over the intra-node link
// and the inter-node network (docs/costmodel.md, communication).

namespace trainplan::costmodel {

/// The links one all-reduce crosses.
struct AllReduceTopology {
  int gpus = 1;
  int nodes = 1;
  double intra_bandwidth_gbps = 0;    ///< per GPU, per direction, vendor figure
  double intra_latency_us = 0;
  double network_bandwidth_gbps = 0;  ///< per node, per direction, vendor figure
  double network_latency_us = 0;
};

/// Fraction of a link's vendor bandwidth that NCCL reaches as bus bandwidth (nccl-tests
/// all_reduce_perf busbw on DGX systems reaches 75-85% of the per-direction link figure).
constexpr double kLinkEfficiency = 0.8;

/// Seconds for a ring all-reduce of `bytes` split into `messages` buckets.
double ring_allreduce_seconds(const AllReduceTopology& t, double bytes, int messages);

/// Seconds for a tree all-reduce (NCCL's double binary tree across nodes, chains inside).
double tree_allreduce_seconds(const AllReduceTopology& t, double bytes, int messages);

/// The faster of ring and tree, as NCCL picks; 0 for a single GPU.
double allreduce_seconds(const AllReduceTopology& t, double bytes, int messages);

/// The part of an all-reduce that backward cannot hide: buckets are reduced while earlier
/// layers still compute, but the last bucket starts only when backward ends.
double exposed_allreduce_seconds(double allreduce_s, double backward_s, int buckets);

}  // namespace trainplan::costmodel
