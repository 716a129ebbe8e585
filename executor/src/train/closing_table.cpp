#include "closing_table.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"

namespace trainplan::executor {

double predict_local_seconds(const ExecStage& s, int world) {
  try {
    static const auto catalog = profiles::Catalog::embedded();
    costmodel::Scenario sc;
    sc.model_id = "trainplan-" + s.model_size;
    sc.gpu_id = "cpu";
    sc.gpus = world;
    sc.global_batch = s.global_batch;
    sc.resolution = {double(s.image_size), double(s.image_size)};
    // Counts from the index caches: no image file is opened.
    sc.images = double(data::coco_image_count(train_split(s).annotations));
    sc.epochs = s.epochs;
    sc.amp = false;
    sc.mosaic = false;
    sc.framework_id = "libtorch-cpu";
    sc.source_image_pixels = double(s.image_size) * s.image_size;
    sc.eval_images = double(data::coco_image_count(eval_split(s).annotations));
    sc.optimizer = s.optimizer;
    sc.cpu_cores_per_gpu = 1;
    return costmodel::estimate(catalog, sc).total_seconds;
  } catch (const std::exception&) {
    return 0;  // no profile for this model: nothing to compare with
  }
}

void print_closing_table(const std::vector<StageReport>& reports) {
  std::printf("\n%-28s %10s %10s %8s %8s %10s\n", "stage", "predicted", "measured", "ratio",
              "steps", "mAP@0.5");
  for (const auto& r : reports) {
    const double p = r.stage.predicted_seconds, m = r.result.seconds;
    std::printf("%-28s %10s %9.1fs %8s %8lld %10.3f\n", r.stage.id.c_str(),
                p > 0 ? fmt::format("{:.1f}s", p).c_str() : "-", m,
                p > 0 ? fmt::format("{:.2f}", m / p).c_str() : "-", (long long)r.result.steps,
                r.result.map50);
  }
  std::fflush(stdout);
}

}  // namespace trainplan::executor
