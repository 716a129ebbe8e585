#include "evaluate.hpp"

#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/eval/decode.hpp"
#include "trainplan/executor/eval/gather.hpp"

namespace trainplan::executor {

MapResult evaluate(Detector& model, const data::CocoDataset& val, int image_size,
                   Communicator& comm) {
  constexpr int kBatch = 16;
  ScopedPhase evaluating(Phase::evaluation);
  torch::NoGradGuard no_grad;
  model->eval();
  // This rank's share, without the padding of training's sampler (no image counted twice).
  std::vector<size_t> mine;
  for (size_t i = size_t(comm.rank()); i < val.images.size(); i += size_t(comm.world_size()))
    mine.push_back(i);
  data::LoaderOptions lo;
  lo.batch_size = kBatch;
  lo.image_size = image_size;
  lo.augment = data::AugmentOptions::evaluation();
  lo.workers = 1;
  data::BatchLoader loader(val, mine, lo);
  EvaluationRecords records;
  size_t first = 0;  // position in `mine` of the batch's first image
  while (auto batch = loader.next()) {
    auto images = torch::from_blob(batch->images.data(), {batch->count, 3, batch->size, batch->size},
                                   torch::kFloat32);
    DecodeOptions options;
    auto per_image = decode_detections(model->forward(images), options);
    // Image ids are dataset indices, the same whichever rank evaluates the image.
    for (size_t j = 0; j < per_image.size(); ++j) {
      for (Detection d : per_image[j]) {
        d.image = int(mine[first + j]);
        records.detections.push_back(d);
      }
    }
    for (const auto& t : batch->targets) {
      // t: index-in-batch, class, cx, cy, w, h (letterboxed pixels, as the predictions)
      GroundTruth g;
      g.image = int(mine[first + size_t(t[0])]);
      g.class_id = int(t[1]);
      g.box = {t[2] - t[4] / 2, t[3] - t[5] / 2, t[2] + t[4] / 2, t[3] + t[5] / 2};
      records.truths.push_back(g);
    }
    first += size_t(batch->count);
    note_progress();
  }
  const EvaluationRecords all = gather_evaluation(std::move(records), comm);
  return coco_map(all.detections, all.truths, int(val.class_names.size()));
}

}  // namespace trainplan::executor
