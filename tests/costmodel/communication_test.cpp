// Pins down the all-reduce formulas (docs/costmodel.md, communication) against closed forms:
// ring = 2(n-1) * latency * messages + 2(n-1)/n * bytes / (bandwidth * 0.8), 0 for one GPU;
// across nodes the slower latency and the slower of the GPU's link and the node's network
// bandwidth apply (docs/costmodel.md section 4: rail-optimised rings); trees beat rings for many nodes and small messages; the exposed part of an
// all-reduce lies between total/buckets and total.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "trainplan/costmodel/communication.hpp"

using namespace trainplan::costmodel;

namespace {

constexpr double kIntraGbps = 150, kIntraUs = 3, kNetGbps = 25, kNetUs = 5;

AllReduceTopology topo(int gpus, int nodes) {
  return {gpus, nodes, kIntraGbps, kIntraUs, kNetGbps, kNetUs};
}

double ring_closed_form(double n, double latency_s, double bytes, int messages, double bw_bytes) {
  return 2 * (n - 1) * latency_s * messages + 2 * (n - 1) / n * bytes / (bw_bytes * 0.8);
}

}  // namespace

TEST_CASE("the link efficiency is the documented 0.8") { CHECK(kLinkEfficiency == 0.8); }

TEST_CASE("one GPU never communicates") {
  for (double bytes : {0.0, 1e3, 1e9}) {
    CHECK(ring_allreduce_seconds(topo(1, 1), bytes, 4) == 0);
    CHECK(tree_allreduce_seconds(topo(1, 1), bytes, 4) == 0);
    CHECK(allreduce_seconds(topo(1, 1), bytes, 4) == 0);
  }
}

TEST_CASE("ring all-reduce inside one node matches the closed form") {
  for (int n : {2, 4, 8}) {
    for (double bytes : {1e3, 1e6, 187.2e6, 1e9}) {
      for (int messages : {1, 8}) {
        CAPTURE(n);
        CAPTURE(bytes);
        CAPTURE(messages);
        const double expected = ring_closed_form(n, kIntraUs * 1e-6, bytes, messages, kIntraGbps * 1e9);
        CHECK(ring_allreduce_seconds(topo(n, 1), bytes, messages) ==
              doctest::Approx(expected).epsilon(1e-12));
        // Inside one node NCCL uses the ring.
        CHECK(allreduce_seconds(topo(n, 1), bytes, messages) ==
              doctest::Approx(expected).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("ring across nodes uses the network bandwidth and the slower latency") {
  // 32 GPUs on 4 nodes: the node's 25 GB/s network is below the 150 GB/s link.
  const double bytes = 187.2e6;
  const double expected = ring_closed_form(32, kNetUs * 1e-6, bytes, 8, kNetGbps * 1e9);
  CHECK(ring_allreduce_seconds(topo(32, 4), bytes, 8) == doctest::Approx(expected).epsilon(1e-12));
  // With a network faster than the link, the link bounds it again.
  AllReduceTopology fast = topo(16, 2);
  fast.network_bandwidth_gbps = 8 * 400;
  const double link_bound = ring_closed_form(16, kNetUs * 1e-6, bytes, 8, kIntraGbps * 1e9);
  CHECK(ring_allreduce_seconds(fast, bytes, 8) == doctest::Approx(link_bound).epsilon(1e-12));
  // A slower network never makes the all-reduce faster.
  AllReduceTopology slow = topo(32, 4);
  slow.network_bandwidth_gbps = kNetGbps / 4;
  CHECK(allreduce_seconds(slow, bytes, 8) > allreduce_seconds(topo(32, 4), bytes, 8));
}

TEST_CASE("all-reduce time grows with bytes and with messages") {
  for (auto t : {topo(2, 1), topo(8, 1), topo(32, 4), topo(256, 32)}) {
    double previous = 0;
    for (double bytes : {0.0, 1e3, 1e5, 1e7, 1e9}) {
      const double ring = ring_allreduce_seconds(t, bytes, 4);
      const double tree = tree_allreduce_seconds(t, bytes, 4);
      const double best = allreduce_seconds(t, bytes, 4);
      CAPTURE(t.gpus);
      CAPTURE(bytes);
      CHECK(ring > previous);
      CHECK(best <= ring);
      CHECK(best <= tree + 1e-15);
      CHECK(best > 0);
      previous = ring;
    }
    CHECK(ring_allreduce_seconds(t, 1e6, 8) > ring_allreduce_seconds(t, 1e6, 1));
  }
}

TEST_CASE("tree beats ring for many nodes with small messages") {
  const AllReduceTopology t = topo(256, 32);
  const double bytes = 1e4;
  const double ring = ring_allreduce_seconds(t, bytes, 1);
  const double tree = tree_allreduce_seconds(t, bytes, 1);
  CHECK(tree < ring);
  CHECK(allreduce_seconds(t, bytes, 1) == doctest::Approx(tree));
  // Closed form: a chain of 7 inside each node and log2(32) = 5 levels across nodes, up and
  // down, plus twice the bytes at the bus bandwidth.
  const double depth_s = 7 * kIntraUs * 1e-6 + 5 * kNetUs * 1e-6;
  const double expected = 2 * depth_s + 2 * bytes / (kNetGbps * 1e9 * 0.8);
  CHECK(tree == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("ring beats tree for large messages") {
  const AllReduceTopology t = topo(32, 4);
  const double bytes = 1e9;
  CHECK(ring_allreduce_seconds(t, bytes, 1) < tree_allreduce_seconds(t, bytes, 1));
  CHECK(allreduce_seconds(t, bytes, 1) == doctest::Approx(ring_allreduce_seconds(t, bytes, 1)));
}

TEST_CASE("the exposed all-reduce lies between total/buckets and total") {
  for (double total : {1e-4, 0.01, 0.5, 3.0}) {
    for (double backward : {0.0, 1e-3, 0.1, 1.0, 100.0}) {
      for (int buckets : {1, 2, 8, 40}) {
        const double exposed = exposed_allreduce_seconds(total, backward, buckets);
        CAPTURE(total);
        CAPTURE(backward);
        CAPTURE(buckets);
        CHECK(exposed <= total * (1 + 1e-12));
        CHECK(exposed >= total / buckets * (1 - 1e-12));
      }
    }
  }
}

TEST_CASE("the exposed all-reduce at its limits") {
  // Nothing to overlap with: all of it is exposed.
  CHECK(exposed_allreduce_seconds(0.3, 0.0, 8) == doctest::Approx(0.3));
  // One bucket cannot start before backward ends.
  CHECK(exposed_allreduce_seconds(0.3, 10.0, 1) == doctest::Approx(0.3));
  // A long backward hides all but the last bucket.
  CHECK(exposed_allreduce_seconds(0.4, 10.0, 8) == doctest::Approx(0.05));
  // No all-reduce, nothing exposed.
  CHECK(exposed_allreduce_seconds(0.0, 1.0, 8) == 0);
  // More backward never exposes more.
  CHECK(exposed_allreduce_seconds(1.0, 0.5, 8) <= exposed_allreduce_seconds(1.0, 0.1, 8));
}
