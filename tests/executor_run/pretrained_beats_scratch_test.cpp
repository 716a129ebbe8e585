// Learning is real: the same fine-tune (same data, epochs and batch) reaches a higher
// mAP@0.5 from pre-trained weights than from scratch.
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

TEST_CASE("a fine-tune from pre-trained weights beats the same epochs from scratch") {
  const std::string dir = make_temp_dir();
  const std::string pretrained_plan = run_test::make_plan(dir, "4 GPUs, 1 day budget?");
  nlohmann::json plan = nlohmann::json::parse(std::ifstream(pretrained_plan));
  plan["stages"][0]["init"] = "scratch";
  const std::string scratch_plan = dir + "/scratch.json";
  std::ofstream(scratch_plan) << plan.dump(2);
  std::string out, err;
  for (const auto& [plan_path, work] : {std::pair{pretrained_plan, dir + "/pretrained"},
                                        std::pair{scratch_plan, dir + "/scratch"}}) {
    CAPTURE(work);
    const int code = run_trainplan({"run", plan_path, "--scale-to-local", "--nproc", "2",
                                    "--work-dir", work},
                                   out, err);
    CAPTURE(err);
    REQUIRE(code == 0);
  }
  const double pretrained = run_test::last_result(dir + "/pretrained", "finetune", "map50");
  const double scratch = run_test::last_result(dir + "/scratch", "finetune", "map50");
  CAPTURE(pretrained);
  CAPTURE(scratch);
  MESSAGE("fine-tune mAP@0.5 from pre-trained weights " << pretrained << ", from scratch " << scratch);
  CHECK(pretrained >= 0.5);
  CHECK(pretrained > scratch + 0.1);
}
