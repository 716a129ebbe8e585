#pragma once
// Distributed evaluation's one collective step: every rank's detections and ground truths,
// gathered to every rank in a canonical order, so that COCO mAP over the gathered lists is
// exactly what one process evaluating every image computes (mmengine's collect_results).
#include <vector>

#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/eval/detection.hpp"

namespace trainplan::executor {

/// What every rank evaluated.
struct EvaluationRecords {
  std::vector<Detection> detections;
  std::vector<GroundTruth> truths;
};

/// Gathers every rank's `mine` to all ranks. Image ids must be global (the dataset index), and
/// each image evaluated by one rank only. The result is ordered by image id (stable: within an
/// image, the order that rank produced), the order of a single process that evaluates the
/// images in id order. A world of one returns `mine` in that order. Two collectives (the
/// counts, then the records padded to the largest count).
EvaluationRecords gather_evaluation(EvaluationRecords mine, Communicator& comm);

}  // namespace trainplan::executor
