#include "trainplan/planner/quality.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace trainplan::planner {

namespace {

// Share of the detector that a frozen-backbone fine-tune still trains (neck and head); its AP
// is interpolated between prompt tuning (embeddings only) and a full fine-tune by this share.
constexpr double kNeckAndHeadShare = 0.55;

const profiles::QualityRecord* find(const profiles::Catalog& c, const std::string& model,
                                    const std::string& strategy, const std::string& eval,
                                    double resolution, double epochs = 0) {
  const profiles::QualityRecord* best = nullptr;
  for (const auto& q : c.quality()) {
    if (q.model != model || q.strategy != strategy || q.eval_dataset != eval ||
        q.resolution != resolution)
      continue;
    // The first record wins, unless a later one matches the asked epochs exactly.
    if (!best || (epochs > 0 && q.epochs == epochs && best->epochs != epochs)) best = &q;
  }
  return best;
}

// AP lost per halving of the fine-tune schedule: YOLO-World-v2-L on COCO reaches 53.9 AP in
// 80 epochs and 52.8 in 40 (configs/finetune_coco/README.md), 1.1 AP per halving.
double epochs_adjustment(const profiles::Catalog& c, const QualityQuery& q, double published) {
  if (q.epochs <= 0 || published <= 0 || q.epochs >= published) return 0;
  const auto* long_run = find(c, "yolo-world-v2-l", "finetune", "coco-val2017", 640, 80);
  const auto* short_run = find(c, "yolo-world-v2-l", "finetune", "coco-val2017", 640, 40);
  double per_halving = 1.1;
  if (long_run && short_run && long_run->epochs == 80 && short_run->epochs == 40)
    per_halving = long_run->value - short_run->value;
  return -per_halving * std::log2(published / q.epochs);
}

// AP gained per doubling of the input: the published 640 -> 1280 zero-shot gain on LVIS
// minival for this model (v2-L: 33.0 -> 34.6), or v2-L's when the model has none.
double resolution_adjustment(const profiles::Catalog& c, const QualityQuery& q) {
  if (q.resolution == 640) return 0;
  auto gain_of = [&](const std::string& model) -> std::optional<double> {
    const auto* low = find(c, model, "zero-shot", "lvis-minival", 640);
    const auto* high = find(c, model, "highres-finetune", "lvis-minival", 1280);
    if (!low || !high) return std::nullopt;
    return high->value - low->value;
  };
  double per_doubling = gain_of(q.model).value_or(gain_of("yolo-world-v2-l").value_or(1.6));
  return per_doubling * std::log2(q.resolution / 640.0);
}

ExpectedQuality make(const profiles::QualityRecord& r, double value, std::string basis) {
  ExpectedQuality e;
  e.metric = r.metric;
  e.dataset = r.eval_dataset;
  e.value = std::round(value * 10) / 10;
  e.basis = std::move(basis);
  e.source = r.source;
  return e;
}

// A full fine-tune's AP on `eval`, falling back to the zero-shot AP plus the COCO fine-tune
// gain when the table has no fine-tune result on that data set.
std::optional<ExpectedQuality> finetune_quality(const profiles::Catalog& c, const QualityQuery& q) {
  if (const auto* r = find(c, q.model, "finetune", q.eval_dataset, 640)) {
    double published_epochs = r->epochs > 0 ? r->epochs : 80;
    double v = r->value + epochs_adjustment(c, q, published_epochs) + resolution_adjustment(c, q);
    return make(*r, v, fmt::format("published {} fine-tune: {:.1f} AP in {:g} epochs at 640{}{}",
                                   q.model, r->value, published_epochs,
                                   q.epochs > 0 && q.epochs < published_epochs
                                       ? fmt::format("; {:g} epochs", q.epochs) : "",
                                   q.resolution != 640 ? fmt::format("; input {:g}", q.resolution) : ""));
  }
  const auto* zs = find(c, q.model, "zero-shot", q.eval_dataset, 640);
  const auto* ft_coco = find(c, q.model, "finetune", "coco-val2017", 640);
  const auto* zs_coco = find(c, q.model, "zero-shot", "coco-val2017", 640);
  if (!zs || !ft_coco || !zs_coco) return std::nullopt;
  double gain = ft_coco->value - zs_coco->value;
  double v = zs->value + gain + epochs_adjustment(c, q, 80) + resolution_adjustment(c, q);
  return make(*zs, v, fmt::format("no published fine-tune on {}: zero-shot {:.1f} AP plus the "
                                  "COCO fine-tune gain {:+.1f}",
                                  q.eval_dataset, zs->value, gain));
}

}  // namespace

double shorter_schedule_ap(const profiles::Catalog& c, double reference_epochs, double epochs) {
  QualityQuery q;
  q.epochs = epochs;
  return -epochs_adjustment(c, q, reference_epochs);
}

std::string quality_summary(const std::optional<ExpectedQuality>& q) {
  if (!q) return "quality unknown (no published result for this model and strategy)";
  if (q->reference_only)
    return fmt::format("quality on your data: unknown; the same recipe gives {:.1f} {} on {}",
                       q->value, q->metric, q->dataset);
  return fmt::format("quality {:.1f} {} on {}", q->value, q->metric, q->dataset);
}

std::optional<ExpectedQuality> expected_quality(const profiles::Catalog& c, const QualityQuery& q) {
  if (q.strategy == "zero-shot") {
    const auto* r = find(c, q.model, "zero-shot", q.eval_dataset, 640);
    if (!r) return std::nullopt;
    return make(*r, r->value, fmt::format("published {} zero-shot: {:.1f} AP", q.model, r->value));
  }
  if (q.strategy == "finetune" || q.strategy == "pretrain" || q.strategy == "progressive" ||
      q.strategy == "highres-finetune")
    return finetune_quality(c, q);
  if (q.strategy == "prompt-tune" || q.strategy == "finetune-frozen-backbone") {
    auto full = finetune_quality(c, q);
    if (!full) return std::nullopt;
    // Prompt tuning keeps the detector frozen; its published COCO result for v2-L (47.9 AP vs
    // 53.9 for a full fine-tune) gives the ratio used for other sizes and data sets.
    const auto* pt = find(c, q.model, "prompt-tune", "coco-val2017", 640);
    const auto* pt_l = find(c, "yolo-world-v2-l", "prompt-tune", "coco-val2017", 640);
    const auto* ft_l = find(c, "yolo-world-v2-l", "finetune", "coco-val2017", 640, 80);
    double ratio = (pt_l && ft_l) ? pt_l->value / ft_l->value : 0.89;
    double prompt = (pt && q.eval_dataset == "coco-val2017")
                        ? pt->value + epochs_adjustment(c, q, pt->epochs > 0 ? pt->epochs : 80)
                        : full->value * ratio;
    if (q.strategy == "prompt-tune") {
      full->value = std::round(prompt * 10) / 10;
      full->basis = fmt::format("published prompt tuning (class embeddings only): {:.1f} AP", prompt);
      if (pt) full->source = pt->source;
      return full;
    }
    double v = prompt + kNeckAndHeadShare * (full->value - prompt);
    full->basis = fmt::format("between prompt tuning ({:.1f}) and a full fine-tune ({:.1f}) by "
                              "the trained share of the detector ({:.0f}%)",
                              prompt, full->value, 100 * kNeckAndHeadShare);
    full->value = std::round(v * 10) / 10;
    return full;
  }
  return std::nullopt;
}

}  // namespace trainplan::planner
