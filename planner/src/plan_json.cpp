#include "trainplan/planner/plan_json.hpp"

#include <fmt/format.h>

#include <cmath>

#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"
#include "trainplan/json_reader.hpp"
#include "trainplan/planner/plan_graph.hpp"

namespace trainplan::planner {

namespace {

using ojson = nlohmann::ordered_json;

ojson optional_number(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }

ojson resolution_json(const profiles::Resolution& r) {
  if (r.width_px == r.height_px) return ojson(r.width_px);
  return ojson(r.to_string());
}

ojson stage_json(const PlanStage& s) {
  ojson j;
  j["id"] = s.id;
  j["kind"] = s.kind;
  j["depends_on"] = s.depends_on;
  j["init"] = s.init;
  j["model"] = s.model;
  j["dataset"] = s.dataset;
  j["eval_dataset"] = s.eval_dataset;
  j["resolution"] = resolution_json(s.resolution);
  j["epochs"] = s.epochs;
  j["global_batch"] = s.global_batch;
  j["gpus"] = s.gpus;
  j["nodes"] = s.nodes;
  j["trainable"] = s.trainable;
  j["optimizer"] = {{"type", s.optimizer.type},
                    {"weight_decay", s.optimizer.weight_decay},
                    {"momentum", s.optimizer.momentum},
                    {"warmup_epochs", s.optimizer.warmup_epochs}};
  j["lr"] = s.lr;
  if (s.augment)
    j["augment"] = {{"mosaic", s.augment->mosaic},
                    {"close_mosaic_epochs", s.augment->close_mosaic_epochs}};
  if (s.amp) j["amp"] = *s.amp;
  const auto& p = s.prediction;
  j["prediction"] = {{"seconds_per_iter", p.seconds_per_iter},
                     {"iters_per_epoch", p.iters_per_epoch},
                     {"total_seconds", p.total_seconds},
                     {"total_seconds_p10", p.total_seconds_p10},
                     {"total_seconds_p90", p.total_seconds_p90},
                     {"start_seconds", p.start_seconds},
                     {"end_seconds", p.end_seconds},
                     {"gpu_offset", p.gpu_offset},
                     {"per_gpu_batch", p.per_gpu_batch},
                     {"micro_batch", p.micro_batch},
                     {"accumulation_steps", p.accumulation_steps},
                     {"memory_gb", p.memory_gb},
                     {"fits_memory", p.fits_memory},
                     {"gpu_hours", p.gpu_hours},
                     {"cost_usd", p.cost_usd}};
  return j;
}

int whole(JsonObjectReader& in, const std::string& key, bool positive = true) {
  double v = in.number(key, positive);
  if (v != std::floor(v) || std::fabs(v) > 1e9)
    in.fail(key, fmt::format("expected a whole number, got {}", v));
  return int(v);
}

// A list of non-empty strings; `what` names one element in messages ("a stage id").
std::vector<std::string> string_list(JsonObjectReader& in, const std::string& key,
                                     const char* what) {
  const auto& list = in.array(key);
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string() || list[i].get<std::string>().empty())
      throw InputError(fmt::format("{}: {}[{}]: expected {} (a non-empty string), got {}",
                                   in.origin(), in.path_of(key), i, what, json_excerpt(list[i])));
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

std::optional<double> nullable_number(JsonObjectReader& in, const std::string& key) {
  if (in.has(key) && in.raw(key).is_null()) return std::nullopt;
  return in.optional_number(key);
}

PlanQuestion question_from(JsonObjectReader in) {
  PlanQuestion q;
  q.text = in.string_or("text", "");
  q.gpus = whole(in, "gpus");
  q.gpu = in.string("gpu");
  q.gpus_per_node = whole(in, "gpus_per_node");
  q.deadline_hours = nullable_number(in, "deadline_hours");
  q.max_cost_usd = nullable_number(in, "max_cost_usd");
  // Only the local CPU host is free; a GPU plan with no price is a mistake.
  q.price_per_gpu_hour_usd = in.number("price_per_gpu_hour_usd", /*positive=*/q.gpu != "cpu");
  q.task = in.string("task");
  q.model = in.string("model");
  in.reject_unknown_keys();
  return q;
}

StagePrediction prediction_from(JsonObjectReader in) {
  StagePrediction p;
  p.seconds_per_iter = in.number("seconds_per_iter", false);
  p.iters_per_epoch = (long long)in.number("iters_per_epoch", false);
  p.total_seconds = in.number("total_seconds", false);
  p.total_seconds_p10 = in.number_or("total_seconds_p10", p.total_seconds, false);
  p.total_seconds_p90 = in.number_or("total_seconds_p90", p.total_seconds, false);
  p.start_seconds = in.number("start_seconds", false);
  p.end_seconds = in.number("end_seconds", false);
  p.gpu_offset = whole(in, "gpu_offset", false);
  p.per_gpu_batch = whole(in, "per_gpu_batch", false);
  p.micro_batch = whole(in, "micro_batch", false);
  p.accumulation_steps = whole(in, "accumulation_steps", false);
  p.memory_gb = in.number("memory_gb", false);
  p.fits_memory = in.boolean_or("fits_memory", true);
  p.gpu_hours = in.number("gpu_hours", false);
  p.cost_usd = in.number("cost_usd", false);
  in.reject_unknown_keys();
  return p;
}

// Absent fields: mosaic off, no close-mosaic epochs (what plans before them meant). More
// close-mosaic epochs than the stage has are accepted and mean no mosaic at all (as in
// YOLOv8 and mmyolo): a hand-shortened stage need not edit its augment too.
PlanAugment augment_from(JsonObjectReader in) {
  PlanAugment a;
  a.mosaic = in.boolean_or("mosaic", false);
  a.close_mosaic_epochs = in.has("close_mosaic_epochs") ? whole(in, "close_mosaic_epochs", false) : 0;
  in.reject_unknown_keys();
  return a;
}

PlanStage stage_from(JsonObjectReader in) {
  PlanStage s;
  s.id = in.string("id");
  s.kind = in.one_of("kind", {"zero-shot", "prompt-tune", "finetune", "pretrain", "progressive"});
  s.depends_on = string_list(in, "depends_on", "a stage id");
  s.init = in.string("init");
  if (s.init != "scratch" && s.init.rfind("pretrained:", 0) != 0 && s.init.rfind("stage:", 0) != 0)
    in.fail("init", fmt::format("\"{}\" is not accepted; expected scratch, pretrained:<weights> "
                                "or stage:<id>",
                                s.init));
  s.model = in.string("model");
  s.dataset = in.string("dataset");
  s.eval_dataset = in.has("eval_dataset") && in.raw("eval_dataset") == "" ? "" : in.string_or("eval_dataset", "");
  if (!in.has("resolution")) in.fail("resolution", "missing required field");
  s.resolution = profiles::resolution_from_json(in.raw("resolution"),
                                                in.origin() + ": " + in.path_of("resolution"));
  s.epochs = in.number("epochs", /*positive=*/s.kind != "zero-shot");
  // Only an evaluation-only (zero-shot) stage has no batch to train with.
  s.global_batch = whole(in, "global_batch", /*positive=*/s.kind != "zero-shot");
  s.gpus = whole(in, "gpus");
  s.nodes = whole(in, "nodes");
  s.trainable = in.one_of("trainable", {"all", "frozen-backbone", "embeddings"});
  auto opt = in.optional_object("optimizer");
  if (!opt) in.fail("optimizer", "missing required field");
  s.optimizer.type = opt->one_of("type", {"adamw", "sgd"});
  s.optimizer.weight_decay = opt->number_or("weight_decay", 0, false);
  s.optimizer.momentum = opt->number_or("momentum", 0, false);
  s.optimizer.warmup_epochs = opt->number_or("warmup_epochs", 0, false);
  opt->reject_unknown_keys();
  s.lr = in.number("lr", /*positive=*/false);
  if (in.has("augment")) s.augment = augment_from(*in.optional_object("augment"));
  if (in.has("amp")) s.amp = in.boolean_or("amp", false);
  auto prediction = in.optional_object("prediction");
  if (!prediction) in.fail("prediction", "missing required field");
  s.prediction = prediction_from(*prediction);
  if (s.kind != "zero-shot" && s.global_batch % s.gpus != 0)
    in.fail("global_batch", fmt::format("{} is not divisible by the stage's {} GPUs",
                                        s.global_batch, s.gpus));
  in.reject_unknown_keys();
  return s;
}

void check_format(JsonObjectReader& in) {
  const std::string format = in.string("format");
  const std::string prefix = "trainplan/plan@";
  if (format.rfind(prefix, 0) != 0)
    in.fail("format", fmt::format("\"{}\" is not a trainplan plan; expected \"{}\"", format,
                                  kPlanFormat));
  const std::string version = format.substr(prefix.size());
  if (version.empty() || version.find_first_not_of("0123456789") != std::string::npos)
    in.fail("format", fmt::format("\"{}\" has no version number; expected \"{}\"", format,
                                  kPlanFormat));
  if (std::stoi(version) > kPlanFormatVersion)
    in.fail("format", fmt::format("\"{}\" is a newer plan format than this trainplan reads "
                                  "({}); upgrade trainplan",
                                  format, kPlanFormat));
}

}  // namespace

ojson to_json(const Plan& plan) {
  ojson j;
  j["format"] = plan.format;
  j["name"] = plan.name;
  j["strategy"] = plan.strategy;
  const auto& q = plan.question;
  j["question"] = {{"text", q.text},
                   {"gpus", q.gpus},
                   {"gpu", q.gpu},
                   {"gpus_per_node", q.gpus_per_node},
                   {"deadline_hours", optional_number(q.deadline_hours)},
                   {"max_cost_usd", optional_number(q.max_cost_usd)},
                   {"price_per_gpu_hour_usd", q.price_per_gpu_hour_usd},
                   {"task", q.task},
                   {"model", q.model}};
  j["stages"] = ojson::array();
  for (const auto& s : plan.stages) j["stages"].push_back(stage_json(s));
  const auto& m = plan.summary;
  j["summary"] = {{"makespan_seconds", m.makespan_seconds},
                  {"makespan_p10_seconds", m.makespan_p10_seconds},
                  {"makespan_p90_seconds", m.makespan_p90_seconds},
                  {"gpu_hours", m.gpu_hours},
                  {"cost_usd", m.cost_usd},
                  {"meets_deadline", m.meets_deadline},
                  {"meets_budget", m.meets_budget},
                  {"fits_memory", m.fits_memory}};
  if (m.expected_quality) {
    const auto& e = *m.expected_quality;
    j["summary"]["expected_quality"] = {{"metric", e.metric}, {"dataset", e.dataset},
                                        {"value", e.value},   {"basis", e.basis},
                                        {"source", e.source}, {"reference_only", e.reference_only}};
  } else {
    j["summary"]["expected_quality"] = nullptr;
  }
  j["reasons"] = plan.reasons;
  return j;
}

Plan plan_from_json(const nlohmann::json& document, const std::string& origin) {
  JsonObjectReader in(document, origin, "$");
  check_format(in);
  Plan plan;
  plan.format = kPlanFormat;
  plan.name = in.string("name");
  plan.strategy = in.string("strategy");
  auto question = in.optional_object("question");
  if (!question) in.fail("question", "missing required field");
  plan.question = question_from(*question);
  const auto& stages = in.array("stages");
  if (stages.empty()) in.fail("stages", "a plan needs at least one stage");
  for (size_t i = 0; i < stages.size(); ++i)
    plan.stages.push_back(stage_from(JsonObjectReader(stages[i], origin, fmt::format("$.stages[{}]", i))));
  auto summary = in.optional_object("summary");
  if (!summary) in.fail("summary", "missing required field");
  plan.summary.makespan_seconds = summary->number("makespan_seconds", false);
  plan.summary.makespan_p10_seconds =
      summary->number_or("makespan_p10_seconds", plan.summary.makespan_seconds, false);
  plan.summary.makespan_p90_seconds =
      summary->number_or("makespan_p90_seconds", plan.summary.makespan_seconds, false);
  plan.summary.gpu_hours = summary->number("gpu_hours", false);
  plan.summary.cost_usd = summary->number("cost_usd", false);
  plan.summary.meets_deadline = summary->boolean_or("meets_deadline", true);
  plan.summary.meets_budget = summary->boolean_or("meets_budget", true);
  plan.summary.fits_memory = summary->boolean_or("fits_memory", true);
  if (summary->has("expected_quality") && !summary->raw("expected_quality").is_null()) {
    auto e = summary->optional_object("expected_quality");
    ExpectedQuality q;
    q.metric = e->string("metric");
    q.dataset = e->string("dataset");
    q.value = e->number("value", false);
    q.basis = e->string_or("basis", "");
    q.source = e->string_or("source", "");
    q.reference_only = e->boolean_or("reference_only", false);
    e->reject_unknown_keys();
    plan.summary.expected_quality = q;
  }
  summary->reject_unknown_keys();
  if (in.has("reasons")) plan.reasons = string_list(in, "reasons", "a reason");
  in.reject_unknown_keys();
  check_stage_graph(plan, origin);
  return plan;
}

Plan read_plan_file(const std::string& path) { return plan_from_json(parse_json_file(path), path); }

void write_plan_file(const Plan& plan, const std::string& path) {
  write_file_atomically(path, to_json(plan).dump(2) + "\n");
}

}  // namespace trainplan::planner
