// Plain questions: the forms DESIGN 3.5 and issue 2 name are understood, bad ones rejected
// with the accepted forms.
#include <doctest/doctest.h>

#include "trainplan/error.hpp"
#include "trainplan/planner/question.hpp"

using trainplan::InputError;
using namespace trainplan::planner;

TEST_CASE("the headline question: 4 GPUs, 1 day budget") {
  Question q = parse_question("4 GPUs, 1 day budget?");
  CHECK(q.gpus == 4);
  CHECK(q.gpus_given);
  REQUIRE(q.budget_hours);
  CHECK(*q.budget_hours == doctest::Approx(24));
  CHECK(q.gpu_id == "v100-sxm2-32gb");  // the default, stated as an assumption
  CHECK_FALSE(q.gpu_given);
}

TEST_CASE("count x GPU name, hours") {
  Question q = parse_question("8xA100 for 36 hours");
  CHECK(q.gpus == 8);
  CHECK(q.gpu_id == "a100-sxm4-80gb");
  CHECK(*q.budget_hours == doctest::Approx(36));
}

TEST_CASE("count GPU name, short hours and money") {
  Question q = parse_question("2 H100, 12h, $300");
  CHECK(q.gpus == 2);
  CHECK(q.gpu_id == "h100-sxm5-80gb");
  CHECK(*q.budget_hours == doctest::Approx(12));
  REQUIRE(q.max_cost_usd);
  CHECK(*q.max_cost_usd == doctest::Approx(300));
}

TEST_CASE("model names, workstation GPUs and days") {
  Question q = parse_question("Can I fine-tune YOLO-World-L on 4 RTX A5000 in 2 days?");
  CHECK(q.gpus == 4);
  CHECK(q.gpu_id == "rtx-a5000");
  CHECK(q.model_id == "yolo-world-v2-l");
  CHECK(*q.budget_hours == doctest::Approx(48));
  CHECK(parse_question("yolov8-s on 1 4090, a week").model_id == "yolov8-s");
  CHECK(*parse_question("yolov8-s on 1 4090, a week").budget_hours == doctest::Approx(168));
}

TEST_CASE("general detection and no training time") {
  Question q = parse_question("general detection, no training time");
  CHECK(q.task == "general");
  REQUIRE(q.budget_hours);
  CHECK(*q.budget_hours == 0);
}

TEST_CASE("a custom data set size") {
  Question q = parse_question("4 GPUs, 20k images, 12h");
  CHECK(q.task == "custom");
  CHECK(*q.images == doctest::Approx(20000));
}

TEST_CASE("an unparsable question shows the accepted forms") {
  CHECK_THROWS_WITH_AS(parse_question("what is the meaning of life"),
                       doctest::Contains("accepted forms"), InputError);
  CHECK_THROWS_WITH_AS(parse_question("0 GPUs, 1 day"), doctest::Contains("from 1 to 100000"),
                       InputError);
}

TEST_CASE("durations and money") {
  CHECK(parse_duration_hours("36h", "--budget") == doctest::Approx(36));
  CHECK(parse_duration_hours("1.5days", "--budget") == doctest::Approx(36));
  CHECK(parse_duration_hours("90m", "--budget") == doctest::Approx(1.5));
  CHECK(parse_duration_hours("2w", "--budget") == doctest::Approx(336));
  CHECK(parse_duration_hours("12", "--budget") == doctest::Approx(12));
  CHECK_THROWS_WITH_AS(parse_duration_hours("0", "--budget"), doctest::Contains("greater than 0"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_duration_hours("-1d", "--budget"), doctest::Contains("--budget"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_duration_hours("soon", "--budget"), doctest::Contains("36h"),
                       InputError);
  CHECK(parse_money_usd("$2k", "--max-cost") == doctest::Approx(2000));
  CHECK(parse_money_usd("300", "--max-cost") == doctest::Approx(300));
  CHECK_THROWS_AS(parse_money_usd("0", "--max-cost"), InputError);
  CHECK_THROWS_AS(parse_money_usd("lots", "--max-cost"), InputError);
}

TEST_CASE("GPU names map to canonical ids") {
  CHECK(gpu_id_from_name("V100") == "v100-sxm2-32gb");
  CHECK(gpu_id_from_name("RTX 4090") == "rtx-4090");
  CHECK(gpu_id_from_name("l40s") == "l40s");
  CHECK(gpu_id_from_name("h200-sxm-141gb") == "h200-sxm-141gb");
  CHECK(gpu_id_from_name("tpu") == "");
}
