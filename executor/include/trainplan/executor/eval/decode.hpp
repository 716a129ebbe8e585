#pragma once
// From head outputs to per-image detections: score threshold, box decoding, class-aware NMS.
#include <torch/torch.h>

#include <vector>

#include "trainplan/executor/eval/detection.hpp"
#include "trainplan/executor/model/head.hpp"

namespace trainplan::executor {

/// Post-processing settings (the usual COCO-evaluation values of YOLOv8 / YOLO-World).
struct DecodeOptions {
  /// Keep (anchor, class) pairs with sigmoid score above this.
  double score_threshold = 0.001;
  /// Class-aware NMS: suppress a box whose IoU with a better box of its class is above this.
  double nms_iou = 0.6;
  /// Detections kept per image after NMS.
  int max_det = 100;
  /// Highest-scoring (anchor, class) pairs per image that enter NMS; bounds NMS's quadratic
  /// cost when a young model scores everything above the threshold.
  int max_candidates = 3000;
};

/// Per image of the batch, its detections sorted by decreasing score; boxes are anchor point
/// -/+ distances (x1 = x - l, y1 = y - t, x2 = x + r, y2 = y + b) in input pixels. Image i of
/// the batch gets Detection::image = first_image_id + i. Runs without gradient.
std::vector<std::vector<Detection>> decode_detections(const HeadOutput& head,
                                                      const DecodeOptions& options = {},
                                                      int first_image_id = 0);

/// The same with the brief's positional parameters: score threshold, NMS IoU, max per image.
std::vector<std::vector<Detection>> decode_detections(const HeadOutput& head,
                                                      double score_threshold, double nms_iou = 0.6,
                                                      int max_det = 100);

}  // namespace trainplan::executor
