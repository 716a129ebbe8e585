#include "stage_trainer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "evaluate.hpp"
#include "fault_hooks.hpp"
#include "progress.hpp"
#include "schedule.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/bucketed_reducer.hpp"
#include "trainplan/executor/data/loader.hpp"
#include "trainplan/executor/data/sampler.hpp"
#include "trainplan/executor/data/synth.hpp"
#include "trainplan/executor/mixed_precision.hpp"
#include "trainplan/executor/model/detector.hpp"
#include "trainplan/executor/model/loss.hpp"
#include "trainplan/executor/stop_signal.hpp"

namespace trainplan::executor {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The annotations only (from the index cache the launcher built): image files are opened by
// the loader when reached, which reports a missing or corrupt one by file and image id.
data::CocoDataset load_split(const data::DataSplit& split, bool skip_bad) {
  data::LoadOptions o;
  o.skip_bad_samples = skip_bad;
  o.check_files = false;
  return data::load_coco(split.annotations, split.images, o);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const ExecStage& s,
                                                        std::vector<torch::Tensor> params) {
  if (s.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(s.lr).momentum(s.momentum).nesterov(true).weight_decay(s.weight_decay));
  return std::make_unique<torch::optim::AdamW>(
      params, torch::optim::AdamWOptions(s.lr).weight_decay(s.weight_decay));
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

// Parameters must be identical on every rank; a difference means the ranks diverged.
void check_sync(const Detector& model, Communicator& comm, int64_t step) {
  torch::NoGradGuard no_grad;
  double sum = 0, squares = 0;
  for (const auto& p : model->parameters()) {
    auto d = p.to(torch::kFloat64);
    sum += d.sum().item<double>();
    squares += d.pow(2).sum().item<double>();
  }
  torch::Tensor mine = torch::tensor({sum, squares}, torch::kFloat64);
  torch::Tensor rank0 = mine.clone();
  comm.broadcast({rank0}, 0);
  if (!torch::equal(mine, rank0))
    throw RunError(fmt::format("rank {}: parameters differ from rank 0's after step {} (checksum "
                               "{:.17g} vs {:.17g}): the ranks diverged",
                               comm.rank(), step, sum, rank0[0].item<double>()));
}

nlohmann::ordered_json measurement(const ExecStage& s, int64_t epoch, int world, int nodes,
                                   int64_t images, double spi, double data_spi,
                                   const torch::Device& device, bool amp) {
  nlohmann::ordered_json r;
  r["model"] = "trainplan-" + s.model_size;
  r["gpu"] = device.is_cuda() ? "cuda" : "cpu";
  r["gpus"] = world;
  r["nodes"] = nodes;
  r["global_batch"] = s.global_batch;
  r["resolution"] = s.image_size;
  r["seconds_per_iter"] = spi;
  r["images"] = images;
  r["epochs"] = s.epochs;
  r["amp"] = amp;
  r["data_seconds_per_iter"] = data_spi;
  r["framework"] = device.is_cuda() ? "libtorch-cuda" : "libtorch-cpu";
  r["stage"] = s.id;
  r["epoch"] = epoch;
  return r;
}

// The weights a stage starts from: rank 0 reads the file its init names and broadcasts it,
// so the other hosts need no copy (a cluster without a shared file system).
void load_init_weights(const StageContext& ctx, Detector& model, const ModelIdentity& identity) {
  const ExecStage& s = ctx.stage;
  if (s.init == "scratch") return;
  ScopedPhase reading(Phase::checkpoint);
  std::string path;
  const std::string bytes = broadcast_from_rank0(ctx.comm, [&] {
    path = init_checkpoint(s, ctx.run_dir);
    return read_checkpoint_bytes(path);
  });
  load_checkpoint_bytes(bytes, path.empty() ? s.init : path, *model, nullptr, identity,
                        /*weights_only=*/true);
}

/// Images [first, first + count) of a batch and their targets (rows [image, class, box...]),
/// re-indexed from 0: one micro-batch of gradient accumulation.
std::pair<torch::Tensor, torch::Tensor> micro_batch(const torch::Tensor& images,
                                                    const torch::Tensor& targets, int64_t first,
                                                    int64_t count) {
  if (first == 0 && count == images.size(0)) return {images, targets};
  const torch::Tensor image_index = targets.select(1, 0);
  const torch::Tensor rows = (image_index >= first).logical_and(image_index < first + count);
  torch::Tensor part = targets.index({rows}).clone();
  part.select(1, 0).sub_(static_cast<double>(first));
  return {images.slice(0, first, first + count), part};
}

// COCO's figures of an evaluation, into an epoch's row.
void set_accuracy(EpochResult& row, const MapResult& map) {
  row.map50 = map.map50;
  row.map50_95 = map.map50_95;
  row.map75 = map.map75;
  row.map_small = map.map_small;
  row.map_medium = map.map_medium;
  row.map_large = map.map_large;
  row.ar100 = map.ar100;
}

// The head's outputs in float32, for a loss computed outside autocast.
HeadOutput in_float32(const HeadOutput& o) {
  return HeadOutput{o.cls_logits.to(torch::kFloat32), o.box_distances.to(torch::kFloat32),
                    o.anchor_points.to(torch::kFloat32), o.strides.to(torch::kFloat32)};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A zero-shot stage trains nothing: the weights its init names are evaluated as they are
// on the stage's validation split (open vocabulary: the class embeddings come from the split's
// class names), recorded as epoch 0 and kept as the stage's checkpoints so that a later stage
// may start from it (`init: stage:<id>`).
StageResult evaluation_stage(const StageContext& ctx, Detector& model, const data::CocoDataset& val,
                             const ModelIdentity& identity, Clock::time_point start) {
  const ExecStage& s = ctx.stage;
  StageResult result;
  const auto eval_start = Clock::now();
  const MapResult map = evaluate(model, val, s.image_size, ctx.comm);
  result.map50 = result.best_map50 = map.map50;
  result.map50_95 = map.map50_95;
  if (ctx.comm.rank() == 0) {
    EpochResult row;
    row.stage = s.id;
    row.epoch = 0;
    set_accuracy(row, map);
    row.seconds = seconds_since(eval_start);
    ctx.run_dir.append_epoch(row);
    std::printf("%s (evaluation only): mAP@0.5 %.3f, mAP@0.5:0.95 %.3f (%.1f s)\n", s.id.c_str(),
                map.map50, map.map50_95, row.seconds);
    std::fflush(stdout);
    TrainingPosition done;
    done.stage = s.id;
    done.stage_done = true;
    ScopedPhase writing(Phase::checkpoint);
    save_checkpoint(ctx.run_dir.checkpoint_path(s.id, "best"), *model, nullptr, done, identity, map.map50);
    const std::string last = ctx.run_dir.checkpoint_path(s.id, "last");
    save_checkpoint(last, *model, nullptr, done, identity, map.map50);
    ctx.run_dir.set_last_checkpoint(last);
  }
  ctx.comm.barrier();
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace

ModelIdentity stage_identity(const ExecStage& s) {
  ModelIdentity id;
  id.size = s.model_size;
  id.embed_dim = s.embed_dim;
  // From the index cache: no second parse of the annotation file.
  id.vocabulary = data::coco_class_names(train_split(s).annotations);
  return id;
}

std::string init_checkpoint(const ExecStage& s, const RunDirectory& run_dir) {
  if (s.init == "scratch") return "";
  if (s.init.rfind("stage:", 0) == 0) return run_dir.checkpoint_path(s.init.substr(6), "last");
  const std::string name = s.init.substr(s.init.find(':') + 1);
  for (const std::string& candidate : {name, run_dir.path() + "/pretrained/" + name + ".pt"})
    if (std::filesystem::is_regular_file(candidate)) return candidate;
  throw InputError(fmt::format("plan stage \"{}\": init {}: no weights file {} or {}/pretrained/{}.pt",
                               s.id, s.init, name, run_dir.path(), name));
}

// The stop signal every rank agrees on at this step: ranks can receive a forwarded signal a
// step apart, so they all-reduce (flag, signal) and stop together at the same position.
namespace {

// Why every rank stops at this step: a signal, and/or rank 0's deadline policy "stop".
struct StopAgreement {
  int signal = 0;
  bool deadline = false;
};

StopAgreement agreed_stop(Communicator& comm, bool deadline_here) {
  const int local = stop_signal();
  if (comm.world_size() == 1) return {local, deadline_here};
  auto flags = torch::tensor({local > 0 ? 1.0 : 0.0, double(local), deadline_here ? 1.0 : 0.0},
                             torch::kFloat64);
  comm.allreduce_sum_async({flags})->wait();
  const double stopping = flags[0].item<double>();
  return {stopping > 0 ? int(std::lround(flags[1].item<double>() / stopping)) : 0,
          flags[2].item<double>() > 0};
}

// The epochs the stage keeps after epoch `epochs_done`: rank 0's deadline policy "shorten"
// decides, every rank learns it (all call this when the policy is on).
int agreed_epochs(const StageContext& ctx, int epochs, int epochs_done) {
  auto kept = torch::tensor({double(epochs)}, torch::kFloat64);
  if (ctx.forecaster)
    if (const auto cut = ctx.forecaster->shortened_epochs(epochs_done)) kept[0] = double(*cut);
  ctx.comm.broadcast({kept}, 0);
  return int(std::lround(kept.item<double>()));
}

}  // namespace

StageResult train_stage(const StageContext& ctx) {
  const ExecStage& s = ctx.stage;
  Communicator& comm = ctx.comm;
  const int rank = comm.rank(), world = comm.world_size();
  const bool leader = rank == 0;
  const auto start = Clock::now();
  StageResult result;

  note_position(s.id, 0);
  enter_phase(Phase::loading_annotations);
  const data::CocoDataset train = load_split(train_split(s), ctx.options.skip_bad_samples);
  const data::CocoDataset val = load_split(eval_split(s), ctx.options.skip_bad_samples);
  const ModelIdentity identity{s.model_size, s.embed_dim, train.class_names};

  // Same seed on every rank, and rank 0's values broadcast anyway: all ranks start equal.
  torch::manual_seed(ctx.options.seed);
  Detector model(DetectorConfig{s.model_size, s.embed_dim}, train.class_names);
  model->to(ctx.device);
  load_init_weights(ctx, model, identity);
  model->set_trainable(s.trainable);
  model->set_communicator(&comm);
  model->train();
  std::vector<torch::Tensor> state = model->parameters();
  for (const auto& b : model->buffers()) state.push_back(b);
  BucketedReducer::broadcast_from_rank0(state, comm);
  if (s.kind == "zero-shot") return evaluation_stage(ctx, model, val, identity, start);

  std::vector<torch::Tensor> trainable;
  for (const auto& p : model->parameters())
    if (p.requires_grad()) trainable.push_back(p);
  auto optimizer = make_optimizer(s, trainable);
  // Mixed precision where the recipe asks for it and the device has float16 tensor cores.
  const bool amp = s.amp && ctx.device.is_cuda();
  LossScaler scaler(amp);
  int64_t first_epoch = 0, first_iteration = 0, global_step = 0;
  int epochs = s.epochs;  // fewer when the deadline policy "shorten" cuts them
  if (ctx.resume) {
    ScopedPhase reading(Phase::checkpoint);
    auto info = load_checkpoint_bytes(ctx.resume->bytes, ctx.resume->path, *model, optimizer.get(),
                                      identity, /*weights_only=*/false);
    first_epoch = info.position.epoch;
    first_iteration = info.position.iteration;
    global_step = info.position.global_step;
    if (info.position.epochs_kept > 0) epochs = info.position.epochs_kept;
    result.best_map50 = info.best_map50;
    scaler.restore(info.position.loss_scale);
  }
  BucketedReducer reducer(trainable, comm, ctx.options.bucket_mb);

  const int per_rank = s.global_batch / world;
  const RunSetup setup{world, per_rank, s.global_batch, s.accumulation_steps, ctx.options.seed,
                       stage_hash(s)};
  auto at = [&](int64_t epoch, int64_t iteration, int64_t step, bool done) {
    return TrainingPosition{s.id, epoch, iteration, step, done, setup, scaler.state(),
                            epochs < s.epochs ? epochs : 0};
  };
  // The stage's last.pt at `position`, and the run's pointer to it (rank 0 only).
  auto save_last = [&](const TrainingPosition& position) {
    ScopedPhase writing(Phase::checkpoint);
    const std::string path = ctx.run_dir.checkpoint_path(s.id, "last");
    save_checkpoint(path, *model, optimizer.get(), position, identity, result.best_map50);
    ctx.run_dir.set_last_checkpoint(path);
  };
  data::DistributedSampler sampler(train.images.size(), rank, world, ctx.options.seed, true);
  const int64_t steps_per_epoch = int64_t(sampler.size()) / per_rank;
  if (steps_per_epoch < 1)
    throw InputError(fmt::format("plan stage \"{}\": {} training images cannot fill one global "
                                 "batch of {}",
                                 s.id, train.images.size(), s.global_batch));
  int64_t total_steps = steps_per_epoch * epochs;
  const int64_t warmup = int64_t(s.warmup_epochs * steps_per_epoch);
  Progress progress(s.id, total_steps, s.predicted_seconds / std::max<int64_t>(1, total_steps), leader);
  if (ctx.forecaster)
    ctx.forecaster->begin_stage(ctx.stage_index, total_steps, global_step, steps_per_epoch, epochs);

  for (int64_t epoch = first_epoch; epoch < epochs; ++epoch) {
    sampler.set_epoch(epoch);
    data::LoaderOptions lo;
    lo.batch_size = per_rank;
    lo.image_size = s.image_size;
    lo.seed = ctx.options.seed;
    lo.epoch = epoch;
    lo.workers = ctx.options.loader_threads;
    lo.start_batch = epoch == first_epoch ? first_iteration : 0;
    lo.drop_last = true;
    lo.skip_bad_samples = ctx.options.skip_bad_samples;
    lo.report_skipped = [rank](const std::string& message) {
      std::fprintf(stderr, "trainplan: rank %d: %s\n", rank, message.c_str());
    };
    // The recipe's augmentation, mosaic switched off for the last close_mosaic_epochs (as
    // YOLOv8's close_mosaic and mmyolo's PipelineSwitchHook): a function of the epoch only,
    // so a resumed run makes the same samples.
    const bool mosaic = mosaic_in_epoch(s, epoch, epochs);
    if (s.mosaic) lo.augment = data::AugmentOptions::yolo_recipe(mosaic);
    if (leader && s.mosaic && !mosaic &&
        (epoch == first_epoch || mosaic_in_epoch(s, epoch - 1, epochs))) {
      std::printf("%s: mosaic off from epoch %lld (the last %d of %d epochs)\n", s.id.c_str(),
                  (long long)(epoch + 1), std::min(s.close_mosaic_epochs, epochs), epochs);
      std::fflush(stdout);
    }
    data::BatchLoader loader(train, sampler.indices(), lo);
    const auto epoch_start = Clock::now();
    std::vector<double> step_seconds;
    double loss_sum = 0, box_sum = 0, cls_sum = 0;
    int64_t counted = 0, iteration = lo.start_batch;
    for (; iteration < steps_per_epoch; ++iteration) {
      if (ctx.options.max_steps > 0 && global_step >= ctx.options.max_steps) {
        result.stopped_early = true;
        break;
      }
      // SIGINT/SIGTERM: the step before this one is the last; its exact position is
      // checkpointed so that --resume continues as if nothing happened.
      const StopAgreement stop =
          agreed_stop(comm, ctx.forecaster && ctx.forecaster->should_stop_for_deadline());
      if (const int signal = stop.signal) {
        if (leader) save_last(at(epoch, iteration, global_step, false));
        comm.barrier();
        throw StopRequested(signal, fmt::format("stage \"{}\" at step {} (epoch {}, step {} of {})",
                                                s.id, global_step, epoch + 1, iteration,
                                                steps_per_epoch));
      }
      if (stop.deadline) {
        // Stopped like --max-steps: the steps of this epoch are evaluated and checkpointed.
        result.stopped_early = result.deadline_stop = true;
        break;
      }
      const auto step_start = Clock::now();
      enter_phase(Phase::loader);
      hang_injection_point(rank, global_step);
      auto batch = loader.next();
      enter_phase(Phase::compute);
      if (!batch) break;
      const double lr = learning_rate(s.lr, global_step, total_steps, warmup);
      set_lr(*optimizer, lr);
      auto images = torch::from_blob(batch->images.data(), {batch->count, 3, batch->size, batch->size},
                                     torch::kFloat32).to(ctx.device, /*non_blocking=*/false, /*copy=*/true);
      auto targets = torch::from_blob(batch->targets.data(), {int64_t(batch->targets.size()), 6},
                                      torch::kFloat32).to(ctx.device, false, true);
      optimizer->zero_grad();
      // Gradient accumulation: the rank's images pass in equal micro-batches, each loss
      // divided by their number (mmengine's accumulative_counts, Ultralytics' accumulate);
      // only the last backward reduces across ranks (DDP's no_sync for the others).
      const int parts = s.accumulation_steps;
      const int64_t micro = batch->count / parts;
      double step_loss = 0;
      for (int part = 0; part < parts; ++part) {
        const auto [micro_images, micro_targets] = micro_batch(images, targets, part * micro, micro);
        if (part + 1 == parts) reducer.prepare_for_backward();
        HeadOutput output;
        {
          AutocastScope autocast(ctx.device.type(), amp);
          output = model->forward(micro_images);
        }
        // The loss in float32 (autocast's rule for losses and reductions).
        const LossOutput loss = detection_loss(amp ? in_float32(output) : output, micro_targets,
                                               int(micro), comm);
        scaler.scale(parts == 1 ? loss.total : loss.total / parts).backward();
        step_loss += loss.total.item<double>() / parts;
        box_sum += loss.box / parts;
        cls_sum += loss.cls / parts;
      }
      reducer.finish();
      // A step with inf/NaN gradients (float16 overflow) is skipped and lowers the loss scale.
      scaler.step(*optimizer, trainable);
      ++global_step;
      note_position(s.id, global_step);
      fault_injection_point(comm.rank(), global_step);
      const double took = seconds_since(step_start);
      step_seconds.push_back(took);
      loss_sum += step_loss;
      ++counted;
      progress.step(epoch, epochs, epoch * steps_per_epoch + iteration + 1, step_loss, took);
      if (ctx.forecaster) {
        ctx.forecaster->after_step(global_step, took);
        if (const auto& f = ctx.forecaster->latest())
          progress.set_run_forecast(f->p50_s - ctx.forecaster->run_elapsed_s(),
                                    f->p90_s - ctx.forecaster->run_elapsed_s());
      }
      if (ctx.options.check_sync_every > 0 && global_step % ctx.options.check_sync_every == 0)
        check_sync(model, comm, global_step);
      if (leader && global_step % ctx.options.checkpoint_every_steps == 0 && iteration + 1 < steps_per_epoch)
        save_last(at(epoch, iteration + 1, global_step, false));
    }
    result.steps += counted;
    // Stopped at --max-steps inside this epoch: the steps it did are evaluated and recorded
    // like an epoch's (below); the checkpoint keeps the exact position, so --resume continues.
    const bool partial = result.stopped_early && iteration < steps_per_epoch;
    if (partial && counted == 0) {
      // Stopped before the epoch's first step (the last epoch ended at the limit, or a resume
      // from such a stop): nothing new to evaluate.
      if (leader) save_last(at(epoch, iteration, global_step, false));
      comm.barrier();
      break;
    }
    progress.finish();
    const auto epoch_end_start = Clock::now();
    // Every rank evaluates its share of the validation images (running statistics: no
    // collective in the model); all get the same figures.
    const MapResult map = evaluate(model, val, s.image_size, comm);
    model->train();
    // The deadline policy "shorten" (rank 0 decides from its forecast, all ranks follow):
    // fewer epochs, with the learning-rate decay and the mosaic switch moved to the new end,
    // as Ultralytics' --time does. Before the checkpoint, which records it for --resume.
    if (ctx.may_shorten && !partial) {
      const int kept = agreed_epochs(ctx, epochs, int(epoch + 1));
      if (kept < epochs) {
        epochs = kept;
        total_steps = steps_per_epoch * epochs;
        result.epochs_kept = epochs;
        progress.set_total(total_steps);
      }
    }
    if (leader) {
      result.map50 = map.map50;
      result.map50_95 = map.map50_95;
      EpochResult row;
      row.stage = s.id;
      row.epoch = epoch + 1;
      row.train_loss = counted ? loss_sum / counted : 0;
      row.box_loss = counted ? box_sum / counted : 0;
      row.cls_loss = counted ? cls_sum / counted : 0;
      set_accuracy(row, map);
      row.seconds = seconds_since(epoch_start);
      row.seconds_per_iter = median(step_seconds);
      row.data_seconds_per_iter = counted ? loader.seconds_waiting() / counted : 0;
      row.lr = learning_rate(s.lr, global_step, total_steps, warmup);
      ctx.run_dir.append_epoch(row);
      ctx.run_dir.append_measurement(measurement(s, row.epoch, world, ctx.nodes, int64_t(train.images.size()),
                                                 row.seconds_per_iter, row.data_seconds_per_iter,
                                                 ctx.device, amp));
      row_fault_point(row.epoch);
      const std::string why = result.deadline_stop
                                  ? std::string("at the deadline")
                                  : fmt::format("at --max-steps {}", ctx.options.max_steps);
      std::printf("%s epoch %lld/%d: loss %.3f, mAP@0.5 %.3f, mAP@0.5:0.95 %.3f (%.1f s)%s\n",
                  s.id.c_str(), (long long)(epoch + 1), epochs, row.train_loss, map.map50,
                  map.map50_95, row.seconds,
                  partial ? fmt::format("; stopped {} after {} of its {} steps", why, iteration,
                                        steps_per_epoch).c_str()
                          : "");
      std::fflush(stdout);
      const bool done = !partial && epoch + 1 == epochs;
      const TrainingPosition position =
          partial ? at(epoch, iteration, global_step, false) : at(epoch + 1, 0, global_step, done);
      ScopedPhase writing(Phase::checkpoint);
      const std::string last = ctx.run_dir.checkpoint_path(s.id, "last");
      if (map.map50 >= result.best_map50) {
        result.best_map50 = map.map50;
        save_checkpoint(ctx.run_dir.checkpoint_path(s.id, "best"), *model, nullptr, position,
                        identity, result.best_map50);
      }
      save_checkpoint(last, *model, optimizer.get(), position, identity, result.best_map50);
      ctx.run_dir.set_last_checkpoint(last);
      if (ctx.forecaster) ctx.forecaster->after_epoch_end(seconds_since(epoch_end_start));
    }
    comm.barrier();
    if (partial) break;
  }
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace trainplan::executor
