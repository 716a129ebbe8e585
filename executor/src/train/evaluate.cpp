#include "evaluate.hpp"

#include <algorithm>

#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/eval/decode.hpp"
#include "trainplan/executor/eval/gather.hpp"

namespace trainplan::executor {
namespace {

/// A detection of a letterboxed input, mapped back to the pixels of its original image and
/// clipped to it (the grey border is not part of the image; ground truths are clipped too).
Detection to_original(Detection d, const data::ImageRecord& record, float scale, float pad_x,
                      float pad_y) {
  const Box& b = d.box;
  const auto xywh = data::to_original_xywh(
      {float((b.x1 + b.x2) / 2), float((b.y1 + b.y2) / 2), float(b.x2 - b.x1), float(b.y2 - b.y1)},
      scale, pad_x, pad_y);
  const auto clip = [](double v, int side) { return std::clamp(v, 0.0, double(side)); };
  d.box = {clip(xywh[0], record.width), clip(xywh[1], record.height),
           clip(double(xywh[0]) + xywh[2], record.width),
           clip(double(xywh[1]) + xywh[3], record.height)};
  return d;
}

/// The image's objects and crowd regions as the dataset has them: original pixels and COCO's
/// own areas, so that S/M/L follow COCO's definition (not the letterboxed, resized boxes, from
/// which the loader also drops boxes under 2 px).
void add_truths(const data::ImageRecord& record, int image, std::vector<GroundTruth>& out) {
  for (const auto* boxes : {&record.boxes, &record.crowd}) {
    for (const data::Box& b : *boxes) {
      GroundTruth g;
      g.image = image;
      g.class_id = b.category;
      g.box = {b.x, b.y, double(b.x) + b.w, double(b.y) + b.h};
      g.area = b.area;  // 0 when the file has none: range_area() then uses w * h
      g.crowd = boxes == &record.crowd;
      out.push_back(g);
    }
  }
}

}  // namespace

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
  lo.augment = data::AugmentOptions::evaluation();  // no flip: to_original needs none undone
  lo.workers = 1;
  data::BatchLoader loader(val, mine, lo);
  const auto parameters = model->parameters();
  const torch::Device device = parameters.empty() ? torch::kCPU : parameters[0].device();
  EvaluationRecords records;
  size_t first = 0;  // position in `mine` of the batch's first image
  while (auto batch = loader.next()) {
    auto images = torch::from_blob(batch->images.data(),
                                   {batch->count, 3, batch->size, batch->size}, torch::kFloat32)
                      .to(device);
    DecodeOptions options;
    // Decoded on the CPU (NMS and the records are host work).
    const HeadOutput out = model->forward(images);
    auto per_image = decode_detections(
        HeadOutput{out.cls_logits.cpu(), out.box_distances.cpu(), out.anchor_points.cpu(),
                   out.strides.cpu()},
        options);
    for (size_t j = 0; j < per_image.size(); ++j) {
      // Image ids are dataset indices, the same whichever rank evaluates the image.
      const size_t index = mine[first + j];
      const data::ImageRecord& record = val.images[index];
      for (const Detection& d : per_image[j]) {
        Detection o = to_original(d, record, batch->scales[j], batch->pad_x[j], batch->pad_y[j]);
        o.image = int(index);
        records.detections.push_back(o);
      }
      add_truths(record, int(index), records.truths);
    }
    first += size_t(batch->count);
    note_progress();
  }
  const EvaluationRecords all = gather_evaluation(std::move(records), comm);
  return coco_map(all.detections, all.truths, int(val.class_names.size()));
}

}  // namespace trainplan::executor
