// run_plan: the launcher of N local workers, or one worker (started by the launcher, torchrun
// or srun). Everything that can be wrong with the input is checked before workers start.
#include "trainplan/executor/run.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "closing_table.hpp"
#include "local_prediction.hpp"
#include "stage_trainer.hpp"
#include "trainplan/error.hpp"
#include "trainplan/atomic_file.hpp"
#include "trainplan/executor/backend_choice.hpp"
#include "trainplan/executor/activity.hpp"
#include "trainplan/executor/communicator.hpp"
#include "trainplan/executor/heartbeat.hpp"
#include "trainplan/executor/data/coco_dataset.hpp"
#include "trainplan/executor/data/synth.hpp"
#include "trainplan/executor/launch_env.hpp"
#include "trainplan/executor/stop_signal.hpp"
#include "trainplan/executor/launcher.hpp"
#include "trainplan/executor/run_arguments.hpp"
#include "trainplan/planner/plan_json.hpp"
#include "trainplan/planner/question.hpp"

namespace trainplan::executor {

namespace fs = std::filesystem;

namespace {

// Scaled runs pre-train the weights a `pretrained:` init names on the synthetic corpus.
constexpr int kLocalPretrainEpochs = 5;

// What the mapping decided, one line each: the scaling of --scale-to-local, micro-batches.
void print_mapping(const ExecutionPlan& exec, const RunOptions& o) {
  for (const auto& line : exec.mapping)
    std::printf("%s: %s\n", o.scale_to_local ? "scale-to-local" : "plan", line.c_str());
}

MappingOptions mapping_for(const RunOptions& o, const std::string& work_dir, int world) {
  MappingOptions m;
  m.nproc = world;
  m.data_root = o.data_root;
  m.data = o.data;
  m.work_dir = work_dir;
  m.scale_to_local = o.scale_to_local;
  if (o.global_batch > 0) m.per_rank_batch = o.global_batch / world;
  m.accumulate = o.accumulate;
  return m;
}

// Adds, for a scaled run, the stage that makes local "pre-trained" weights.
void add_local_pretraining(ExecutionPlan& exec, const RunOptions& o) {
  if (!o.scale_to_local) return;
  std::vector<ExecStage> extra;
  for (const auto& s : exec.stages) {
    if (s.init.rfind("pretrained:", 0) != 0) continue;
    ExecStage p = s;
    p.id = "pretrained-" + s.init.substr(11);
    p.kind = "pretrain";
    p.init = "scratch";
    p.depends_on.clear();
    p.data_dir = exec.pretrained_corpus_dir;
    p.epochs = kLocalPretrainEpochs;
    p.lr = 2e-3;
    p.trainable = "all";
    // Stand-in published weights: made the same way whatever the plan's augmentation.
    p.mosaic = false;
    p.close_mosaic_epochs = 0;
    if (std::none_of(extra.begin(), extra.end(), [&](const ExecStage& e) { return e.id == p.id; }))
      extra.push_back(p);
  }
  exec.stages.insert(exec.stages.begin(), extra.begin(), extra.end());
}

std::string work_dir_for(const RunOptions& o, const planner::Plan& plan, bool fresh) {
  if (!o.work_dir.empty()) {
    std::error_code error;
    fs::create_directories(o.work_dir + "/logs", error);
    fs::create_directories(o.work_dir + "/checkpoints", error);
    if (error) throw RunError(fmt::format("{}: cannot create the run directory: {}", o.work_dir, error.message()));
    return o.work_dir;
  }
  return RunDirectory::open("runs", plan.name, fresh).path();
}

// Fills each stage's predicted time for this machine (progress ETA, closing table).
void predict(ExecutionPlan& exec, int world) {
  for (auto& s : exec.stages) s.predicted_seconds = predict_local_seconds(s, world);
}

// Input checks and data preparation, done once before any worker starts.
// --resume continues exactly only with what decides the training unchanged; the number of
// ranks may change (the data order and the averaged gradient depend on the global batch).
void check_resumable(const std::string& path, const TrainingPosition& at, const ExecStage& stage,
                     const RunOptions& o) {
  const RunSetup& was = at.setup;
  if (was.world_size == 0 || at.stage_done) return;  // an older checkpoint, or a finished stage
  auto refuse = [&](const char* field, const std::string& then, const std::string& now,
                    const char* fix) {
    throw InputError(fmt::format("--resume: {} was written with {} {}; this run has {} ({})", path,
                                 field, then, now, fix));
  };
  if (was.global_batch != stage.global_batch)
    refuse("a global batch of", std::to_string(was.global_batch), std::to_string(stage.global_batch),
           "the same --global-batch continues exactly on any number of ranks");
  if (was.accumulation != stage.accumulation_steps)
    refuse("accumulation", std::to_string(was.accumulation), std::to_string(stage.accumulation_steps),
           "use the same --accumulate");
  if (was.seed != o.seed)
    refuse("seed", std::to_string(was.seed), std::to_string(o.seed), "use the same --seed");
  if (was.stage_hash != stage_hash(stage))
    refuse(fmt::format("stage \"{}\" set up as", stage.id).c_str(), was.stage_hash, stage_hash(stage),
           "the plan's stage changed: epochs, learning rate, data, model or input; start a new run");
}

// The plan mapped onto this run; every rank maps it the same way.
ExecutionPlan map_for_run(const RunOptions& o, const planner::Plan& plan, const std::string& work_dir,
                          int world) {
  ExecutionPlan exec = map_plan(plan, mapping_for(o, work_dir, world));
  add_local_pretraining(exec, o);
  return exec;
}

// The detector is evaluated with the vocabulary it trains on, so an eval_dataset must have the
// trained data set's classes (in COCO id order); another vocabulary would score wrong classes.
void check_same_classes(const ExecStage& s) {
  if (s.eval_dataset.empty()) return;
  const auto trained = data::coco_class_names(train_split(s).annotations);
  const auto evaluated = data::coco_class_names(eval_split(s).annotations);
  if (trained == evaluated) return;
  throw InputError(fmt::format(
      "plan stage \"{}\": eval_dataset \"{}\" ({}, {} classes) does not have the classes of "
      "dataset \"{}\" ({}, {} classes); evaluating on another vocabulary is not supported: "
      "expected the same category names in the same id order, or eval_dataset \"\" (the val "
      "split of \"{}\")",
      s.id, s.eval_dataset, eval_split(s).annotations, evaluated.size(), s.dataset,
      train_split(s).annotations, trained.size(), s.dataset));
}

// Writes the synthetic data a scaled run needs (unless there) and checks every stage's
// annotations, on this host. Image files are not opened: at full scale that alone takes
// minutes; the loader reports a bad image when it reaches it (`trainplan data check` scans
// them all beforehand). Checking here also builds each index cache once, before the ranks
// read it.
void prepare_data(const ExecutionPlan& exec, const RunOptions& o) {
  ScopedPhase preparing(Phase::preparing_data);
  for (const auto& spec : exec.synthesize) {
    if (fs::exists(spec.dir + "/annotations/train.json")) continue;
    data::SynthOptions so;
    so.out_dir = spec.dir;
    so.images = spec.images;
    so.classes = spec.classes;
    so.size = spec.size;
    so.seed = spec.seed;
    data::write_synthetic_dataset(so);
  }
  std::set<std::string> checked;  // stages often share a data set: check each split once
  for (const auto& s : exec.stages) {
    for (const data::DataSplit& split : {train_split(s), eval_split(s)}) {
      if (!checked.insert(split.annotations).second) continue;
      data::LoadOptions lo;
      lo.skip_bad_samples = o.skip_bad_samples;
      lo.check_files = false;
      std::vector<std::string> skipped;
      data::load_coco(split.annotations, split.images, lo, &skipped);
      for (const auto& line : skipped) std::fprintf(stderr, "trainplan: skipped: %s\n", line.c_str());
    }
    check_same_classes(s);
  }
}

// A resumed run continues from its checkpoint: the rows written after it (an epoch that ended
// after the checkpoint was written, a crash in between) are dropped, so none is counted twice.
void drop_outputs_after(const RunDirectory& run_dir, const ExecutionPlan& exec,
                        const TrainingPosition& at) {
  auto index = [&](const std::string& id) {
    auto it = std::find_if(exec.stages.begin(), exec.stages.end(),
                           [&](const ExecStage& e) { return e.id == id; });
    return it == exec.stages.end() ? -1 : int(it - exec.stages.begin());
  };
  const int resumed = index(at.stage);
  const auto removed = run_dir.keep_outputs([&](const std::string& stage, int64_t epoch) {
    const int i = index(stage);
    if (i < 0 || i < resumed) return true;
    if (i > resumed) return false;
    return at.stage_done || epoch <= at.epoch;  // epochs are 1-based in rows, at.epoch = done
  });
  if (removed.empty()) return;
  std::string list;
  for (const auto& r : removed) list += (list.empty() ? "" : "; ") + r;
  std::printf("resume: dropped %zu output row%s written after the checkpoint (%s)\n",
              removed.size(), removed.size() == 1 ? "" : "s", list.c_str());
}

// What only the run directory's host can check: the weights each stage starts from and the
// checkpoint --resume continues from.
void check_run_inputs(const ExecutionPlan& exec, const RunOptions& o, const std::string& work_dir) {
  RunDirectory run_dir = RunDirectory::existing(work_dir);
  // A stage's init must name a stage of the plan or weights that exist and fit the model.
  for (const auto& s : exec.stages) {
    if (s.init.rfind("stage:", 0) == 0) {
      const std::string from = s.init.substr(6);
      if (std::none_of(exec.stages.begin(), exec.stages.end(), [&](const ExecStage& e) { return e.id == from; }))
        throw InputError(fmt::format("plan stage \"{}\": init {}: no such stage in the plan", s.id, s.init));
    } else if (s.init.rfind("pretrained:", 0) == 0 && !o.scale_to_local) {
      const std::string path = init_checkpoint(s, run_dir);
      auto info = read_checkpoint_info(path);
      if (info.identity.size != s.model_size || info.identity.embed_dim != s.embed_dim)
        throw InputError(fmt::format("plan stage \"{}\": init {}: {} was made for a \"{}\" detector, "
                                     "not \"{}\"",
                                     s.id, s.init, path, info.identity.size, s.model_size));
    }
  }
  if (o.resume) {
    auto last = run_dir.last_checkpoint();
    if (!last) throw InputError(fmt::format("--resume: {} has no last_checkpoint to resume from", work_dir));
    auto info = read_checkpoint_info(*last);
    auto stage = std::find_if(exec.stages.begin(), exec.stages.end(),
                              [&](const ExecStage& e) { return e.id == info.position.stage; });
    if (stage == exec.stages.end())
      throw InputError(fmt::format("--resume: {} is for stage \"{}\", which this plan does not have", *last, info.position.stage));
    check_resumable(*last, info.position, *stage, o);
    drop_outputs_after(run_dir, exec, info.position);
  }
}

// Everything before workers start, on the run directory's host.
ExecutionPlan prepare(const RunOptions& o, const planner::Plan& plan, const std::string& work_dir, int world) {
  ExecutionPlan exec = map_for_run(o, plan, work_dir, world);
  prepare_data(exec, o);
  check_run_inputs(exec, o, work_dir);
  return exec;
}

// Whether this host sees rank 0's run directory (a shared file system): rank 0 writes a random
// token there and broadcasts it; a host that reads another token (or none) has its own disk.
bool shares_run_directory(Communicator& comm, const std::string& work_dir) {
  const std::string marker = work_dir + "/.rank0-token";
  const std::string token = broadcast_from_rank0(comm, [&] {
    std::random_device random;
    const std::string t = fmt::format("{:016x}{:08x}", (uint64_t(random()) << 32) | random(), ::getpid());
    write_file_atomically(marker, t);
    return t;
  });
  std::ifstream in(marker);
  std::string seen;
  in >> seen;
  return seen == token;
}

// Hang detection for a job of several ranks (none when off or alone).
std::unique_ptr<HeartbeatMonitor> watch_for_hangs(const RunOptions& o, const WorldInfo& world,
                                                  const std::string& work_dir) {
  // By default the stuck rank is named before its peers' collectives give up, but never within
  // 10 s: a step or a batch of evaluation may take seconds.
  const double hang = o.hang_timeout_seconds < 0 ? std::max(10.0, 0.75 * o.timeout_seconds)
                                                 : o.hang_timeout_seconds;
  if (world.world_size == 1 || hang == 0) return nullptr;
  HeartbeatOptions h;
  h.hang_timeout_seconds = hang;
  h.startup_timeout_seconds = o.rdzv_timeout_seconds;
  if (world.rank == 0) h.health_path = work_dir + "/health.json";
  return std::make_unique<HeartbeatMonitor>(world, h);
}

// Joins the job: the store and the connections come before anything else, so that no rank
// waits on another's data checks without a rendezvous to wait in.
std::unique_ptr<Communicator> join(const RunOptions& o, const WorldInfo& world) {
  CollectiveOptions co;
  co.timeout = std::chrono::milliseconds(int64_t(o.timeout_seconds * 1000));
  co.rendezvous_timeout = std::chrono::milliseconds(int64_t(o.rdzv_timeout_seconds * 1000));
  std::unique_ptr<Communicator> comm =
      world.world_size == 1  ? make_local_communicator()
      : o.backend == "nccl" ? make_nccl_communicator(world, co)
                             : make_gloo_communicator(world, co);
  if (world.world_size > 1) torch::set_num_threads(1);
  return comm;
}

int run_workers(const RunOptions& o, const planner::Plan& plan, const std::string& work_dir,
                Communicator* comm, ExecutionPlan exec, int nodes, torch::Device device) {
  // Joined: a stop signal now waits for the next step boundary, where it is checkpointed.
  set_stop_deferred(true);
  RunDirectory run_dir = RunDirectory::existing(work_dir);
  // Rank 0 reads the checkpoint and broadcasts it: the other hosts need no copy.
  std::optional<ResumePoint> resume;
  if (o.resume) {
    ResumePoint point;
    point.path = "rank 0's last checkpoint";
    point.bytes = broadcast_from_rank0(*comm, [&] {
      auto last = run_dir.last_checkpoint();
      if (!last) throw InputError(fmt::format("--resume: {} has no last_checkpoint to resume from", work_dir));
      point.path = *last;
      return read_checkpoint_bytes(*last);
    });
    point.info = checkpoint_info_of(point.bytes, point.path);
    resume = std::move(point);
  }
  std::vector<StageReport> reports;
  // Rank 0's closed loop: forecasts into forecast.jsonl and the deadline policy.
  std::unique_ptr<Forecaster> forecaster;
  if (comm->rank() == 0) {
    DeadlinePolicy deadline;
    if (!o.deadline.empty())
      deadline.deadline_s = planner::parse_duration_hours(o.deadline, "--deadline") * 3600;
    deadline.action = o.deadline_policy;
    if (o.mtbf_hours > 0) deadline.mtbf_hours = o.mtbf_hours;
    forecaster = std::make_unique<Forecaster>(exec.stages, comm->world_size(), run_dir, deadline);
  }
  bool skipping = resume.has_value();
  for (size_t index = 0; index < exec.stages.size(); ++index) {
    const ExecStage& stage = exec.stages[index];
    const ResumePoint* here = nullptr;
    if (skipping) {
      if (stage.id != resume->info.position.stage) continue;  // finished before the checkpoint
      skipping = false;
      if (resume->info.position.stage_done) continue;
      here = &*resume;
    }
    StageContext ctx{stage, *comm, run_dir, o, here, nodes, device};
    ctx.forecaster = forecaster.get();
    ctx.stage_index = index;
    ctx.may_shorten = !o.deadline.empty() && o.deadline_policy == "shorten";
    StageResult r;
    try {
      r = train_stage(ctx);
    } catch (const Error& e) {
      if (forecaster) forecaster->end_run("failed", e.what());
      throw;
    } catch (const StopRequested& stop) {
      if (forecaster)
        forecaster->end_run("stopped", fmt::format("stopped by {} in {}; continue with --resume",
                                                   signal_name(stop.signal()), stop.what()));
      if (comm->rank() == 0)
        std::fprintf(stderr,
                     "trainplan: stopped by %s in %s; the checkpoint is written: continue with "
                     "`trainplan run %s --work-dir %s --resume`\n",
                     signal_name(stop.signal()).c_str(), stop.what(), o.plan_path.c_str(),
                     work_dir.c_str());
      return 128 + stop.signal();
    }
    if (forecaster) forecaster->end_stage(r.seconds);
    reports.push_back({stage, r});
    if (comm->rank() == 0 && stage.id.rfind("pretrained-", 0) == 0) {
      fs::create_directories(work_dir + "/pretrained");
      fs::copy_file(run_dir.checkpoint_path(stage.id, "last"),
                    work_dir + "/pretrained/" + stage.id.substr(11) + ".pt",
                    fs::copy_options::overwrite_existing);
    }
    // --max-steps stops each stage, not the run: the next stage starts from this one's last
    // checkpoint, so every stage of a plan is exercised by a short run.
    comm->barrier();
    // The deadline policy "stop" ends the run: the later stages would start past it.
    if (r.deadline_stop) {
      if (forecaster)
        forecaster->end_run("finished", fmt::format("stopped at the deadline (policy stop) in "
                                                    "stage \"{}\"", stage.id));
      if (comm->rank() == 0)
        std::printf("stopped at the deadline (--deadline %s, policy stop) in stage \"%s\"; "
                    "its best checkpoint is %s\n",
                    o.deadline.c_str(), stage.id.c_str(),
                    run_dir.checkpoint_path(stage.id, "best").c_str());
      break;
    }
  }
  if (forecaster) {
    if (reports.empty() || !reports.back().result.deadline_stop) forecaster->end_run("finished", "");
    print_closing_table(reports, forecaster->stage_forecasts());
  }
  return 0;
}

}  // namespace

int run_plan(const RunOptions& given) {
  RunOptions o = given;
  const planner::Plan plan = planner::read_plan_file(o.plan_path);
  // Before any worker starts: `--backend nccl` without a GPU exits 2 here.
  const BackendChoice choice = choose_backend(o.device, o.backend);
  o.device = choice.device;
  o.backend = choice.backend;
  const auto env_world = world_from_environment(current_environment());
  // A launcher forwards SIGINT/SIGTERM to its workers; a worker stops at a step boundary.
  install_stop_handlers();
  if (!o.worker && !env_world && o.nproc > 1) {
    const std::string work_dir = work_dir_for(o, plan, /*fresh=*/!o.resume);
    RunDirectory::existing(work_dir).write_plan(planner::to_json(plan).dump(2) + "\n");
    ExecutionPlan exec = prepare(o, plan, work_dir, o.nproc);
    print_mapping(exec, o);
    std::fflush(stdout);
    LaunchOptions lo;
    lo.nproc = o.nproc;
    lo.log_dir = RunDirectory::existing(work_dir).log_dir();
    RunOptions worker = o;
    worker.worker = true;
    worker.work_dir = work_dir;
    lo.worker_argv = run_arguments(worker);
    lo.worker_argv.insert(lo.worker_argv.begin(), o.self_path);
    lo.term_grace_seconds = o.term_grace_seconds;
    // The launcher serves the rendezvous store on a port it keeps: no other program can take
    // the port between choosing it and rank 0 listening on it (torchrun's agent store).
    const auto store = host_store(lo.master_addr, o.nproc);
    lo.master_port = store->port();
    lo.agent_store = true;
    LaunchResult result = launch_local_workers(lo);
    if (result.stop_signal) {
      std::fprintf(stderr, "trainplan: %s", result.message.c_str());
      return 128 + result.stop_signal;
    }
    if (!result.ok) {
      std::fprintf(stderr, "trainplan: %s", result.message.c_str());
      return 1;
    }
    std::printf("run directory: %s\n", work_dir.c_str());
    return 0;
  }
  // One process: a launched worker, a torchrun/srun worker, or a world of one.
  WorldInfo world = env_world.value_or(WorldInfo{});
  // Before joining: a rank without its GPU says so instead of failing its peers' rendezvous.
  const torch::Device device = training_device(o.device, world.local_rank);
  std::string work_dir;
  ExecutionPlan exec;
  if (o.worker) {
    work_dir = o.work_dir;
    exec = map_for_run(o, plan, work_dir, world.world_size);
  } else if (world.world_size == 1) {
    work_dir = work_dir_for(o, plan, !o.resume);
    RunDirectory::existing(work_dir).write_plan(planner::to_json(plan).dump(2) + "\n");
    exec = prepare(o, plan, work_dir, 1);
    print_mapping(exec, o);
  }
  std::unique_ptr<Communicator> comm;
  std::unique_ptr<HeartbeatMonitor> heartbeat;
  if (!o.worker && world.world_size > 1) {
    // Started by torchrun, srun or mpirun: join first (rank 0 creates the store before any
    // data preparation), then rank 0 checks the data while the others wait up to
    // --rdzv-timeout. All ranks agree on runs/<plan-name> (or --work-dir).
    work_dir = work_dir_for(o, plan, /*fresh=*/false);
    comm = join(o, world);
    heartbeat = watch_for_hangs(o, world, work_dir);
    // A job its launcher restarted (torchrun --max-restarts, a Slurm requeue) continues from
    // its last checkpoint instead of training again from scratch over it.
    if (world.restart_count > 0 && !o.resume) {
      const std::string last = broadcast_from_rank0(*comm, [&] {
        return RunDirectory::existing(work_dir).last_checkpoint().value_or("");
      });
      o.resume = !last.empty();
      if (world.rank == 0)
        std::printf("%s restarted the job (restart %d): %s\n", world.launcher.c_str(),
                    world.restart_count,
                    o.resume ? ("continuing from " + last).c_str() : "no checkpoint yet, starting over");
    }
    exec = map_for_run(o, plan, work_dir, world.world_size);
    const auto within = std::chrono::milliseconds(int64_t(o.rdzv_timeout_seconds * 1000));
    if (world.rank == 0) {
      prepare_data(exec, o);
      check_run_inputs(exec, o, work_dir);
    }
    comm->barrier_within(within);
    // A host without a shared file system prepares its own data, after rank 0's (on a shared
    // one the data is there by then, and nothing is written twice).
    const bool shared = shares_run_directory(*comm, work_dir);
    if (world.rank != 0 && world.local_rank == 0 && !shared) {
      std::printf("rank %d: this host does not share rank 0's run directory %s: preparing its "
                  "own data\n", world.rank, work_dir.c_str());
      std::fflush(stdout);
      prepare_data(exec, o);
    }
    comm->barrier_within(within);
  } else {
    comm = join(o, world);
    heartbeat = watch_for_hangs(o, world, work_dir);
  }
  predict(exec, world.world_size);
  int code = run_workers(o, plan, work_dir, comm.get(), exec, world.node_count, device);
  if (world.rank == 0 && !o.worker) std::printf("run directory: %s\n", work_dir.c_str());
  return code;
}

}  // namespace trainplan::executor
