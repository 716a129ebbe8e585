#include "report_plan_charts.hpp"

#include <fmt/format.h>

#include "report_scaling.hpp"
#include "trainplan/error.hpp"
#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_simulation.hpp"

namespace trainplan::cli {

namespace {

using Json = nlohmann::ordered_json;

// The question the plan answers, as `ask` takes it: the plain text where there is one (intent,
// targets, epochs), then the plan's recorded resources and budget over it.
planner::Question question_of(const profiles::Catalog& catalog, const planner::Plan& plan) {
  const auto& pq = plan.question;
  planner::Question q =
      pq.text.empty() ? planner::Question{} : planner::parse_question(pq.text, catalog);
  q.gpus = pq.gpus;
  q.gpu_id = pq.gpu;
  q.gpus_per_node = pq.gpus_per_node;
  q.nodes.reset();  // the GPU count and node size above say it
  q.model_id = pq.model;
  if (pq.task != "custom") q.task = pq.task;
  q.budget_hours = pq.deadline_hours;
  q.max_cost_usd = pq.max_cost_usd;
  q.price_per_gpu_hour_usd = pq.price_per_gpu_hour_usd;
  return q;
}

// A bar panel of one measure per strategy, with its limit as a rule where there is one.
Json strategy_panel(const std::string& field, const std::string& title,
                    const std::optional<double>& limit, const std::string& limit_label) {
  Json bars;
  bars["mark"] = {{"type", "bar"}, {"tooltip", true}};
  bars["encoding"]["y"] = {
      {"field", "strategy"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
  bars["encoding"]["x"] = {{"field", field}, {"type", "quantitative"}, {"title", title}};
  bars["encoding"]["color"] = {{"field", "verdict"},
                               {"type", "nominal"},
                               {"title", nullptr},
                               {"scale",
                                {{"domain", {"recommended", "feasible", "not feasible"}},
                                 {"range", {"#2ca02c", "#1f77b4", "#bbbbbb"}}}},
                               {"legend", {{"orient", "bottom"}}}};
  Json panel;
  panel["width"] = 180;
  panel["height"] = 180;
  panel["transform"] = Json::array({{{"filter", fmt::format("isValid(datum.{})", field)}}});
  panel["layer"] = Json::array({bars});
  if (limit) panel["layer"].push_back(rule_layer("x", *limit, limit_label));
  return panel;
}

Chart strategies_chart(const profiles::Catalog& catalog, const planner::Plan& plan) {
  Chart c{"strategies", "Strategies compared",
          "Each strategy's best plan for the plan's question (as trainplan ask answers it): "
          "predicted time, cost and expected AP. Dashed lines: the deadline and the money budget.",
          std::nullopt, ""};
  try {
    const auto answer = planner::answer_question(catalog, question_of(catalog, plan));
    Json rows = Json::array();
    std::string left_out;
    for (const auto& v : answer.verdicts) {
      const auto& cand = v.candidate;
      const std::string name = planner::to_string(cand.strategy);
      if (!cand.applicable) {
        left_out +=
            fmt::format("{}{} ({})", left_out.empty() ? "" : "; ", name, cand.not_applicable);
        continue;
      }
      const auto& m = cand.plan.summary;
      Json row;
      row["strategy"] = name;
      row["verdict"] = cand.strategy == answer.recommended ? "recommended"
                       : cand.feasible                     ? "feasible"
                                                           : "not feasible";
      row["hours"] = m.makespan_seconds / 3600;
      row["cost_usd"] = m.cost_usd;
      row["expected_ap"] = m.expected_quality && !m.expected_quality->reference_only
                               ? Json(m.expected_quality->value)
                               : Json(nullptr);
      rows.push_back(row);
    }
    if (!left_out.empty()) c.caption += " Not applicable: " + left_out + ".";
    Json spec = vega_lite(rows);
    spec.erase("width");
    spec.erase("height");
    const auto& q = plan.question;
    spec["hconcat"] = {strategy_panel("hours", "time (hours)", q.deadline_hours, "deadline"),
                       strategy_panel("cost_usd", "cost (USD)", q.max_cost_usd, "budget")};
    bool any_ap = false;
    for (const auto& row : rows) any_ap = any_ap || row["expected_ap"].is_number();
    if (any_ap)
      spec["hconcat"].push_back(strategy_panel("expected_ap", "expected AP (%)", std::nullopt, ""));
    else  // an empty panel would look like AP 0
      c.caption += " No expected AP: the published figures are for other data than the question's.";
    c.spec = spec;
  } catch (const InputError& e) {
    c.missing = fmt::format("The plan's question could not be asked again: {}", e.what());
  }
  return c;
}

Chart scaling_chart(const profiles::Catalog& catalog, const planner::Plan& plan) {
  Chart c{"scaling", "GPU scaling of the main stage", "", std::nullopt, ""};
  const auto* stage = main_stage(plan);
  if (!stage) {
    c.missing = "No stage of this plan trains, so there is nothing to scale.";
    return c;
  }
  c.caption = fmt::format(
      "Predicted time of stage \"{}\" (the longest) on 1 to 64 GPUs from the cost model, per-GPU "
      "batch kept; the plan uses {}. Dashed line: the deadline.",
      stage->id, stage->gpus);
  Json rows = Json::array();
  for (const auto& p : scaling_curve(catalog, plan, *stage))
    rows.push_back({{"gpus", p.gpus},
                    {"hours", p.seconds / 3600},
                    {"cost_usd", p.cost_usd},
                    {"plan", p.gpus == stage->gpus ? "the plan's" : "other"}});
  if (rows.empty()) {
    c.missing = "The cost model accepts no GPU count from 1 to 64 for this stage.";
    return c;
  }
  Json line;
  line["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}};
  line["encoding"]["x"] = {{"field", "gpus"},
                           {"type", "quantitative"},
                           {"scale", {{"type", "log"}, {"base", 2}}},
                           {"title", "GPUs"},
                           {"axis", {{"values", {1, 2, 4, 8, 16, 32, 64}}}}};
  line["encoding"]["y"] = {{"field", "hours"},
                           {"type", "quantitative"},
                           {"scale", {{"type", "log"}}},
                           {"title", "predicted time (hours)"}};
  Json own;
  own["transform"] = Json::array({{{"filter", "datum.plan === \"the plan's\""}}});
  own["mark"] = {{"type", "point"}, {"size", 160}, {"color", "#2ca02c"}, {"filled", true}};
  own["encoding"] = {{"x", line["encoding"]["x"]}, {"y", line["encoding"]["y"]}};
  Json spec = vega_lite(rows);
  spec["layer"] = Json::array({line, own});
  if (plan.question.deadline_hours)
    spec["layer"].push_back(rule_layer("y", *plan.question.deadline_hours, "deadline"));
  c.spec = spec;
  return c;
}

Chart gantt_chart(const planner::Plan& plan) {
  Chart c{"stages", "Stages on the schedule",
          "Each stage from its predicted start to its predicted end (hours from the plan's "
          "start), with its GPUs. Dashed line: the deadline.",
          std::nullopt, ""};
  Json rows = Json::array();
  for (const auto& s : plan.stages)
    rows.push_back(
        {{"stage", s.id},
         {"kind", s.kind},
         {"gpus", s.gpus},
         {"start_h", s.prediction.start_seconds / 3600},
         {"end_h", s.prediction.end_seconds / 3600},
         {"p90_end_h", (s.prediction.start_seconds + s.prediction.total_seconds_p90) / 3600}});
  if (rows.empty()) {
    c.missing = "The plan has no stages.";
    return c;
  }
  Json bars;
  bars["mark"] = {{"type", "bar"}, {"tooltip", true}, {"height", 18}};
  bars["encoding"]["y"] = {{"field", "stage"}, {"type", "nominal"}, {"sort", nullptr}};
  bars["encoding"]["x"] = {
      {"field", "start_h"}, {"type", "quantitative"}, {"title", "hours from the start"}};
  bars["encoding"]["x2"] = {{"field", "end_h"}};
  bars["encoding"]["color"] = {{"field", "kind"}, {"type", "nominal"}};
  Json spec = vega_lite(rows);
  spec["height"] = std::max<std::size_t>(60, 34 * plan.stages.size());
  spec["layer"] = Json::array({bars});
  if (plan.question.deadline_hours)
    spec["layer"].push_back(rule_layer("x", *plan.question.deadline_hours, "deadline"));
  c.spec = spec;
  return c;
}

Chart finish_chart(const planner::Plan& plan, const ReportSimulation& sim) {
  const auto& r = sim.result;
  Chart c{"finish", "Finish time, Monte Carlo", "", std::nullopt, ""};
  c.caption = fmt::format(
      "Makespan of {} simulated runs (seed {}) with GPU failures at an MTBF of {} h per GPU and "
      "restarts from the last checkpoint: P50 {:.2f} h, P90 {:.2f} h{}. Dashed line: the deadline.",
      r.runs, r.seed,
      sim.options.mtbf_hours ? fmt::format("{:g}", *sim.options.mtbf_hours) : "none",
      r.p50_makespan_s / 3600, r.p90_makespan_s / 3600,
      r.deadline_probability
          ? fmt::format(", {:.1f}% within the deadline", 100 * *r.deadline_probability)
          : std::string());
  Json rows = Json::array();
  for (double s : sim.makespans_s) rows.push_back({{"hours", s / 3600}});
  Json bars;
  bars["mark"] = {{"type", "bar"}, {"tooltip", true}};
  bars["encoding"]["x"] = {{"field", "hours"},
                           {"type", "quantitative"},
                           {"bin", {{"maxbins", 40}}},
                           {"title", "makespan (hours)"}};
  bars["encoding"]["y"] = {{"aggregate", "count"},
                           {"type", "quantitative"},
                           {"title", "runs"},
                           {"scale", {{"type", "symlog"}}}};
  Json spec = vega_lite(rows);
  spec["layer"] = Json::array({bars});
  if (plan.question.deadline_hours)
    spec["layer"].push_back(rule_layer("x", *plan.question.deadline_hours, "deadline"));
  spec["layer"].push_back(rule_layer("x", r.p90_makespan_s / 3600, "P90", "#555555"));
  spec["resolve"] = {{"scale", {{"x", "shared"}}}};
  c.spec = spec;
  return c;
}

}  // namespace

ReportSimulation simulate_for_report(const profiles::Catalog& catalog, const planner::Plan& plan,
                                     const costmodel::SimulationOptions& options) {
  ReportSimulation out;
  out.options = planner::with_plan_defaults(plan, options);
  out.result = planner::simulate_plan(catalog, plan, options);
  const auto stages = planner::simulation_stages(catalog, plan);
  out.makespans_s.reserve(std::size_t(out.options.runs));
  // simulate() keeps percentiles only; the histogram needs every run, and the same draws.
  for (long long i = 0; i < out.options.runs; ++i)
    out.makespans_s.push_back(
        double(costmodel::simulate_timeline(stages, out.options, i).makespan_ns) /
        double(costmodel::kNsPerSecond));
  return out;
}

std::vector<Chart> plan_charts(const profiles::Catalog& catalog, const planner::Plan& plan,
                               const ReportSimulation& simulation) {
  return {strategies_chart(catalog, plan), scaling_chart(catalog, plan), gantt_chart(plan),
          finish_chart(plan, simulation)};
}

}  // namespace trainplan::cli
