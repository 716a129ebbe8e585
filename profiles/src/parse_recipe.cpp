// Recipes: the published schedule (epochs, batch, optimizer) and the fields that tell the
// planner how far it may move from it (batch and epoch options, batch range, learning-rate
// scaling, high-resolution input, the models it is for). See docs/formats.md, "Recipes".
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "parse_profiles.hpp"
#include "trainplan/error.hpp"

namespace trainplan::profiles::detail {

namespace {

// Marks an absent optional key as known, so that an unknown-field message lists it among
// the accepted ones (the reader only lists keys it was asked for).
void note_optional(JsonObjectReader& in, const std::string& key) {
  if (!in.has(key)) in.string_or(key, "");
}

// The elements of an optional non-empty array, each checked by `read` (which gets the
// element and its JSON path); `fallback` when the key is absent.
template <typename T, typename Read>
std::vector<T> list_or(JsonObjectReader& in, const std::string& key, std::vector<T> fallback,
                       Read read) {
  if (!in.has(key)) {
    note_optional(in, key);
    return fallback;
  }
  const auto& list = in.array(key);
  if (list.empty()) in.fail(key, "expected a non-empty JSON array");
  std::vector<T> out;
  for (size_t i = 0; i < list.size(); ++i) {
    T value = read(list[i], fmt::format("{}: {}[{}]", in.origin(), in.path_of(key), i));
    if (std::find(out.begin(), out.end(), value) != out.end())
      throw InputError(fmt::format("{}: {}[{}]: {} is listed twice", in.origin(), in.path_of(key),
                                   i, json_excerpt(list[i])));
    out.push_back(value);
  }
  return out;
}

int read_per_gpu_batch(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number() || !(v.get<double>() >= 1) || v.get<double>() != std::floor(v.get<double>()) ||
      v.get<double>() > 65536)
    throw InputError(
        fmt::format("{}: expected a whole number of images per GPU, 1 to 65536, got {}", where,
                    json_excerpt(v)));
  return int(v.get<double>());
}

double read_epoch_share(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 1))
    throw InputError(
        fmt::format("{}: expected a share of the recipe's epochs, above 0 and at most 1, got {}",
                    where, json_excerpt(v)));
  return v.get<double>();
}

std::string read_model_name(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string() || v.get<std::string>().empty())
    throw InputError(fmt::format("{}: expected a model id or family (a non-empty string), got {}",
                                 where, json_excerpt(v)));
  return v.get<std::string>();
}

// The default options: the recipe's own per-GPU batch first, then half and double it (the
// search the planner ran before recipes could name their options).
std::vector<int> default_per_gpu_batches(const RecipeProfile& r) {
  // Clamped before the conversion: a huge global_batch must not overflow an int.
  const int own = int(std::clamp(std::floor(r.global_batch / r.gpus), 1.0, 65536.0));
  std::vector<int> out = {own};
  if (own >= 2) out.push_back(own / 2);
  out.push_back(own * 2);
  return out;
}

}  // namespace

RecipeProfile parse_recipe(JsonObjectReader in) {
  RecipeProfile r;
  r.id = in.string("id");
  r.name = in.string_or("name", r.id);
  r.kind = in.one_of("kind", {"pretrain", "finetune"});
  r.dataset = in.string("dataset");
  r.eval_dataset = in.string_or("eval_dataset", "");
  r.eval_interval_epochs = in.number_or("eval_interval_epochs", 1.0);
  r.epochs = in.number("epochs");
  r.global_batch = in.number("global_batch");
  r.gpus = in.number("gpus");
  if (!in.has("resolution")) in.fail("resolution", "missing required field");
  r.resolution =
      resolution_from_json(in.raw("resolution"), in.origin() + ": " + in.path_of("resolution"));
  r.amp = in.boolean_or("amp", true);
  r.mosaic = in.boolean_or("mosaic", true);
  const double close = in.number_or("close_mosaic_epochs", 0, /*positive=*/false);
  if (close != std::floor(close) || close > r.epochs)
    in.fail("close_mosaic_epochs",
            fmt::format("expected a whole number of epochs from 0 to the recipe's {:g}, got {:g}",
                        r.epochs, close));
  r.close_mosaic_epochs = int(close);
  if (auto opt = in.optional_object("optimizer")) {
    r.optimizer.type = opt->one_of("type", {"adamw", "sgd"});
    r.optimizer.lr = opt->number("lr");
    r.optimizer.weight_decay = opt->number_or("weight_decay", 0, false);
    r.optimizer.momentum = opt->number_or("momentum", 0, false);
    r.optimizer.warmup_epochs = opt->number_or("warmup_epochs", 0, false);
    opt->reject_unknown_keys();
  } else {
    in.fail("optimizer", "missing required field");
  }
  r.source = in.string("source");

  r.models = list_or<std::string>(in, "models", {}, read_model_name);
  r.per_gpu_batch_options =
      list_or<int>(in, "per_gpu_batch_options", default_per_gpu_batches(r), read_per_gpu_batch);
  r.epoch_shares = list_or<double>(in, "epoch_shares", r.epoch_shares, read_epoch_share);
  r.min_epoch_share = in.number_or("min_epoch_share", r.min_epoch_share);
  if (!(r.min_epoch_share > 0 && r.min_epoch_share <= 1))
    in.fail("min_epoch_share",
            fmt::format("expected a share of the recipe's epochs in (0, 1], got {:g}", r.min_epoch_share));
  r.max_global_batch_scale = in.number_or("max_global_batch_scale", r.max_global_batch_scale);
  if (r.max_global_batch_scale < 1)
    in.fail("max_global_batch_scale",
            fmt::format("expected a number >= 1 (a multiple of global_batch), got {:g}",
                        r.max_global_batch_scale));
  note_optional(in, "lr_scaling");
  note_optional(in, "high_resolution");
  if (in.has("lr_scaling")) r.lr_scaling = in.one_of("lr_scaling", {"linear", "sqrt", "none"});
  if (in.has("high_resolution")) {
    r.high_resolution = resolution_from_json(in.raw("high_resolution"),
                                             in.origin() + ": " + in.path_of("high_resolution"));
    // The planner tells high-resolution inputs apart by their width against `resolution`.
    if (r.high_resolution.width_px <= r.resolution.width_px)
      in.fail("high_resolution",
              fmt::format("{} is not larger than the recipe's resolution {}",
                          r.high_resolution.to_string(), r.resolution.to_string()));
  }
  in.reject_unknown_keys();
  return r;
}

}  // namespace trainplan::profiles::detail
