// `ask` answers: the recommendation and the inverse question follow DESIGN section 1.
#include <doctest/doctest.h>

#include "trainplan/planner/answer.hpp"

using namespace trainplan;
using namespace trainplan::planner;

namespace {

const StrategyVerdict& verdict(const Answer& a, Strategy s) {
  for (const auto& v : a.verdicts)
    if (v.option.strategy == s) return v;
  FAIL("strategy missing");
  return a.verdicts.front();
}

}  // namespace

TEST_CASE("4 GPUs, 1 day: fine-tune fits, pre-training does not, with GPUs it would need") {
  const auto catalog = profiles::Catalog::embedded();
  Answer a = answer_question(catalog, parse_question("4 GPUs, 1 day budget?"));
  CHECK(a.recommended == Strategy::kFineTune);
  CHECK(verdict(a, Strategy::kFineTune).feasible);
  const auto& pretrain = verdict(a, Strategy::kPreTrain);
  CHECK_FALSE(pretrain.feasible);
  CHECK(pretrain.gpus_for_one_day > 4);
  CHECK(pretrain.gpus_for_two_days > 4);
  CHECK(pretrain.gpus_for_two_days <= pretrain.gpus_for_one_day);
  // The inverse answer really meets the deadline, and one server fewer does not.
  auto at = evaluate_strategy(catalog, a.question, Strategy::kPreTrain, pretrain.gpus_for_one_day);
  CHECK(at.total_seconds <= 24 * 3600.0);
  auto below =
      evaluate_strategy(catalog, a.question, Strategy::kPreTrain, pretrain.gpus_for_one_day - 8);
  CHECK(below.total_seconds > 24 * 3600.0);
  CHECK_FALSE(a.assumptions.empty());
  CHECK_FALSE(a.reasons.empty());
}

TEST_CASE("general detection recommends zero-shot") {
  const auto catalog = profiles::Catalog::embedded();
  Answer a = answer_question(catalog, parse_question("general detection, no training time"));
  CHECK(a.recommended == Strategy::kZeroShot);
}

TEST_CASE("a budget too short for any training falls back to zero-shot with the GPUs needed") {
  const auto catalog = profiles::Catalog::embedded();
  Answer a = answer_question(catalog, parse_question("1 GPU, 2 hours"));
  CHECK(a.recommended == Strategy::kZeroShot);
  CHECK(verdict(a, Strategy::kFineTune).gpus_for_budget > 1);
}

TEST_CASE("money budgets are checked") {
  const auto catalog = profiles::Catalog::embedded();
  Answer a = answer_question(catalog, parse_question("8 GPUs, 3 days, $1"));
  CHECK_FALSE(verdict(a, Strategy::kFineTune).meets_cost);
  CHECK(a.recommended == Strategy::kZeroShot);
}
