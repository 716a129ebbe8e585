#pragma once
// COCO-style evaluation of a detector on a validation split, in letterboxed pixels.
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/eval/coco_map.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/model/detector.hpp"

namespace trainplan::executor {

/// mAP@0.5 and mAP@0.5:0.95 of `model` (put in eval mode) on every image of `val`, computed on
/// every rank: rank r runs images r, r + W, ... (eval mode: no collective in the model), and
/// the detections are gathered, so the figures equal one process's over all images.
MapResult evaluate(Detector& model, const data::CocoDataset& val, int image_size,
                   Communicator& comm);

}  // namespace trainplan::executor
