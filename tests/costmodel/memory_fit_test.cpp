// Pins down the memory fit: a per-GPU batch too big for one pass at 1280 on a 16 GB card is
// split into micro-batches (per_gpu_batch == micro_batch * accumulation_steps) and the full
// batch is reported as not fitting in one pass; a model of which not even one image fits
// sets fits_memory false (and is still estimated); the planned memory stays within capacity.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "trainplan/costmodel/estimate.hpp"

using trainplan::costmodel::Estimate;
using trainplan::costmodel::Scenario;
using trainplan::profiles::Catalog;

namespace {

Scenario on_16gb(const char* model, int per_gpu_batch, double side) {
  Scenario s;
  s.model_id = model;
  s.gpu_id = "v100-sxm2-16gb";
  s.gpus = 1;
  s.global_batch = per_gpu_batch;
  s.resolution = {side, side};
  s.images = 10000;
  s.epochs = 1;
  s.texts_per_image = 80;
  return s;
}

void check_consistent(const Estimate& e, double card_gb = 16) {
  CHECK(e.per_gpu_batch >= 1);
  CHECK(e.accumulation_steps >= 1);
  if (e.fits_memory) {
    CHECK(e.micro_batch >= 1);
    CHECK(e.micro_batch <= e.per_gpu_batch);
    CHECK(e.per_gpu_batch == e.micro_batch * e.accumulation_steps);
    CHECK(e.memory.total_gb <= e.memory.capacity_gb);
  } else {
    CHECK(e.micro_batch == 0);
    CHECK(e.memory.total_gb > e.memory.capacity_gb);
  }
  CHECK(e.memory.capacity_gb > 0);
  CHECK(e.memory.capacity_gb <= card_gb + 1e-9);
}

}  // namespace

TEST_CASE("a huge per-GPU batch at 1280 on a 16 GB card does not fit in one pass") {
  const Catalog c = Catalog::embedded();
  for (const char* model : {"yolo-world-v2-l", "yolo-world-v2-x", "yolov8-l"}) {
    CAPTURE(model);
    const Estimate e = estimate(c, on_16gb(model, 256, 1280));
    check_consistent(e);
    CHECK(e.per_gpu_batch == 256);
    CHECK(e.micro_batch < 256);
    CHECK(e.accumulation_steps > 1);
    // Holding all 256 images' activations at once would need far more than the card has.
    CHECK(e.memory.activations_gb / std::max(1, e.micro_batch) * 256 > e.memory.capacity_gb);
  }
}

TEST_CASE("fits_memory is false when not even one image fits") {
  Catalog c = Catalog::embedded();
  // A detector keeping 5 GB of activations per 640 image: 20 GB per image at 1280.
  c.merge(nlohmann::json{{"models", {{{"id", "memory-hog"},
                                      {"params_m", 50.0},
                                      {"gflops", 200.0},
                                      {"gflops_resolution", 640},
                                      {"activation_mb", 5000.0}}}}},
          "test");
  const Estimate e = estimate(c, on_16gb("memory-hog", 256, 1280));
  check_consistent(e);
  CHECK_FALSE(e.fits_memory);
  // It is still estimated as if one image fitted, so the user sees a time.
  CHECK(e.seconds_per_iter > 0);
  CHECK(e.total_seconds > 0);
  // The same model fits on an 80 GB card.
  Scenario big = on_16gb("memory-hog", 256, 1280);
  big.gpu_id = "a100-sxm4-80gb";
  const Estimate f = estimate(c, big);
  check_consistent(f, 80);
  CHECK(f.fits_memory);
}

TEST_CASE("an embedded YOLO-World model at 2560 on a 16 GB card does not fit") {
  const Catalog c = Catalog::embedded();
  const Estimate e = estimate(c, on_16gb("yolo-world-v2-x", 16, 2560));
  check_consistent(e);
  CHECK_FALSE(e.fits_memory);
}

TEST_CASE("the published fine-tune batch fits in one pass on a 32 GB V100") {
  const Catalog c = Catalog::embedded();
  Scenario s = on_16gb("yolo-world-v2-l", 16, 640);
  s.gpu_id = "v100-sxm2-32gb";
  const Estimate e = estimate(c, s);
  check_consistent(e, 32);
  CHECK(e.fits_memory);
  CHECK(e.micro_batch == 16);
  CHECK(e.accumulation_steps == 1);
}

TEST_CASE("micro-batches divide the per-GPU batch for every batch size") {
  const Catalog c = Catalog::embedded();
  for (int batch : {1, 2, 3, 7, 16, 24, 50, 97, 128, 256}) {
    for (double side : {640.0, 1280.0}) {
      CAPTURE(batch);
      CAPTURE(side);
      check_consistent(estimate(c, on_16gb("yolo-world-v2-l", batch, side)));
    }
  }
}

TEST_CASE("more memory per card never lowers the micro-batch") {
  const Catalog c = Catalog::embedded();
  int previous = 0;
  for (const char* gpu : {"v100-sxm2-16gb", "v100-sxm2-32gb", "a100-sxm4-80gb", "h200-sxm-141gb"}) {
    Scenario s = on_16gb("yolo-world-v2-l", 256, 1280);
    s.gpu_id = gpu;
    const Estimate e = estimate(c, s);
    CAPTURE(gpu);
    check_consistent(e, c.gpu(gpu).memory_gb);
    CHECK(e.micro_batch >= previous);
    previous = e.micro_batch;
  }
  CHECK(previous > 4);
}
