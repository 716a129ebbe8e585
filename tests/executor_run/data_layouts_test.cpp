// A data set in the standard COCO 2017 layout, given with --data, trains exactly as the same
// data in trainplan's synthetic layout under --data-root: the same final parameters.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_support.hpp"

namespace fs = std::filesystem;

namespace {

// The synthetic set under `from` copied into the COCO 2017 layout under `to`.
void copy_as_coco2017(const std::string& from, const std::string& to) {
  fs::create_directories(to + "/annotations");
  for (const std::string split : {"train", "val"}) {
    fs::copy_file(from + "/annotations/" + split + ".json",
                  to + "/annotations/instances_" + split + "2017.json");
    fs::copy(from + "/" + split, to + "/" + split + "2017", fs::copy_options::recursive);
  }
}

std::string stage_id(const std::string& plan) {
  return nlohmann::json::parse(std::ifstream(plan))["stages"][0]["id"].get<std::string>();
}

}  // namespace

TEST_CASE("the COCO 2017 layout given with --data trains exactly as the synthetic layout") {
  const std::string dir = make_temp_dir();
  run_test::synth_shapes(dir);
  copy_as_coco2017(dir + "/shapes", dir + "/coco");
  const std::string plan = run_test::unscaled_plan(dir);
  // The same plan, its stage on coco-train2017 and evaluated on coco-val2017.
  nlohmann::json coco = nlohmann::json::parse(std::ifstream(plan));
  coco["stages"][0]["dataset"] = "coco-train2017";
  coco["stages"][0]["eval_dataset"] = "coco-val2017";
  const std::string coco_plan = dir + "/coco-plan.json";
  std::ofstream(coco_plan) << coco.dump(2);

  std::string out, err;
  CAPTURE(err);
  REQUIRE(run_trainplan({"run", plan, "--data-root", dir, "--max-steps", "3", "--work-dir",
                         dir + "/synthetic"},
                        out, err) == 0);
  REQUIRE(run_trainplan({"run", coco_plan, "--data", "coco-train2017=" + dir + "/coco", "--data",
                         "coco-val2017=" + dir + "/coco", "--data-root", dir + "/nowhere",
                         "--max-steps", "3", "--work-dir", dir + "/coco-run"},
                        out, err) == 0);
  const std::string id = stage_id(plan);
  const auto synthetic = run_test::checkpoint_parameters(dir + "/synthetic/checkpoints/" + id + "/last.pt");
  const auto standard = run_test::checkpoint_parameters(dir + "/coco-run/checkpoints/" + id + "/last.pt");
  CHECK(run_test::relative_difference(synthetic, standard) == 0);
}
