#include "evaluate.hpp"

#include <numeric>

#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/eval/decode.hpp"

namespace trainplan::executor {

MapResult evaluate(Detector& model, const data::CocoDataset& val, int image_size) {
  constexpr int kBatch = 16;
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<size_t> all(val.images.size());
  std::iota(all.begin(), all.end(), 0);
  data::LoaderOptions lo;
  lo.batch_size = kBatch;
  lo.image_size = image_size;
  lo.augment = data::AugmentOptions::evaluation();
  lo.workers = 1;
  data::BatchLoader loader(val, all, lo);
  std::vector<Detection> detections;
  std::vector<GroundTruth> truths;
  int first = 0;
  while (auto batch = loader.next()) {
    auto images = torch::from_blob(batch->images.data(), {batch->count, 3, batch->size, batch->size},
                                   torch::kFloat32);
    DecodeOptions options;
    auto per_image = decode_detections(model->forward(images), options, first);
    for (const auto& list : per_image) detections.insert(detections.end(), list.begin(), list.end());
    for (const auto& t : batch->targets) {
      // t: index-in-batch, class, cx, cy, w, h (letterboxed pixels, as the predictions)
      GroundTruth g;
      g.image = first + int(t[0]);
      g.class_id = int(t[1]);
      g.box = {t[2] - t[4] / 2, t[3] - t[5] / 2, t[2] + t[4] / 2, t[3] + t[5] / 2};
      truths.push_back(g);
    }
    first += batch->count;
  }
  return coco_map(detections, truths, int(val.class_names.size()));
}

}  // namespace trainplan::executor
