#include "local_prediction.hpp"

#include "trainplan/executor/data/coco_dataset.hpp"

namespace trainplan::executor {

const profiles::Catalog& local_catalog() {
  static const auto catalog = profiles::Catalog::embedded();
  return catalog;
}

costmodel::Scenario local_scenario(const ExecStage& s, int world) {
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
  return sc;
}

double predict_local_seconds(const ExecStage& s, int world) {
  try {
    return costmodel::estimate(local_catalog(), local_scenario(s, world)).total_seconds;
  } catch (const std::exception&) {
    return 0;  // no profile for this model: nothing to compare with
  }
}

}  // namespace trainplan::executor
