#include "question_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/error.hpp"

namespace trainplan::planner::reading {

namespace {

// Clauses about somebody else's run ("the paper pre-trained on 32 V100s") do not describe the
// asker's cluster or deadline; they are read only when nothing else is.
const std::vector<std::string>& reference_words() {
  static const std::vector<std::string> words = {
      "paper", "official", "authors", "author", "they used", "they trained", "reported",
      "论文", "官方", "作者", "原文"};
  return words;
}

// Words too common to report as unread.
bool filler(const Token& t) {
  static const std::vector<std::string> words = {
      "a", "an", "the", "and", "or", "of", "on", "in", "to", "for", "with", "is", "it", "i", "we",
      "my", "our", "can", "do", "does", "how", "what", "be", "at", "by", "if", "me", "us", "that",
      "this", "would", "will", "should", "could", "about", "much", "long", "take", "takes"};
  if (t.kind == TokenKind::kSymbol) return true;
  if (t.kind == TokenKind::kHan) return true;  // Chinese is reported by runs, below
  return std::find(words.begin(), words.end(), t.text) != words.end();
}

}  // namespace

Reader::Reader(const std::string& text, const profiles::Catalog& catalog)
    : text_(text), catalog_(catalog), t_(tokenize(text)) {
  // Checked before anything is read: the question is echoed in messages, JSON and plan files.
  if (auto bad = invalid_utf8_at(text))
    throw InputError(fmt::format("question: byte {} (0x{:02X}) is not valid UTF-8; write the "
                                 "question as UTF-8 text",
                                 *bad, static_cast<unsigned char>(text[*bad])));
  q_.text = text;
  reference_.assign(t_.size(), false);
  possessive_.assign(t_.size(), false);
  static const std::vector<std::string> possession = {"have", "has", "got", "own", "we've",
                                                      "我有", "我们有", "手上", "手里", "我"};
  for (size_t i = 0; i < t_.size();) {
    auto [begin, end] = clause_of(i);
    const bool reference = mentions(begin, end, reference_words());
    const bool possessive = !reference && mentions(begin, end, possession);
    for (size_t k = begin; k < end; ++k) {
      reference_[k] = reference;
      possessive_[k] = possessive;
    }
    i = end + 1;
  }
}

bool Reader::word_is(size_t i, const char* text) const { return free(i) && t_[i].text == text; }

std::optional<size_t> Reader::phrase_at(size_t i, const std::string& phrase) const {
  static thread_local std::map<std::string, std::vector<std::string>> cache;
  auto it = cache.find(phrase);
  if (it == cache.end()) it = cache.emplace(phrase, phrase_tokens(phrase)).first;
  const auto& words = it->second;
  if (words.empty()) return std::nullopt;
  for (size_t k = 0; k < words.size(); ++k)
    if (!free(i + k) || t_[i + k].text != words[k]) return std::nullopt;
  return i + words.size();
}

std::optional<size_t> Reader::any_at(size_t i, const std::vector<std::string>& phrases) const {
  std::optional<size_t> best;
  for (const auto& p : phrases)
    if (auto end = phrase_at(i, p); end && (!best || *end > *best)) best = end;
  return best;
}

void Reader::use(size_t begin, size_t end) {
  for (size_t k = begin; k < end && k < t_.size(); ++k) t_[k].used = true;
}

bool Reader::mentions(size_t begin, size_t end, const std::vector<std::string>& phrases) const {
  for (size_t k = begin; k < end; ++k)
    for (const auto& p : phrases) {
      auto words = phrase_tokens(p);
      bool match = k + words.size() <= end;
      for (size_t w = 0; match && w < words.size(); ++w) match = t_[k + w].text == words[w];
      if (match) return true;
    }
  return false;
}

std::pair<size_t, size_t> Reader::clause_of(size_t i) const {
  // Commas and "but" end a clause too: "The paper used V100s, but I have two 4090s".
  auto boundary = [&](size_t k) {
    return (ends_clause(t_[k]) && t_[k].text != "(" && t_[k].text != ")") || t_[k].text == "but" ||
           t_[k].text == "但" || t_[k].text == "however";
  };
  size_t begin = i, end = i;
  while (begin > 0 && !boundary(begin - 1)) --begin;
  while (end < t_.size() && !boundary(end)) ++end;
  return {begin, end};
}

void Reader::set_gpus(double count, size_t begin, size_t end) {
  if (q_.gpus_given) return;
  if (!(count >= 1) || count != std::floor(count))
    refuse_figure(fmt::format("\"{}\" is not a number of GPUs; expected a whole number from 1 to {}",
                       t_[begin].original, costmodel::kMaxGpus));
  if (count > costmodel::kMaxGpus)
    refuse_figure(fmt::format("{:.0f} GPUs is more than trainplan plans for; expected 1 to {}", count,
                       costmodel::kMaxGpus));
  q_.gpus = int(count);
  q_.gpus_given = true;
  use(begin, end);
}

void Reader::set_gpu(const GpuName& gpu) {
  if (q_.gpu_given) return;
  q_.gpu_id = gpu.id;
  q_.gpu_given = true;
  if (!gpu.warning.empty()) warn(gpu.warning);
}

void Reader::set_budget(double hours, size_t begin, size_t end) {
  use(begin, end);
  if (q_.budget_given) return;
  if (!(hours >= 0) || !std::isfinite(hours))
    refuse_figure("a time budget must be a finite duration");
  q_.budget_hours = hours;
  q_.budget_given = true;
}

void Reader::warn(std::string message) {
  if (std::find(q_.warnings.begin(), q_.warnings.end(), message) == q_.warnings.end())
    q_.warnings.push_back(std::move(message));
}

void Reader::refuse(const std::string& why) const {
  throw InputError(fmt::format("question \"{}\": {}; accepted forms, for example:\n{}", text_, why,
                               question_examples()));
}

void Reader::refuse_figure(const std::string& why) const {
  throw InputError(fmt::format("question \"{}\": {}", text_, why));
}

void Reader::collect_unread() {
  std::string han_run;
  auto flush = [&] {
    if (!han_run.empty()) q_.unread.push_back(han_run);
    han_run.clear();
  };
  for (size_t i = 0; i < t_.size(); ++i) {
    const Token& t = t_[i];
    if (t.used) {
      flush();
      continue;
    }
    if (t.kind == TokenKind::kHan) {
      han_run += t.text;
      continue;
    }
    flush();
    if (filler(t)) continue;
    q_.unread.push_back(t.original);
    if (t.kind == TokenKind::kNumber && !t.from_words)
      warn(fmt::format("the number \"{}\" was not understood (not a GPU count, duration, amount, "
                       "image count or input size) and is not used",
                       t.original));
  }
  flush();
}

void Reader::read_hardware() {
  read_clusters(false, true);
  read_gpu_counts(false, true);
  read_clusters(false, false);
  read_gpu_counts(false, false);
  read_possession();
  read_clusters(true, false);
  read_gpu_counts(true, false);
}

Question Reader::read() {
  read_money();
  read_other_counts();
  read_resolution();
  read_hardware();
  read_images();
  read_durations();
  read_models();
  warn_unknown_models();
  read_tasks();
  read_intents();
  collect_unread();
  const bool understood = family_named_ || q_.gpus_given || q_.gpu_given || q_.budget_given || q_.max_cost_usd ||
                          q_.model_given || q_.task_given || !q_.intent.empty() ||
                          !q_.resolutions.empty() || q_.price_per_gpu_hour_usd;
  if (!understood)
    refuse("found no GPU count, GPU type, time or money budget, model, task or intent in it");
  return q_;
}

}  // namespace trainplan::planner::reading
