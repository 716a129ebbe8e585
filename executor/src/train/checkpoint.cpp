#include "trainplan/executor/checkpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"

namespace trainplan::executor {

namespace {

constexpr const char* kMetaKey = "trainplan_meta";
// Parameters whose shape follows the vocabulary (re-initialised on a vocabulary change).
constexpr const char* kVocabularyParameter = "class_embeddings";

std::string meta_json(const TrainingPosition& p, const ModelIdentity& id, double best) {
  nlohmann::json j = {{"format", "trainplan/checkpoint@1"},
                      {"stage", p.stage},
                      {"epoch", p.epoch},
                      {"iteration", p.iteration},
                      {"global_step", p.global_step},
                      {"stage_done", p.stage_done},
                      {"size", id.size},
                      {"embed_dim", id.embed_dim},
                      {"vocabulary", id.vocabulary},
                      {"best_map50", best}};
  if (p.setup.world_size > 0)
    j["setup"] = {{"world_size", p.setup.world_size},
                  {"per_rank_batch", p.setup.per_rank_batch},
                  {"global_batch", p.setup.global_batch},
                  {"accumulation", p.setup.accumulation},
                  {"seed", p.setup.seed},
                  {"stage_hash", p.setup.stage_hash}};
  if (p.epochs_kept > 0) j["epochs_kept"] = p.epochs_kept;
  if (p.loss_scale.scale > 0)
    j["loss_scale"] = {{"scale", p.loss_scale.scale},
                       {"growth_tracker", p.loss_scale.growth_tracker}};
  return j.dump();
}

CheckpointInfo parse_meta(const std::string& text, const std::string& path) {
  try {
    auto j = nlohmann::json::parse(text);
    CheckpointInfo info;
    info.position.stage = j.at("stage");
    info.position.epoch = j.at("epoch");
    info.position.iteration = j.at("iteration");
    info.position.global_step = j.at("global_step");
    info.position.stage_done = j.at("stage_done");
    info.identity.size = j.at("size");
    info.identity.embed_dim = j.at("embed_dim");
    info.identity.vocabulary = j.at("vocabulary").get<std::vector<std::string>>();
    info.best_map50 = j.at("best_map50");
    info.position.epochs_kept = j.value("epochs_kept", 0);
    if (j.contains("loss_scale")) {
      info.position.loss_scale.scale = j.at("loss_scale").at("scale");
      info.position.loss_scale.growth_tracker = j.at("loss_scale").at("growth_tracker");
    }
    if (j.contains("setup")) {
      const auto& u = j.at("setup");
      info.position.setup.world_size = u.at("world_size");
      info.position.setup.per_rank_batch = u.at("per_rank_batch");
      info.position.setup.global_batch = u.at("global_batch");
      info.position.setup.accumulation = u.at("accumulation");
      info.position.setup.seed = u.at("seed");
      info.position.setup.stage_hash = u.at("stage_hash");
    }
    return info;
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not a trainplan checkpoint ({})", path, e.what()));
  }
}

std::string read_meta(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue meta;
  if (!archive.try_read(kMetaKey, meta) || !meta.isString())
    throw InputError(fmt::format("{}: not a trainplan checkpoint (no metadata)", path));
  return meta.toStringRef();
}

// `device`: where the tensors go (a checkpoint written on GPUs loads on a CPU and back).
void load_archive(torch::serialize::InputArchive& archive, const std::string& bytes,
                  const std::string& path, torch::Device device = torch::kCPU) {
  try {
    std::istringstream in(bytes);
    archive.load_from(in, device);
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw InputError(fmt::format("{}: cannot read the checkpoint: {}", path, what.substr(0, what.find('\n'))));
  }
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const TrainingPosition& position,
                     const ModelIdentity& identity, double best_map50) {
  torch::serialize::OutputArchive archive;
  archive.write(kMetaKey, c10::IValue(meta_json(position, identity, best_map50)));
  torch::NoGradGuard no_grad;
  for (const auto& p : model.named_parameters()) archive.write("model." + p.key(), p.value());
  for (const auto& b : model.named_buffers()) archive.write("buffer." + b.key(), b.value(), true);
  if (optimizer) {
    torch::serialize::OutputArchive opt;
    optimizer->save(opt);
    archive.write("optimizer", opt);
  }
  // The default generator's state, so anything drawn from it continues exactly after resume.
  auto generator = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("rng", generator.get_state(), true);
  }
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str());
}

std::string read_checkpoint_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: checkpoint not found", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) throw InputError(fmt::format("{}: cannot read the checkpoint", path));
  return bytes.str();
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  return checkpoint_info_of(read_checkpoint_bytes(path), path);
}

CheckpointInfo checkpoint_info_of(const std::string& bytes, const std::string& path) {
  torch::serialize::InputArchive archive;
  load_archive(archive, bytes, path);
  return parse_meta(read_meta(archive, path), path);
}

CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model,
                               torch::optim::Optimizer* optimizer, const ModelIdentity& expected,
                               bool weights_only) {
  return load_checkpoint_bytes(read_checkpoint_bytes(path), path, model, optimizer, expected,
                               weights_only);
}

CheckpointInfo load_checkpoint_bytes(const std::string& bytes, const std::string& path,
                                     torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                                     const ModelIdentity& expected, bool weights_only) {
  torch::serialize::InputArchive archive;
  const auto parameters = model.parameters();
  // Optimizer state must live where the parameters do.
  load_archive(archive, bytes, path, parameters.empty() ? torch::kCPU : parameters[0].device());
  CheckpointInfo info = parse_meta(read_meta(archive, path), path);
  const auto& got = info.identity;
  if (got.size != expected.size || got.embed_dim != expected.embed_dim)
    throw InputError(fmt::format("{}: the checkpoint is for a detector of size \"{}\" with {}-wide "
                                 "embeddings, not \"{}\" with {}",
                                 path, got.size, got.embed_dim, expected.size, expected.embed_dim));
  const bool same_vocabulary = got.vocabulary == expected.vocabulary;
  if (!weights_only && !same_vocabulary)
    throw InputError(fmt::format("{}: the checkpoint's vocabulary ({} classes) differs from the "
                                 "stage's ({} classes); resume needs the same classes",
                                 path, got.vocabulary.size(), expected.vocabulary.size()));
  torch::NoGradGuard no_grad;
  for (auto& p : model.named_parameters()) {
    if (!same_vocabulary && p.key().find(kVocabularyParameter) != std::string::npos) continue;
    torch::Tensor t;
    if (!archive.try_read("model." + p.key(), t) || !t.sizes().equals(p.value().sizes()))
      throw InputError(fmt::format("{}: parameter {} is missing or has another shape: the "
                                   "checkpoint was made for another model",
                                   path, p.key()));
    p.value().copy_(t);
  }
  for (auto& b : model.named_buffers()) {
    torch::Tensor t;
    if (archive.try_read("buffer." + b.key(), t, true) && t.sizes().equals(b.value().sizes()))
      b.value().copy_(t);
  }
  if (!weights_only) {
    if (optimizer) {
      torch::serialize::InputArchive opt;
      if (archive.try_read("optimizer", opt)) optimizer->load(opt);
    }
    torch::Tensor rng;
    if (archive.try_read("rng", rng, true)) {
      auto generator = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_state(rng.to(torch::kCPU));  // mapped to the model's device on load
    }
  }
  return info;
}

}  // namespace trainplan::executor
