#include "plan_printer.hpp"

#include <fmt/format.h>

#include "text_format.hpp"
#include "trainplan/planner/plan_json.hpp"
#include "trainplan/planner/quality.hpp"
#include "trainplan/planner/question_json.hpp"
#include "understood_printer.hpp"

namespace trainplan::cli {

namespace {

using planner::Strategy;

// A reference figure (the same recipe on COCO, for own data) is shown in parentheses.
std::string ap_text(const planner::Plan& plan) {
  const auto& q = plan.summary.expected_quality;
  if (!q) return "?";
  return q->reference_only ? fmt::format("({:.1f})", q->value) : fmt::format("{:.1f}", q->value);
}

std::string epochs_text(const planner::Plan& plan) {
  std::string out;
  for (const auto& s : plan.stages) {
    if (s.kind == "zero-shot") return "-";
    out += (out.empty() ? "" : "+") + fmt::format("{:g}", s.epochs);
  }
  return out;
}

std::string fits_text(const planner::Candidate& c) {
  if (!c.applicable) return "n/a: " + c.not_applicable;
  if (c.feasible) return "yes";
  const auto& m = c.plan.summary;
  std::string why = !m.fits_memory      ? "does not fit in GPU memory"
                    : !m.meets_deadline ? "over the time budget"
                    : !m.meets_budget   ? "over the money budget"
                                        : "below the quality floor";
  return "no: " + why;
}

int gpus_used(const planner::Plan& plan) {
  int most = 0;
  for (const auto& s : plan.stages) most = std::max(most, s.prediction.gpu_offset + s.gpus);
  return most;
}

std::string needs_text(int gpus) { return gpus > 0 ? fmt::format("{}", gpus) : std::string(">1024"); }

void print_finetune_details(std::ostream& out, const planner::Answer& a) {
  const auto& full = a.verdict(Strategy::kFineTune).candidate;
  if (!full.applicable || full.plan.stages.empty()) return;
  const auto& s = full.plan.stages.back();
  const auto& p = s.prediction;
  out << fmt::format("\nFine-tune on {} x {}: {} images per GPU {} ({} per pass, {} accumulation "
                     "step{}; {:.1f} GB per GPU); an epoch takes {}, {:g} epochs {}\n",
                     s.gpus, a.question.gpu_id, p.per_gpu_batch,
                     p.fits_memory ? "fit" : "do NOT fit", p.micro_batch, p.accumulation_steps,
                     p.accumulation_steps > 1 ? "s" : "", p.memory_gb,
                     format_duration(p.seconds_per_iter * p.iters_per_epoch), s.epochs,
                     format_duration(p.total_seconds));
  const auto& frozen = a.verdict(Strategy::kFrozenFineTune).candidate;
  if (!frozen.applicable || frozen.plan.stages.empty()) return;
  const auto& f = frozen.plan.stages.back();
  const double saved = 1 - f.prediction.seconds_per_iter / std::max(1e-9, p.seconds_per_iter);
  out << fmt::format("Freezing the backbone: {:.1f} GB per GPU, an epoch takes {}: {:.0f}% less "
                     "time, expected {} AP instead of {} -> {}\n",
                     f.prediction.memory_gb,
                     format_duration(f.prediction.seconds_per_iter * f.prediction.iters_per_epoch),
                     100 * saved, ap_text(frozen.plan), ap_text(full.plan),
                     frozen.feasible && !full.feasible ? "it helps: it fits where the full fine-tune does not"
                     : saved > 0.15 ? "it helps when time matters more than accuracy"
                                    : "it does not help much");
}

}  // namespace

void print_plan(std::ostream& out, const planner::Plan& plan) {
  out << fmt::format("plan {} ({}), {} x {}\n", plan.name, plan.strategy, plan.question.gpus,
                     plan.question.gpu);
  out << fmt::format("  {:<24} {:<12} {:<16} {:>5} {:>6} {:>6} {:>5} {:>9} {:>10} {:>10} {:>10}\n",
                     "stage", "kind", "dataset", "input", "epochs", "batch", "GPUs", "s/iter",
                     "start", "duration", "lr");
  for (const auto& s : plan.stages) {
    const auto& p = s.prediction;
    out << fmt::format("  {:<24} {:<12} {:<16} {:>5} {:>6g} {:>6} {:>5} {:>9.3f} {:>10} {:>10} {:>10.2e}\n",
                       s.id, s.kind, s.dataset, s.resolution.to_string(), s.epochs, s.global_batch,
                       s.gpus, p.seconds_per_iter, format_duration(p.start_seconds),
                       format_duration(p.total_seconds), s.lr);
    out << fmt::format("      init {}, trainable {}, {} per GPU ({} per pass x {}), {:.1f} GB per GPU{}\n",
                       s.init, s.trainable, p.per_gpu_batch, p.micro_batch, p.accumulation_steps,
                       p.memory_gb, s.depends_on.empty() ? "" : ", after " + s.depends_on.front());
  }
  const auto& m = plan.summary;
  out << fmt::format("  makespan {} ({}), {:.0f} GPU-hours, {}", format_duration(m.makespan_seconds),
                     format_likely_range(m.makespan_p10_seconds, m.makespan_p90_seconds),
                     m.gpu_hours, format_usd(m.cost_usd));
  if (m.expected_quality)
    out << fmt::format(", expected {} ({})", planner::quality_summary(m.expected_quality),
                       m.expected_quality->basis);
  out << "\n";
}

void print_answer(std::ostream& out, const planner::Answer& a) {
  print_understood(out, a.question);
  out << "Assumptions:\n";
  for (const auto& line : a.assumptions) out << "  - " << line << "\n";
  out << fmt::format("\nStrategies on {} x {} (the best plan of each):\n", a.question.gpus,
                     a.question.gpu_id);
  out << fmt::format("  {:<25} {:>5} {:>7} {:>5} {:>11} {:<19} {:>9} {:>8} {:>6}  {}\n",
                     "strategy", "GPUs", "epochs", "input", "time", "", "GPU-h", "cost", "AP",
                     "fits");
  for (const auto& v : a.verdicts) {
    const auto& c = v.candidate;
    if (!c.applicable) {
      out << fmt::format("  {:<25} {:>5} {:>7} {:>5} {:>11} {:<19} {:>9} {:>8} {:>6}  {}\n",
                         planner::to_string(c.strategy), "-", "-", "-", "-", "", "-", "-", "-",
                         fits_text(c));
      continue;
    }
    const auto& m = c.plan.summary;
    const bool zero = c.strategy == Strategy::kZeroShot;
    out << fmt::format("  {:<25} {:>5} {:>7} {:>5} {:>11} {:<19} {:>9.0f} {:>8} {:>6}  {}\n",
                       planner::to_string(c.strategy), zero ? "-" : std::to_string(gpus_used(c.plan)),
                       epochs_text(c.plan),
                       zero ? "640" : c.plan.stages.back().resolution.to_string(),
                       zero ? "0" : format_duration(m.makespan_seconds),
                       zero ? "" : "(" + format_likely_range(m.makespan_p10_seconds,
                                                             m.makespan_p90_seconds) + ")",
                       m.gpu_hours,
                       format_usd(m.cost_usd), ap_text(c.plan), fits_text(c));
  }
  const auto& q = a.plan().summary.expected_quality;
  if (q && q->reference_only)
    out << fmt::format("  (AP): the same recipe on {}; the quality on your own data is unknown\n",
                       q->dataset);
  bool header = false;
  for (const auto& v : a.verdicts) {
    if (v.gpus_for_one_day < 0 && v.gpus_for_budget < 0 && v.most_epochs < 0) continue;
    if (!header) out << fmt::format("\nWhat would make it fit (same GPU type, {} per server):\n", a.question.gpus_per_node);
    header = true;
    std::string line = fmt::format("  {:<25}", planner::to_string(v.candidate.strategy));
    if (v.gpus_for_budget >= 0) line += fmt::format(" {} GPUs within the budget;", needs_text(v.gpus_for_budget));
    if (v.most_epochs > 0) line += fmt::format(" {:g} fine-tune epochs fit on {} GPUs;", v.most_epochs, a.question.gpus);
    if (v.gpus_for_one_day >= 0)
      line += fmt::format(" {} GPUs for one day, {} for two days", needs_text(v.gpus_for_one_day),
                          needs_text(v.gpus_for_two_days));
    out << line << "\n";
  }
  out << fmt::format("\nRecommendation: {}\n", planner::to_string(a.recommended));
  for (const auto& r : a.reasons) out << "  - " << r << "\n";
  out << "\n";
  print_plan(out, a.plan());
  if (a.cheapest && a.cheapest->summary.cost_usd < a.plan().summary.cost_usd - 0.5)
    out << fmt::format("Cheapest plan within the deadline: {} GPUs, {}, {}\n",
                       gpus_used(*a.cheapest), format_duration(a.cheapest->summary.makespan_seconds),
                       format_usd(a.cheapest->summary.cost_usd));
  print_finetune_details(out, a);
}

nlohmann::ordered_json answer_json(const planner::Answer& a) {
  nlohmann::ordered_json j;
  const auto& q = a.question;
  j["question"] = planner::question_to_json(q);
  j["assumptions"] = a.assumptions;
  j["strategies"] = nlohmann::ordered_json::array();
  auto need = [](int n) { return n < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(n); };
  for (const auto& v : a.verdicts) {
    const auto& c = v.candidate;
    nlohmann::ordered_json s;
    s["strategy"] = planner::to_string(c.strategy);
    s["applicable"] = c.applicable;
    if (!c.applicable) {
      s["reason"] = c.not_applicable;
      j["strategies"].push_back(s);
      continue;
    }
    const auto& m = c.plan.summary;
    s["feasible"] = c.feasible;
    s["gpus"] = gpus_used(c.plan);
    s["total_seconds"] = m.makespan_seconds;
    s["total_hours"] = m.makespan_seconds / 3600;
    s["total_seconds_p10"] = m.makespan_p10_seconds;
    s["total_seconds_p90"] = m.makespan_p90_seconds;
    s["gpu_hours"] = m.gpu_hours;
    s["cost_usd"] = m.cost_usd;
    s["fits_memory"] = m.fits_memory;
    s["meets_budget"] = m.meets_deadline;
    s["meets_cost"] = m.meets_budget;
    // The AP only where it is the asker's; a reference figure for own data is in the plan.
    s["expected_ap"] = m.expected_quality && !m.expected_quality->reference_only
                           ? nlohmann::ordered_json(m.expected_quality->value) : nullptr;
    s["gpus_needed"] = {{"budget", need(v.gpus_for_budget)},
                        {"one_day", need(v.gpus_for_one_day)},
                        {"two_days", need(v.gpus_for_two_days)}};
    s["most_epochs_within_budget"] = v.most_epochs < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.most_epochs);
    s["plan"] = planner::to_json(c.plan);
    j["strategies"].push_back(s);
  }
  j["recommended"] = planner::to_string(a.recommended);
  j["reasons"] = a.reasons;
  j["rules"] = nlohmann::ordered_json::array();
  for (const auto& r : a.rules)
    j["rules"].push_back({{"rule", r.name}, {"statement", r.statement}, {"applies", r.applies},
                          {"fact", r.fact},
                          {"leads_to", r.leads_to ? nlohmann::ordered_json(planner::to_string(*r.leads_to))
                                                  : nlohmann::ordered_json(nullptr)},
                          {"chosen", r.chosen}});
  j["cheapest_within_deadline"] = a.cheapest ? planner::to_json(*a.cheapest) : nlohmann::ordered_json(nullptr);
  return j;
}

}  // namespace trainplan::cli
