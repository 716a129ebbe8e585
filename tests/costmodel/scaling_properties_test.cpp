// Pins down the cost model's monotonic properties (issue acceptance 4): more GPUs never
// increase the compute per epoch, whether the per-GPU or the global batch is held fixed;
// total time grows with resolution, images and epochs; and the five breakdown parts add up
// to total_seconds.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "trainplan/costmodel/estimate.hpp"

using trainplan::costmodel::Estimate;
using trainplan::costmodel::Scenario;
using trainplan::profiles::Catalog;

namespace {

const std::vector<int> kGpuCounts = {1, 2, 4, 8, 16, 32, 64, 128, 256};

// The COCO fine-tune of DESIGN section 1 on `gpus` V100s, 8 per server.
Scenario coco(int gpus, int global_batch) {
  Scenario s;
  s.model_id = "yolo-world-v2-l";
  s.gpu_id = "v100-sxm2-32gb";
  s.gpus = gpus;
  s.nodes = gpus > 8 ? gpus / 8 : 1;
  s.global_batch = global_batch;
  s.images = 118287;
  s.epochs = 10;
  s.texts_per_image = 80;
  s.eval_images = 5000;
  s.eval_interval_epochs = 5;
  return s;
}

double compute_per_epoch(const Estimate& e, const Scenario& s) {
  return e.breakdown.compute_s / s.epochs;
}

}  // namespace

TEST_CASE("more GPUs never increase compute per epoch at a fixed per-GPU batch") {
  const Catalog c = Catalog::embedded();
  for (const char* gpu : {"v100-sxm2-32gb", "a100-sxm4-80gb", "rtx-4090"}) {
    double previous = 0;
    for (int n : kGpuCounts) {
      Scenario s = coco(n, 16 * n);
      s.gpu_id = gpu;
      const double now = compute_per_epoch(estimate(c, s), s);
      CAPTURE(gpu);
      CAPTURE(n);
      CHECK(now > 0);
      if (previous > 0) CHECK(now <= previous * (1 + 1e-12));
      previous = now;
    }
  }
}

TEST_CASE("more GPUs never increase compute per epoch at a fixed global batch") {
  const Catalog c = Catalog::embedded();
  double previous = 0;
  for (int n : kGpuCounts) {
    Scenario s = coco(n, 512);
    const Estimate e = estimate(c, s);
    CAPTURE(n);
    CHECK(e.per_gpu_batch == 512 / n);
    const double now = compute_per_epoch(e, s);
    CHECK(now > 0);
    if (previous > 0) CHECK(now <= previous * (1 + 1e-12));
    previous = now;
  }
}

TEST_CASE("doubling the GPUs at a fixed per-GPU batch about halves compute per epoch") {
  const Catalog c = Catalog::embedded();
  Scenario four = coco(4, 64), eight = coco(8, 128);
  const double ratio =
      compute_per_epoch(estimate(c, eight), eight) / compute_per_epoch(estimate(c, four), four);
  CHECK(ratio == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("total time grows with resolution") {
  const Catalog c = Catalog::embedded();
  double previous = 0;
  for (const char* text : {"320", "480", "640", "800", "1024", "1280"}) {
    Scenario s = coco(8, 128);
    s.resolution = trainplan::profiles::parse_resolution(text, "test");
    const double now = estimate(c, s).total_seconds;
    CAPTURE(text);
    CHECK(now > previous);
    previous = now;
  }
  Scenario wide = coco(8, 128), square = coco(8, 128);
  wide.resolution = {1333, 800};
  square.resolution = {800, 800};
  CHECK(estimate(c, wide).total_seconds > estimate(c, square).total_seconds);
}

TEST_CASE("total time grows with images and with epochs") {
  const Catalog c = Catalog::embedded();
  double previous = 0;
  for (double images : {1000.0, 10000.0, 118287.0, 1378880.0}) {
    Scenario s = coco(8, 128);
    s.images = images;
    const double now = estimate(c, s).total_seconds;
    CAPTURE(images);
    CHECK(now > previous);
    previous = now;
  }
  previous = 0;
  for (double epochs : {1.0, 2.0, 10.0, 80.0, 300.0}) {
    Scenario s = coco(8, 128);
    s.epochs = epochs;
    const double now = estimate(c, s).total_seconds;
    CAPTURE(epochs);
    CHECK(now > previous);
    previous = now;
  }
}

TEST_CASE("the breakdown parts add up to total_seconds") {
  const Catalog c = Catalog::embedded();
  std::vector<Scenario> scenarios;
  for (int n : kGpuCounts) scenarios.push_back(coco(n, 16 * n));
  Scenario small = coco(1, 64);
  small.model_id = "yolov5-n";
  small.eval_images = 0;
  scenarios.push_back(small);
  Scenario fp32 = coco(2, 8);
  fp32.amp = false;
  fp32.resolution = {1280, 1280};
  scenarios.push_back(fp32);
  Scenario starved = coco(8, 128);
  starved.cpu_cores_per_gpu = 0.25;  // the input pipeline cannot keep up
  scenarios.push_back(starved);
  for (const auto& s : scenarios) {
    const Estimate e = estimate(c, s);
    CAPTURE(s.model_id);
    CAPTURE(s.gpus);
    const auto& b = e.breakdown;
    for (double part : {b.compute_s, b.comm_exposed_s, b.data_s, b.eval_s, b.overhead_s})
      CHECK(part >= 0);
    CHECK(b.compute_s + b.comm_exposed_s + b.data_s + b.eval_s + b.overhead_s ==
          doctest::Approx(e.total_seconds).epsilon(1e-9));
    CHECK(e.iters_per_epoch * s.global_batch >= s.images);
    CHECK(e.gpu_hours == doctest::Approx(e.total_seconds * s.gpus / 3600).epsilon(1e-9));
  }
  // The starved loader shows up as data wait.
  CHECK(estimate(c, starved).breakdown.data_s > 0);
}
