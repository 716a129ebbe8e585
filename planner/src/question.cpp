#include "trainplan/planner/question.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>

#include <utility>

#include "question_reader.hpp"
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/error.hpp"

namespace trainplan::planner {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

double to_number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

double unit_hours(const std::string& unit) {
  if (unit.empty() || unit[0] == 'h') return 1;
  if (unit[0] == 'd') return 24;
  if (unit[0] == 'w') return 24 * 7;
  if (unit[0] == 's') return 1.0 / 3600;  // s, sec, seconds (a test run's deadline)
  return 1.0 / 60;  // m, min, minutes
}

const profiles::Catalog& embedded_catalog() {
  static const profiles::Catalog catalog = profiles::Catalog::embedded();
  return catalog;
}

}  // namespace

const char* question_examples() {
  return "  trainplan ask \"4 GPUs, 1 day budget?\"\n"
         "  trainplan ask \"4 nodes of 8 A100 40GB, a weekend, pre-train YOLO-World-L\"\n"
         "  trainplan ask \"我有两张4090，三天，在自己的数据集（2万张）上微调YOLO-World-S\"\n"
         "  trainplan ask \"8xA100 for 36 hours\"\n"
         "  trainplan ask \"2 H100, 12h, $300\"\n"
         "  trainplan ask \"Can I fine-tune YOLO-World-L on 4 RTX A5000 in 2 days?\"\n"
         "  trainplan ask --gpus 4 --budget 1d [--gpu ID] [--model ID] [--task coco|lvis|DATASET]";
}

std::string gpu_id_from_name(const std::string& name, const profiles::Catalog& catalog) {
  for (const auto& gpu : catalog.gpus())
    if (gpu.id == lower(name)) return gpu.id;
  return reading::Reader(name, catalog).whole_gpu_name();
}

std::string gpu_id_from_name(const std::string& name) {
  return gpu_id_from_name(name, embedded_catalog());
}

const std::vector<std::string>& question_intents() {
  static const std::vector<std::string> intents = {
      "finetune", "pretrain", "from-scratch", "changed-model", "general-detection",
      "prompt-tune", "frozen-backbone", "high-resolution"};
  return intents;
}

void set_intent(Question& q, const std::string& intent, const std::string& what) {
  const auto& known = question_intents();
  if (std::find(known.begin(), known.end(), intent) == known.end()) {
    std::string accepted;
    for (const auto& i : known) accepted += (accepted.empty() ? "" : ", ") + i;
    throw InputError(fmt::format("{}: \"{}\" is not accepted; expected one of: {}", what, intent, accepted));
  }
  q.intent = intent;
  if (intent == "changed-model") q.changed_model = true;
  if (intent == "general-detection" && !q.task_given) {
    q.task = "general";
    q.task_given = true;
  }
  // The high-resolution recipe (YOLO-World-v2-L-1280) fine-tunes at 1280.
  if (intent == "high-resolution" && q.resolutions.empty()) q.resolutions = {{1280, 1280}};
}

double parse_duration_hours(const std::string& text, const std::string& what) {
  // One or more NUMBER UNIT parts ("36h", "1.5 days", "1d12h"), or a bare number of hours.
  static const std::regex part(
      R"(\s*([0-9]+(?:\.[0-9]+)?)\s*(hours?|hrs?|h|days?|d|weeks?|wks?|w|minutes?|mins?|m|seconds?|secs?|s)?)");
  const std::string t = lower(text);
  double hours = 0;
  int parts = 0;
  bool bare = false;
  auto it = std::sregex_iterator(t.begin(), t.end(), part);
  size_t consumed = 0;
  for (; it != std::sregex_iterator(); ++it) {
    if (size_t(it->position(0)) != consumed) break;
    consumed += it->length(0);
    bare = bare || !(*it)[2].matched;
    hours += to_number((*it)[1]) * unit_hours((*it)[2]);
    ++parts;
  }
  while (consumed < t.size() && std::isspace(static_cast<unsigned char>(t[consumed]))) ++consumed;
  if (parts == 0 || consumed != t.size() || (bare && parts > 1))
    throw InputError(fmt::format("{}: \"{}\" is not a duration; accepted: 36h, 1d, 1.5days, 1d12h, "
                                 "90m, 45s, 2w, or a number of hours",
                                 what, text));
  if (!(hours > 0) || !std::isfinite(hours))
    throw InputError(fmt::format("{}: \"{}\" is not accepted; a duration must be greater than 0",
                                 what, text));
  return hours;
}

double parse_money_usd(const std::string& text, const std::string& what) {
  // "$20,000", "1.5k", "2500 USD": thousands separators only in groups of three.
  static const std::regex form(
      R"(^\s*(?:us)?\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\s*(k)?\s*(usd)?\s*$)");
  std::smatch m;
  std::string t = lower(text);
  if (!std::regex_match(t, m, form))
    throw InputError(fmt::format("{}: \"{}\" is not an amount in US dollars; accepted: 300, $300, "
                                 "$20,000, 1.5k",
                                 what, text));
  std::string digits = m[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  double usd = to_number(digits + m[2].str()) * (m[3].matched ? 1000 : 1);
  if (!(usd > 0) || !std::isfinite(usd))
    throw InputError(fmt::format("{}: \"{}\" is not accepted; an amount must be greater than 0",
                                 what, text));
  return usd;
}

Question parse_question(const std::string& text, const profiles::Catalog& catalog) {
  return reading::Reader(text, catalog).read();
}

Question parse_question(const std::string& text) { return parse_question(text, embedded_catalog()); }

}  // namespace trainplan::planner
