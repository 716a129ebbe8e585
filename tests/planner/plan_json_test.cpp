// Plan files: a plan written and read back is identical, writing is atomic, and plans are
// deterministic.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "trainplan/error.hpp"

#include "trainplan/planner/answer.hpp"
#include "trainplan/planner/plan_json.hpp"

using namespace trainplan;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

planner::Plan plan_for(const std::string& question) {
  static const auto catalog = profiles::Catalog::embedded();
  return planner::plan_to_write(planner::answer_question(catalog, planner::parse_question(question)));
}

}  // namespace

TEST_CASE("a plan written and read back is identical, byte for byte") {
  const fs::path dir = fs::temp_directory_path() / "trainplan-plan-json-test";
  fs::create_directories(dir);
  for (const char* q : {"4 GPUs, 1 day budget?", "32 GPUs, 3 days, new model head",
                        "8 GPUs, 1 day, two target datasets", "general detection, no training time",
                        "4 GPUs, 2 days, 1280 input"}) {
    CAPTURE(q);
    planner::Plan plan = plan_for(q);
    const fs::path first = dir / "first.json", second = dir / "second.json";
    planner::write_plan_file(plan, first.string());
    planner::Plan back = planner::read_plan_file(first.string());
    planner::write_plan_file(back, second.string());
    CHECK(slurp(first) == slurp(second));
    CHECK(planner::to_json(back) == planner::to_json(plan));
  }
  // Nothing but the two files is left behind (no temporary files).
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file();
  CHECK(files == 2);
  fs::remove_all(dir);
}

TEST_CASE("plans are deterministic") {
  CHECK(planner::to_json(plan_for("8xA100 for 36 hours")) ==
        planner::to_json(plan_for("8xA100 for 36 hours")));
}

TEST_CASE("a plan carries the DESIGN 3.6 stage fields and the linear-scaled learning rate") {
  auto j = planner::to_json(plan_for("4 GPUs, 1 day budget?"));
  CHECK(j["format"] == "trainplan/plan@1");
  const auto& stage = j["stages"][0];
  for (const char* key : {"id", "kind", "depends_on", "init", "model", "dataset", "resolution",
                          "epochs", "global_batch", "gpus", "trainable", "optimizer", "lr",
                          "prediction"})
    CHECK_MESSAGE(stage.contains(key), key);
  // Linear scaling: the recipe's 2e-4 at global batch 128.
  CHECK(stage["lr"].get<double>() ==
        doctest::Approx(2e-4 * stage["global_batch"].get<double>() / 128));
}

TEST_CASE("writing into a missing directory fails cleanly and leaves nothing") {
  planner::Plan plan = plan_for("4 GPUs, 1 day budget?");
  CHECK_THROWS_AS(planner::write_plan_file(plan, "/nonexistent-dir/plan.json"), RunError);
}
