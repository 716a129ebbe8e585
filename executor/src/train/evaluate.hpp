#pragma once
// COCO evaluation of a detector on a validation split, in the pixels of the original images.
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/eval/coco_map.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/model/detector.hpp"

namespace trainplan::executor {

/// COCO's figures (coco_map) for `model` (put in eval mode) on every image of `val`, computed
/// on every rank: rank r runs images r, r + W, ... (eval mode: no collective in the model),
/// maps its detections back to original pixels and takes the ground truths (crowd regions and
/// COCO areas included) from `val`'s records; the records are gathered, so the figures equal
/// one process's over all images.
MapResult evaluate(Detector& model, const data::CocoDataset& val, int image_size,
                   Communicator& comm);

}  // namespace trainplan::executor
