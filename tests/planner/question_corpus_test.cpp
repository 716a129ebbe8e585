// Issue 10's acceptance: a corpus of questions as people write them (English and Chinese,
// many from real issue threads), each with what it must be understood as and, where it
// matters, the strategy it must lead to.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/question.hpp"
#include "trainplan/planner/question_json.hpp"

using namespace trainplan;

namespace {

nlohmann::json load_corpus(const char* path = TRAINPLAN_QUESTION_CORPUS) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

bool same(const nlohmann::json& expected, const nlohmann::ordered_json& got) {
  if (expected.is_number() && got.is_number())
    return std::abs(expected.get<double>() - got.get<double>()) <= 1e-6 * std::max(1.0, std::abs(expected.get<double>()));
  return expected.dump() == got.dump();
}

// Every field the entry names, as the reader understood it; "" when all match.
std::string mismatches(const nlohmann::json& entry, const planner::Question& q) {
  const auto understood = planner::question_to_json(q);
  std::string out;
  for (const auto& [field, expected] : entry.at("expect").items()) {
    REQUIRE_MESSAGE(understood.contains(field), "unknown field in the corpus: " << field);
    if (!same(expected, understood.at(field)))
      out += "  " + field + ": expected " + expected.dump() + ", got " + understood.at(field).dump() + "\n";
  }
  if (entry.contains("unread_currency")) {  // the currency's code, e.g. "CNY"
    bool named = false;
    for (const auto& w : q.warnings) named = named || w.find("not in US dollars") != std::string::npos;
    if (!named) out += "  a warning that the currency is not read\n";
  }
  return out;
}

}  // namespace

TEST_CASE("the corpus is large enough and half-way bilingual") {
  const auto corpus = load_corpus();
  int chinese = 0, with_recommendation = 0;
  for (const auto& e : corpus) {
    chinese += e.at("lang") == "zh";
    with_recommendation += e.contains("recommend");
  }
  CHECK(corpus.size() >= 120);
  CHECK(chinese >= 30);
  CHECK(with_recommendation >= 40);
}

TEST_CASE("every corpus question is understood as its fields say") {
  const auto catalog = profiles::Catalog::embedded();
  std::string failures;
  int failed = 0;
  for (const auto& e : load_corpus()) {
    const std::string text = e.at("q");
    try {
      const auto q = planner::parse_question(text, catalog);
      if (auto m = mismatches(e, q); !m.empty()) {
        failures += "\"" + text + "\"\n" + m;
        ++failed;
      }
    } catch (const std::exception& ex) {
      failures += "\"" + text + "\"\n  refused: " + ex.what() + "\n";
      ++failed;
    }
  }
  INFO(failures);
  CHECK(failed == 0);
}

TEST_CASE("corpus questions that name a strategy are recommended it") {
  const auto catalog = profiles::Catalog::embedded();
  std::string failures;
  int failed = 0;
  for (const auto& e : load_corpus()) {
    if (!e.contains("recommend")) continue;
    const std::string text = e.at("q");
    try {
      const auto answer = planner::answer_question(catalog, planner::parse_question(text, catalog));
      const std::string got = planner::to_string(answer.recommended);
      if (got != e.at("recommend")) {
        failures += "\"" + text + "\": expected " + e.at("recommend").get<std::string>() + ", got " + got + "\n";
        for (const auto& r : answer.reasons) failures += "    " + r + "\n";
        ++failed;
      }
    } catch (const std::exception& ex) {
      failures += "\"" + text + "\": refused: " + ex.what() + "\n";
      ++failed;
    }
  }
  INFO(failures);
  CHECK(failed == 0);
}

// 60 questions written blind by someone who had not seen the reader or the corpus above (33
// paraphrased from issue threads): a measurement of how the reader does on phrasings it was
// not built for. Kept as it was written, misses included (some expect profiles that do not
// exist, such as yolo-world-v1-x); the floor only guards against regressions.
TEST_CASE("questions written blind are mostly understood and always recommended as the guide says") {
  const auto catalog = profiles::Catalog::embedded();
  // Two sets by two writers; the second was read blind once (36 of 50, 19 of 20), then the
  // classes of its misses were fixed (docs/questions.md).
  for (const char* path : {TRAINPLAN_QUESTION_HELDOUT, TRAINPLAN_QUESTION_HELDOUT2}) {
  CAPTURE(path);
  const auto heldout = load_corpus(path);
  int understood = 0, recommended = 0, with_recommendation = 0;
  std::string misses;
  for (const auto& e : heldout) {
    const std::string text = e.at("q");
    try {
      const auto q = planner::parse_question(text, catalog);
      const auto m = mismatches(e, q);
      if (m.empty()) ++understood;
      else misses += "\"" + text + "\"\n" + m;
      if (e.contains("recommend")) {
        ++with_recommendation;
        const auto answer = planner::answer_question(catalog, q);
        if (planner::to_string(answer.recommended) == e.at("recommend")) ++recommended;
        else misses += "\"" + text + "\": recommended " + planner::to_string(answer.recommended) + "\n";
      }
    } catch (const std::exception& ex) {
      misses += "\"" + text + "\"\n  refused: " + ex.what() + "\n";
    }
  }
  MESSAGE(understood << " of " << heldout.size() << " held-out questions understood; "
          << recommended << " of " << with_recommendation << " recommendations as expected");
  INFO(misses);
  CHECK(understood >= int(0.85 * double(heldout.size())));
  CHECK(recommended == with_recommendation);
  }
}
