#pragma once
// Expected quality of a strategy's result, from the published table (profiles/data/
// quality.json) with documented adjustments for epochs, resolution and frozen parts.
#include <optional>
#include <string>

#include "trainplan/planner/plan.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner {

/// What the quality look-up needs to know about a plan's final model.
struct QualityQuery {
  std::string model;
  std::string strategy;      ///< zero-shot, prompt-tune, finetune, finetune-frozen-backbone,
                             ///< highres-finetune, progressive, pretrain
  std::string eval_dataset;  ///< coco-val2017 or lvis-minival
  double resolution = 640;
  double epochs = 0;         ///< of the final fine-tune (0 = the published schedule)
};

/// "quality 53.9 AP on coco-val2017"; for the asker's own data "quality on your data: unknown;
/// the same recipe gives 53.9 AP on coco-val2017"; "quality unknown (...)" when nothing is
/// published.
std::string quality_summary(const std::optional<ExpectedQuality>& quality);

/// AP lost by training `epochs` instead of a published `reference_epochs` (0 when not fewer):
/// the published fine-tune schedule ablation, per halving (docs/costmodel.md, quality).
double shorter_schedule_ap(const profiles::Catalog& catalog, double reference_epochs, double epochs);

/// The expected AP with its basis and source, or nothing when no published figure applies.
std::optional<ExpectedQuality> expected_quality(const profiles::Catalog& catalog,
                                                const QualityQuery& query);

}  // namespace trainplan::planner
