#include "trainplan/costmodel/communication.hpp"

#include <algorithm>
#include <cmath>

namespace trainplan::costmodel {

namespace {

// Bus bandwidth of an all-reduce, bytes/s. Inside a node it is the GPU's own link. Across
// nodes NCCL runs one ring per network port, each ring crossing every node boundary once:
// a node then sends as many bytes out as one GPU sends in total, so the node's whole network
// bandwidth (not a per-GPU share) bounds the bus bandwidth.
double bus_bandwidth(const AllReduceTopology& t) {
  double intra = t.intra_bandwidth_gbps * 1e9 * kLinkEfficiency;
  if (t.nodes <= 1) return intra;
  return std::min(intra, t.network_bandwidth_gbps * 1e9 * kLinkEfficiency);
}

}  // namespace

double ring_allreduce_seconds(const AllReduceTopology& t, double bytes, int messages) {
  const double n = t.gpus;
  if (n <= 1) return 0;
  // Each of the 2(n-1) ring steps pays the slowest hop's latency once per message.
  const double hop_latency_s =
      (t.nodes > 1 ? std::max(t.intra_latency_us, t.network_latency_us) : t.intra_latency_us) *
      1e-6;
  return messages * 2.0 * (n - 1) * hop_latency_s + 2.0 * (n - 1) / n * bytes / bus_bandwidth(t);
}

double tree_allreduce_seconds(const AllReduceTopology& t, double bytes, int messages) {
  if (t.gpus <= 1) return 0;
  const double per_node = double(t.gpus) / t.nodes;
  // Reduce up and broadcast down: a chain inside each node, a binary tree across nodes.
  const double depth_latency_s = (per_node - 1) * t.intra_latency_us * 1e-6 +
                                 std::ceil(std::log2(std::max(1, t.nodes))) *
                                     t.network_latency_us * 1e-6;
  return messages * 2.0 * depth_latency_s + 2.0 * bytes / bus_bandwidth(t);
}

double allreduce_seconds(const AllReduceTopology& t, double bytes, int messages) {
  if (t.gpus <= 1) return 0;
  double ring = ring_allreduce_seconds(t, bytes, messages);
  // NCCL uses trees only across nodes; inside one node rings are always as fast.
  if (t.nodes <= 1) return ring;
  return std::min(ring, tree_allreduce_seconds(t, bytes, messages));
}

double exposed_allreduce_seconds(double allreduce_s, double backward_s, int buckets) {
  if (allreduce_s <= 0) return 0;
  const double nb = std::max(1, buckets);
  const double last_bucket_s = allreduce_s / nb;
  const double overlappable_backward_s = backward_s * (nb - 1) / nb;
  return std::max(last_bucket_s, allreduce_s - overlappable_backward_s);
}

}  // namespace trainplan::costmodel
