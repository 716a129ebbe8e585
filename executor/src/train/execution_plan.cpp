#include "trainplan/executor/execution_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "trainplan/error.hpp"
#include "trainplan/planner/plan_graph.hpp"

namespace trainplan::executor {

namespace {

// Synthetic stand-ins: the pre-training corpus has more classes and images than a target.
constexpr int kCorpusClasses = 5, kCorpusImages = 480, kTargetClasses = 3, kTargetImages = 240;
// Learning rates for the tiny detector on synthetic shapes (the plan's are for large models
// and large batches): AdamW at these values converges in a few epochs.
constexpr double kLocalPretrainLr = 2e-3, kLocalFinetuneLr = 1e-3;

bool is_pretraining(const planner::PlanStage& s) { return s.kind == "pretrain" || s.kind == "progressive"; }

std::string size_of_model(const std::string& model, const std::string& where) {
  auto dash = model.find_last_of('-');
  std::string suffix = dash == std::string::npos ? model : model.substr(dash + 1);
  if (suffix == "tiny" || suffix == "n" || suffix == "s") return suffix;
  throw InputError(fmt::format("{}: model \"{}\": the executor builds tiny, n and s detectors; "
                               "run with --scale-to-local, or plan for a -s or -n model",
                               where, model));
}

/// Micro-batches per step so that each holds at most `micro_batch` images (the most the
/// plan's memory model fits on one GPU; 0 = no limit): the fewest equal parts of `per_rank`.
int accumulation_for(int per_rank, int micro_batch) {
  if (micro_batch <= 0 || micro_batch >= per_rank) return 1;
  for (int parts = (per_rank + micro_batch - 1) / micro_batch; parts < per_rank; ++parts)
    if (per_rank % parts == 0) return parts;
  return per_rank;
}

// Finds the stage's trained split (the one its id names, else train) and evaluated split (its
// eval_dataset's, else the val split of its own data set) in any known layout.
void locate_data(ExecStage& e, const MappingOptions& o, const std::string& where) {
  const data::DataSources sources = data::data_sources(o.data, o.data_root);
  e.data_dir = data::dataset_folder(e.dataset, sources);
  e.train_data = data::locate_split(e.dataset, data::split_of_id(e.dataset, data::SplitKind::train),
                                    sources, where + ": dataset");
  e.eval_data = e.eval_dataset.empty()
                    ? data::locate_split(e.dataset, data::SplitKind::val, sources, where + ": dataset")
                    : data::locate_split(e.eval_dataset,
                                         data::split_of_id(e.eval_dataset, data::SplitKind::val),
                                         sources, where + ": eval_dataset");
}

}  // namespace

data::DataSplit train_split(const ExecStage& s) {
  return s.train_data.annotations.empty() ? data::synthetic_split(s.data_dir, data::SplitKind::train)
                                          : s.train_data;
}

data::DataSplit eval_split(const ExecStage& s) {
  return s.eval_data.annotations.empty() ? data::synthetic_split(s.data_dir, data::SplitKind::val)
                                         : s.eval_data;
}

ExecutionPlan map_plan(const planner::Plan& plan, const MappingOptions& o) {
  ExecutionPlan out;
  out.name = plan.name;
  const std::string corpus_dir = o.work_dir + "/data/corpus";
  const std::string target_dir = o.work_dir + "/data/target";
  bool need_corpus = false, need_target = false;
  for (size_t index : planner::topological_order(plan)) {
    const auto& s = plan.stages[index];
    // A zero-shot stage trains nothing: the trainer evaluates its init's weights on the
    // stage's data (scaled: the synthetic target, the task the weights are used for as they are).
    const bool evaluation_only = s.kind == "zero-shot";
    const std::string where = fmt::format("plan stage \"{}\"", s.id);
    ExecStage e;
    e.id = s.id;
    e.kind = s.kind;
    e.init = s.init;
    e.depends_on = s.depends_on;
    e.dataset = s.dataset;
    e.eval_dataset = s.eval_dataset;
    e.trainable = s.trainable;
    e.optimizer = s.optimizer.type;
    e.weight_decay = s.optimizer.weight_decay;
    e.momentum = s.optimizer.momentum > 0 ? s.optimizer.momentum : 0.9;
    e.warmup_epochs = s.optimizer.warmup_epochs;
    if (s.augment) {
      e.mosaic = s.augment->mosaic;
      e.close_mosaic_epochs = e.mosaic ? s.augment->close_mosaic_epochs : 0;
    }
    e.amp = s.amp.value_or(false);
    if (o.scale_to_local) {
      e.model_size = "tiny";
      e.image_size = o.image_size;
      e.epochs = evaluation_only
                     ? 0
                     : std::clamp(int(std::lround(s.epochs * o.epoch_scale)), 1, o.max_epochs);
      e.global_batch = o.per_rank_batch * o.nproc;
      e.lr = is_pretraining(s) ? kLocalPretrainLr : kLocalFinetuneLr;
      e.warmup_epochs = std::min(1.0, e.warmup_epochs);
      e.data_dir = is_pretraining(s) ? corpus_dir : target_dir;
      (is_pretraining(s) ? need_corpus : need_target) = true;
      // The plan's mosaic is kept; its close-mosaic epochs shrink with the epochs, at least
      // one when the plan has any (so a scaled run also trains its last epoch without it).
      if (e.mosaic && e.close_mosaic_epochs > 0 && s.epochs > 0) {
        const int scaled = std::max(1, int(std::lround(e.close_mosaic_epochs * e.epochs / s.epochs)));
        e.close_mosaic_epochs = std::min(scaled, e.epochs);
      }
      if (evaluation_only)
        out.mapping.push_back(fmt::format(
            "stage {}: {} on {} x {} -> tiny detector on {} ranks; evaluation only (zero-shot): "
            "data {} -> synthetic {} (class embeddings from its class names); input {} -> {}",
            s.id, s.model, s.gpus, plan.question.gpu, o.nproc, s.dataset, e.data_dir,
            s.resolution.to_string(), e.image_size));
      else
        out.mapping.push_back(fmt::format(
            "stage {}: {} on {} x {} -> tiny detector on {} ranks; data {} -> synthetic {}; input "
            "{} -> {}; {:g} epochs -> {}; global batch {} -> {}; lr {:.2g} -> {:.2g}{}",
            s.id, s.model, s.gpus, plan.question.gpu, o.nproc, s.dataset, e.data_dir,
            s.resolution.to_string(), e.image_size, s.epochs, e.epochs, s.global_batch,
            e.global_batch, s.lr, e.lr,
            !e.mosaic ? ""
            : e.close_mosaic_epochs == 0
                ? "; mosaic on"
                : fmt::format("; mosaic on, off for the last {} -> {} epochs",
                              s.augment->close_mosaic_epochs, e.close_mosaic_epochs)));
      if (s.init.rfind("pretrained:", 0) == 0) {
        need_corpus = true;
        out.mapping.push_back(fmt::format("stage {}: init {} -> weights pre-trained here on the "
                                          "synthetic corpus {}",
                                          s.id, s.init, corpus_dir));
      }
    } else {
      e.model_size = size_of_model(s.model, where);
      e.image_size = int(s.resolution.width_px);
      e.epochs = evaluation_only ? 0 : int(std::ceil(s.epochs));
      e.global_batch = s.global_batch;
      e.lr = s.lr;
      locate_data(e, o, where);
      out.mapping.push_back(fmt::format("stage {}: data {} -> {}; evaluated on {} -> {}", s.id,
                                        s.dataset, e.train_data.annotations,
                                        s.eval_dataset.empty() ? s.dataset : s.eval_dataset,
                                        e.eval_data.annotations));
    }
    if (evaluation_only) {
      // No batches to share or accumulate (the plan's global batch is 0; a scaled stage keeps
      // the local one for the pre-training that makes its `pretrained:` weights).
      out.stages.push_back(e);
      continue;
    }
    if (e.global_batch < 1)  // the plan reader lets a 0 through; it would divide by zero
      throw InputError(fmt::format("{}: global batch {} is not accepted for a {} stage; expected "
                                   "a whole number >= 1",
                                   where, e.global_batch, s.kind));
    if (e.global_batch % o.nproc != 0)
      throw InputError(fmt::format("{}: global batch {} cannot be shared by {} ranks; expected "
                                   "a multiple of --nproc",
                                   where, e.global_batch, o.nproc));
    const int per_rank = e.global_batch / o.nproc;
    if (o.accumulate > 0) {
      e.accumulation_steps = o.accumulate;
    } else if (!o.scale_to_local) {
      e.accumulation_steps = accumulation_for(per_rank, s.prediction.micro_batch);
    }
    if (per_rank % e.accumulation_steps != 0)
      throw InputError(fmt::format("{}: the per-rank batch of {} images cannot be split into {} "
                                   "equal micro-batches (--accumulate {}); expected a divisor of {}",
                                   where, per_rank, e.accumulation_steps, e.accumulation_steps,
                                   per_rank));
    if (e.accumulation_steps > 1)
      out.mapping.push_back(fmt::format("stage {}: {} images per rank and step in {} micro-batches "
                                        "of {} (gradient accumulation)",
                                        s.id, per_rank, e.accumulation_steps,
                                        per_rank / e.accumulation_steps));
    out.stages.push_back(e);
  }
  if (out.stages.empty())
    throw InputError(fmt::format("plan \"{}\" has no stages", plan.name));
  if (need_corpus) out.synthesize.push_back({corpus_dir, kCorpusImages, kCorpusClasses, o.image_size, 1});
  if (need_target) out.synthesize.push_back({target_dir, kTargetImages, kTargetClasses, o.image_size, 2});
  out.pretrained_corpus_dir = corpus_dir;
  return out;
}

bool mosaic_in_epoch(const ExecStage& s, int64_t epoch, int epochs) {
  return s.mosaic && epoch < int64_t(epochs) - s.close_mosaic_epochs;
}

bool mosaic_in_epoch(const ExecStage& s, int64_t epoch) { return mosaic_in_epoch(s, epoch, s.epochs); }

std::string stage_hash(const ExecStage& s) {
  std::string text =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{:.17g}|{:.17g}|{:.17g}|{:.17g}|{}", s.id, s.kind,
                  s.init, s.dataset, s.data_dir, s.model_size, s.embed_dim, s.image_size, s.epochs,
                  s.optimizer, s.lr, s.weight_decay, s.momentum, s.warmup_epochs, s.trainable);
  // Only when on, so that a stage without mosaic keeps the hash its checkpoints recorded
  // before augmentation settings existed. (amp does not change what the CPU path trains.)
  if (s.mosaic) text += fmt::format("|mosaic|{}", s.close_mosaic_epochs);
  // FNV-1a, 64 bits: stable across builds and machines (std::hash is not).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace trainplan::executor
