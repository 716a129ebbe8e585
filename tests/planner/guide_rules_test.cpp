// The YOLO-World guide's decision rules (DESIGN section 1) as tests: each rule, where it
// applies, leads to its strategy (pre-training included), and no printed reason contradicts
// the recommendation.
#include <doctest/doctest.h>

#include <string>

#include "trainplan/planner/answer.hpp"

using namespace trainplan;
using namespace trainplan::planner;

namespace {

Answer ask(const std::string& question) {
  static const auto catalog = profiles::Catalog::embedded();
  return answer_question(catalog, parse_question(question, catalog));
}

const RuleVerdict& rule_named(const Answer& a, const std::string& name, Strategy leads_to) {
  for (const auto& r : a.rules)
    if (r.name == name && r.leads_to == leads_to) return r;
  FAIL("no rule " << name);
  return a.rules.front();
}

// The recommendation is the first applying rule's strategy that could be used; every
// applying rule before it says why it was passed over; reasons never mark another choice.
void check_consistent(const Answer& a) {
  int chosen = 0;
  for (const auto& r : a.rules) {
    CAPTURE(r.text());
    if (r.chosen) {
      ++chosen;
      CHECK(r.applies);
      REQUIRE(r.leads_to);
      CHECK(*r.leads_to == a.recommended);
      break;
    }
    if (r.applies && r.leads_to) CHECK_FALSE(r.passed_over.empty());
  }
  CHECK(chosen <= 1);
  for (const auto& reason : a.reasons) {
    if (reason.find("(recommended)") == std::string::npos) continue;
    CHECK(reason.find("-> " + std::string(to_string(a.recommended)) + " (recommended)") != std::string::npos);
  }
}

struct Case {
  const char* question;
  const char* rule;
  Strategy strategy;
};

}  // namespace

TEST_CASE("each rule of the guide leads to its strategy where it applies") {
  const Case cases[] = {
      // hardware: about 4 GPUs -> fine-tune
      {"4 GPUs, 3 days", "hardware", Strategy::kFineTune},
      // time: urgent -> fine-tune
      {"16 GPUs, 12 hours", "time", Strategy::kFineTune},
      // task: a specific domain -> domain-adaptation fine-tune
      {"16 GPUs, 3 days, my own dataset of 40k images", "task", Strategy::kFineTune},
      // task: general detection -> the pre-trained model as it is
      {"general detection with YOLO-World-L, 2 GPUs, 4 hours", "task", Strategy::kZeroShot},
      // time: no training time -> the pre-trained model as it is
      {"4 GPUs, no training time", "time", Strategy::kZeroShot},
      // a large cluster and long-term research -> the full pipeline (pre-training)
      {"64 A100s, two weeks", "hardware and time", Strategy::kPreTrain},
      // pre-training asked for on a cluster that can do it
      {"pre-train YOLO-World-L on 32 V100s in 3 days", "asked", Strategy::kPreTrain},
      // no usable published weights -> pre-train
      {"train YOLO-World-L from scratch on 64 A100s, two weeks", "no-weights", Strategy::kPreTrain},
      // a changed model -> progressive training
      {"I changed the head of YOLO-World-L. 32 GPUs, 3 days", "changed-model", Strategy::kProgressive},
      {"我改了YOLO-World的head，8卡A100，一周", "changed-model", Strategy::kProgressive},
      // YOLO-World-v2-L-1280: a fine-tune at the large input
      {"8 GPUs, 2 days, YOLO-World-L at 1280 input", "resolution", Strategy::kHighResFineTune},
      // a strategy asked for by name
      {"prompt tuning YOLO-World-S on 1 GPU, 6 hours", "asked", Strategy::kPromptTune},
      {"freeze the backbone and fine-tune YOLO-World-L on 4 GPUs, 1 day", "asked", Strategy::kFrozenFineTune},
  };
  for (const auto& c : cases) {
    CAPTURE(c.question);
    const Answer a = ask(c.question);
    const auto& r = rule_named(a, c.rule, c.strategy);
    CHECK(r.applies);
    CHECK(r.chosen);
    CHECK(a.recommended == c.strategy);
    check_consistent(a);
  }
}

TEST_CASE("pre-training is not recommended where the cluster or the time cannot do it") {
  // Asked for on 4 GPUs with no deadline: about 16 days, beyond a week: fine-tune, saying why.
  const Answer few = ask("The paper pre-trained on 32 V100s; I only have four. How long would pre-training take?");
  CHECK(few.recommended == Strategy::kFineTune);
  const auto& asked = rule_named(few, "asked", Strategy::kPreTrain);
  CHECK_FALSE(asked.applies);
  CHECK(asked.fact.find("longer than a week") != std::string::npos);
  check_consistent(few);
  // A large cluster for one day is urgent, not long-term: fine-tune.
  const Answer urgent = ask("64 A100s, 1 day");
  CHECK(urgent.recommended == Strategy::kFineTune);
  CHECK_FALSE(rule_named(urgent, "hardware and time", Strategy::kPreTrain).applies);
  check_consistent(urgent);
}

TEST_CASE("pre-training's expected quality is the published weights', never more") {
  const Answer a = ask("pre-train YOLO-World-L on 32 V100s in 3 days");
  const auto& pre = a.verdict(Strategy::kPreTrain).candidate.plan.summary.expected_quality;
  const auto& fine = a.verdict(Strategy::kFineTune).candidate.plan.summary.expected_quality;
  REQUIRE(pre);
  REQUIRE(fine);
  CHECK(pre->value <= fine->value);
  CHECK(pre->basis.find("at best the published weights") != std::string::npos);
}

TEST_CASE("own data is given no AP of its own") {
  const Answer a = ask("4 GPUs, 1 day, my own dataset of 20k images");
  const auto& q = a.plan().summary.expected_quality;
  REQUIRE(q);
  CHECK(q->reference_only);
  bool said = false;
  for (const auto& r : a.reasons) said = said || r.find("expected quality on your data: unknown; the same recipe gives") != std::string::npos;
  CHECK(said);
}

TEST_CASE("no reason contradicts the recommendation, whatever the question") {
  for (const char* q : {"4 GPUs, 1 day budget?", "1 GPU, 2 hours", "8 GPUs, 3 days, $1",
                        "We have a couple of 3090s and a weekend. Fine-tune or pre-train?",
                        "4 GPUs, 1 day, 1280 input", "8 GPUs, 1 day, two target datasets",
                        "十六张V100 32G，一个星期，长期研究项目，想走完整的预训练流程"}) {
    CAPTURE(q);
    check_consistent(ask(q));
  }
}
