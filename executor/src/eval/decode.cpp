// Decoding head outputs into detections.
#include "trainplan/executor/eval/decode.hpp"

#include <algorithm>

#include "trainplan/executor/eval/nms.hpp"

namespace trainplan::executor {

std::vector<std::vector<Detection>> decode_detections(const HeadOutput& head,
                                                      const DecodeOptions& options,
                                                      int first_image_id) {
  torch::NoGradGuard no_grad;
  const int64_t num_classes = head.cls_logits.size(2);
  const torch::Tensor scores =
      torch::sigmoid(head.cls_logits.detach()).to(torch::kCPU, torch::kFloat32).contiguous();
  const torch::Tensor points = head.anchor_points.detach().to(torch::kCPU, torch::kFloat64);
  const torch::Tensor dist = head.box_distances.detach().to(torch::kCPU, torch::kFloat64);
  std::vector<std::vector<Detection>> out;
  for (int64_t b = 0; b < scores.size(0); ++b) {
    // Candidates: flattened (anchor, class) pairs above the threshold.
    const torch::Tensor flat = scores[b].reshape(-1);
    torch::Tensor index = (flat > options.score_threshold).nonzero().squeeze(1);
    if (index.numel() > options.max_candidates) {
      const torch::Tensor top =
          std::get<1>(flat.index_select(0, index).topk(options.max_candidates));
      // Back to ascending flat order: topk's order among equal scores is unspecified.
      index = std::get<0>(index.index_select(0, top).sort());
    }
    const auto idx = index.accessor<int64_t, 1>();
    const auto s = flat.accessor<float, 1>();
    const auto p = points.accessor<double, 2>();
    const torch::Tensor image_dist = dist[b];
    const auto d = image_dist.accessor<double, 2>();
    std::vector<Detection> candidates;
    candidates.reserve(static_cast<size_t>(index.numel()));
    for (int64_t i = 0; i < index.numel(); ++i) {
      const int64_t a = idx[i] / num_classes;
      Detection det;
      det.image = first_image_id + static_cast<int>(b);
      det.class_id = static_cast<int>(idx[i] % num_classes);
      det.score = s[idx[i]];
      det.box = Box{p[a][0] - d[a][0], p[a][1] - d[a][1], p[a][0] + d[a][2], p[a][1] + d[a][3]};
      candidates.push_back(det);
    }
    // Candidates are in flat (anchor, class) order; the NMS's stable sort keeps that order
    // among equal scores, so the result does not depend on how ties are broken.
    out.push_back(class_aware_nms(std::move(candidates), options.nms_iou, options.max_det));
  }
  return out;
}

std::vector<std::vector<Detection>> decode_detections(const HeadOutput& head,
                                                      double score_threshold, double nms_iou,
                                                      int max_det) {
  DecodeOptions options;
  options.score_threshold = score_threshold;
  options.nms_iou = nms_iou;
  options.max_det = max_det;
  return decode_detections(head, options);
}

}  // namespace trainplan::executor
