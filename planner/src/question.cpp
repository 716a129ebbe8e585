#include "trainplan/planner/question.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <utility>

#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/error.hpp"

namespace trainplan::planner {

namespace {

// A count as written, saturated above the largest cluster so that "99999999999 GPUs" is
// refused as too many rather than overflowing.
int gpu_count_of(const std::string& digits) {
  if (digits.size() > 9) return costmodel::kMaxGpus + 1;
  return std::min(std::atoi(digits.c_str()), costmodel::kMaxGpus + 1);
}

// Common names first (longest first, so "v100s" wins over "v100"), then canonical ids.
const std::vector<std::pair<const char*, const char*>>& gpu_names() {
  static const std::vector<std::pair<const char*, const char*>> names = {
      {"v100-sxm2-16gb", "v100-sxm2-16gb"}, {"v100-sxm2-32gb", "v100-sxm2-32gb"},
      {"v100s-pcie-32gb", "v100s-pcie-32gb"}, {"a100-sxm4-40gb", "a100-sxm4-40gb"},
      {"a100-sxm4-80gb", "a100-sxm4-80gb"}, {"a100-pcie-80gb", "a100-pcie-80gb"},
      {"a800-sxm4-80gb", "a800-sxm4-80gb"}, {"h100-sxm5-80gb", "h100-sxm5-80gb"},
      {"h100-pcie-80gb", "h100-pcie-80gb"}, {"h800-sxm5-80gb", "h800-sxm5-80gb"},
      {"h200-sxm-141gb", "h200-sxm-141gb"}, {"rtx-2080ti", "rtx-2080ti"},
      {"rtx-3090", "rtx-3090"}, {"rtx-4090", "rtx-4090"}, {"rtx-a5000", "rtx-a5000"},
      {"rtx a5000", "rtx-a5000"}, {"a5000", "rtx-a5000"}, {"rtx 4090", "rtx-4090"},
      {"4090", "rtx-4090"}, {"rtx 3090", "rtx-3090"}, {"3090", "rtx-3090"},
      {"rtx 2080 ti", "rtx-2080ti"}, {"rtx 2080ti", "rtx-2080ti"}, {"2080ti", "rtx-2080ti"},
      {"2080 ti", "rtx-2080ti"}, {"v100s", "v100s-pcie-32gb"}, {"v100", "v100-sxm2-32gb"},
      {"a100", "a100-sxm4-80gb"}, {"a800", "a800-sxm4-80gb"}, {"a30", "a30"},
      {"h100", "h100-sxm5-80gb"}, {"h800", "h800-sxm5-80gb"}, {"h200", "h200-sxm-141gb"},
      {"l40s", "l40s"}, {"l40", "l40"}, {"l4", "l4"}};
  return names;
}

std::string gpu_name_pattern() {
  std::string alternation;
  for (const auto& [name, id] : gpu_names()) {
    std::string escaped;
    for (const char* c = name; *c; ++c) escaped += (*c == ' ') ? std::string("\\s*") : std::string(1, *c);
    alternation += alternation.empty() ? escaped : "|" + escaped;
  }
  return "(?:nvidia\\s+)?(" + alternation + ")s?";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

double to_number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// Replaces a matched span with spaces so later patterns do not read it again.
void blank(std::string& text, const std::smatch& m) {
  text.replace(m.position(0), m.length(0), std::string(m.length(0), ' '));
}

double unit_hours(const std::string& unit) {
  if (unit.empty() || unit[0] == 'h') return 1;
  if (unit[0] == 'd') return 24;
  if (unit[0] == 'w') return 24 * 7;
  return 1.0 / 60;  // m, min, minutes
}

[[noreturn]] void not_understood(const std::string& question, const std::string& why) {
  throw InputError(fmt::format("question \"{}\": {}; accepted forms, for example:\n{}", question,
                               why, question_examples()));
}

}  // namespace

const char* question_examples() {
  return "  trainplan ask \"4 GPUs, 1 day budget?\"\n"
         "  trainplan ask \"8xA100 for 36 hours\"\n"
         "  trainplan ask \"2 H100, 12h, $300\"\n"
         "  trainplan ask \"Can I fine-tune YOLO-World-L on 4 RTX A5000 in 2 days?\"\n"
         "  trainplan ask --gpus 4 --budget 1d [--gpu ID] [--model ID] [--task coco|lvis|DATASET]";
}

std::string gpu_id_from_name(const std::string& name) {
  std::string wanted = lower(name);
  wanted.erase(std::remove(wanted.begin(), wanted.end(), ' '), wanted.end());
  for (const auto& [known, id] : gpu_names()) {
    std::string k = known;
    k.erase(std::remove(k.begin(), k.end(), ' '), k.end());
    if (k == wanted) return id;
  }
  return "";
}

double parse_duration_hours(const std::string& text, const std::string& what) {
  static const std::regex form(
      R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*(h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?|m|min|mins|minutes?)?\s*$)");
  std::smatch m;
  std::string t = lower(text);
  if (!std::regex_match(t, m, form))
    throw InputError(fmt::format("{}: \"{}\" is not a duration; accepted: 36h, 1d, 1.5days, 90m, "
                                 "2w, or a number of hours",
                                 what, text));
  double hours = to_number(m[1]) * unit_hours(m[2]);
  if (!(hours > 0))
    throw InputError(fmt::format("{}: \"{}\" is not accepted; a duration must be greater than 0",
                                 what, text));
  return hours;
}

double parse_money_usd(const std::string& text, const std::string& what) {
  static const std::regex form(R"(^\s*\$?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?\s*(usd)?\s*$)");
  std::smatch m;
  std::string t = lower(text);
  if (!std::regex_match(t, m, form))
    throw InputError(fmt::format("{}: \"{}\" is not an amount; accepted: 300, $300, 1.5k", what, text));
  double usd = to_number(m[1]) * (m[2].matched ? 1000 : 1);
  if (!(usd > 0))
    throw InputError(fmt::format("{}: \"{}\" is not accepted; an amount must be greater than 0",
                                 what, text));
  return usd;
}

Question parse_question(const std::string& question) {
  Question q;
  q.text = question;
  std::string t = " " + lower(question) + " ";
  std::smatch m;
  bool understood = false;

  static const std::regex money(R"(\$\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?|([0-9]+(?:\.[0-9]+)?)\s*(k)?\s*(?:usd|dollars?)\b)");
  if (std::regex_search(t, m, money)) {
    double amount = m[1].matched ? to_number(m[1]) * (m[2].matched ? 1000 : 1)
                                 : to_number(m[3]) * (m[4].matched ? 1000 : 1);
    if (!(amount > 0)) not_understood(question, "a money budget must be greater than 0");
    q.max_cost_usd = amount;
    blank(t, m);
    understood = true;
  }

  static const std::regex count_and_gpu("(?:^|[^a-z0-9.])([0-9]+)\\s*(?:x|\\*|\\s)\\s*" + gpu_name_pattern());
  static const std::regex gpu_only("(?:^|[^a-z0-9])" + gpu_name_pattern() + "(?:$|[^a-z0-9])");
  static const std::regex gpu_count(R"((?:^|[^a-z0-9.])([0-9]+)\s*(?:x\s*)?(?:gpus?|cards?|devices?)\b)");
  if (std::regex_search(t, m, count_and_gpu)) {
    q.gpus = gpu_count_of(m[1]);
    q.gpu_id = gpu_id_from_name(m[2]);
    q.gpus_given = q.gpu_given = true;
    blank(t, m);
  } else if (std::regex_search(t, m, gpu_count)) {
    q.gpus = gpu_count_of(m[1]);
    q.gpus_given = true;
    blank(t, m);
  }
  if (!q.gpu_given && std::regex_search(t, m, gpu_only)) {
    q.gpu_id = gpu_id_from_name(m[1]);
    q.gpu_given = true;
    blank(t, m);
  }
  if (q.gpus_given && (q.gpus < 1 || q.gpus > costmodel::kMaxGpus))
    not_understood(question, fmt::format("the number of GPUs must be from 1 to {}",
                                         costmodel::kMaxGpus));
  understood = understood || q.gpus_given || q.gpu_given;

  static const std::regex model(
      R"(yolo[- ]?world[- ]?(v1|v2)?[- ]?(s|m|l|x)\b|yolo[- ]?v?(5|8)[- ]?(n|s|m|l|x)\b|rtmdet[- ]?(s|m)\b)");
  if (std::regex_search(t, m, model)) {
    if (m[2].matched) {
      std::string version = m[1].matched ? m[1].str() : "v2";
      q.model_id = fmt::format("yolo-world-{}-{}", version, m[2].str());
    } else if (m[4].matched) {
      q.model_id = fmt::format("yolov{}-{}", m[3].str(), m[4].str());
    } else {
      q.model_id = fmt::format("rtmdet-{}", m[5].str());
    }
    q.model_given = true;
    blank(t, m);
    understood = true;
  }

  static const std::regex images(R"((?:^|[^a-z0-9.])([0-9]+(?:\.[0-9]+)?)\s*(k|m)?\s*images\b)");
  if (std::regex_search(t, m, images)) {
    double scale = !m[2].matched ? 1 : (m[2] == "k" ? 1e3 : 1e6);
    q.images = to_number(m[1]) * scale;
    if (!(*q.images >= 1)) not_understood(question, "the number of images must be at least 1");
    q.task = "custom";
    q.task_given = true;
    blank(t, m);
    understood = true;
  }

  static const std::regex no_time(R"(\bno (?:training )?time\b|\bwithout training\b|\bno training\b)");
  static const std::regex duration(
      R"((?:^|[^a-z0-9.$])([0-9]+(?:\.[0-9]+)?)\s*(h|hrs?|hours?|d|days?|w|wks?|weeks?|min|mins|minutes?)\b)");
  static const std::regex one_unit(R"(\b(?:a|an|one)\s+(hour|day|week)\b)");
  if (std::regex_search(t, m, no_time)) {
    q.budget_hours = 0;
    q.budget_given = true;
    blank(t, m);
    understood = true;
  } else if (std::regex_search(t, m, duration)) {
    q.budget_hours = to_number(m[1]) * unit_hours(m[2]);
    if (!(*q.budget_hours > 0)) not_understood(question, "a time budget must be greater than 0");
    q.budget_given = true;
    blank(t, m);
    understood = true;
  } else if (std::regex_search(t, m, one_unit)) {
    q.budget_hours = unit_hours(m[1]);
    q.budget_given = true;
    blank(t, m);
    understood = true;
  }

  static const std::regex general(R"(\bgeneral\b|\bopen[- ]vocabulary\b|\bzero[- ]shot\b)");
  static const std::regex lvis(R"(\blvis\b)");
  static const std::regex coco(R"(\bcoco\b)");
  if (!q.task_given) {
    if (std::regex_search(t, m, general)) {
      q.task = "general";
      q.task_given = understood = true;
    } else if (std::regex_search(t, m, lvis)) {
      q.task = "lvis";
      q.task_given = understood = true;
    } else if (std::regex_search(t, m, coco)) {
      q.task = "coco";
      q.task_given = understood = true;
    }
  }

  static const std::regex resolution(
      R"((?:^|[^a-z0-9.])([0-9]{3,4})\s*(?:px|pixels?)?\s*(?:input|resolution|inputs|images? size)\b|\bat\s+([0-9]{3,4})\s*(?:px)?\b)");
  if (std::regex_search(t, m, resolution)) {
    std::string side = m[1].matched ? m[1].str() : m[2].str();
    q.resolutions = {profiles::parse_resolution(side, "question resolution")};
    blank(t, m);
    understood = true;
  }
  static const std::regex changed(
      R"(\bnew (?:model )?(?:head|vocabulary|input size|neck|backbone)\b|\b(?:changed|modified) (?:model|head|architecture)\b)");
  if (std::regex_search(t, m, changed)) {
    q.changed_model = true;
    blank(t, m);
    understood = true;
  }
  static const std::regex targets(
      R"(\b(two|three|four|[2-9])\s+(?:target|domain|custom)?\s*(?:data\s*sets?|datasets|domains|tasks)\b)");
  if (std::regex_search(t, m, targets)) {
    const std::string n = m[1];
    int count = n == "two" ? 2 : n == "three" ? 3 : n == "four" ? 4 : std::atoi(n.c_str());
    for (int i = 1; i <= count; ++i) q.targets.push_back(fmt::format("target-{}", i));
    q.task_given = true;
    blank(t, m);
    understood = true;
  }

  if (!understood) not_understood(question, "found no GPU count, GPU type, time or money budget, model or task in it");
  return q;
}

}  // namespace trainplan::planner
