// `trainplan plan`, `validate` and `explain` as a user runs them: files are written only on
// success, and bad plans or flags exit 2 naming the JSON path or flag.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_harness.hpp"

namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
  // A file in a fresh temporary directory that does not exist yet.
  std::string dir = fs::path(write_temp_file("dir-marker", "")).parent_path().string();
  return dir + "/" + name;
}

}  // namespace

TEST_CASE("plan writes the recommended plan, validate and explain read it") {
  const std::string file = temp_path("plan.json");
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "-o", file}, out, err) == 0);
  CHECK(fs::exists(file));
  CHECK(out.find("wrote " + file) != std::string::npos);
  auto plan = nlohmann::json::parse(std::ifstream(file));
  CHECK(plan["strategy"] == "finetune");
  CHECK(run_trainplan({"validate", file}, out, err) == 0);
  CHECK(out.find("valid plan") != std::string::npos);
  CHECK(run_trainplan({"explain", file}, out, err) == 0);
  CHECK(out.find("finetune") != std::string::npos);
  CHECK(out.find("makespan") != std::string::npos);
}

TEST_CASE("plan --strategy writes another strategy's best plan") {
  const std::string file = temp_path("pretrain.json");
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "4 GPUs, 1 day budget?", "--strategy", "pretrain", "-o", file},
                        out, err) == 0);
  auto plan = nlohmann::json::parse(std::ifstream(file));
  CHECK(plan["strategy"] == "pretrain");
  CHECK(plan["stages"].size() == 2);
  CHECK(run_trainplan({"plan", "4 GPUs", "--strategy", "magic", "-o", file}, out, err) == 2);
  CHECK(err.find("--strategy") != std::string::npos);
}

TEST_CASE("bad deadlines and prices exit 2 and write no file") {
  for (std::vector<std::string> flags : {std::vector<std::string>{"--budget", "0"},
                                         {"--budget", "-2d"},
                                         {"--budget", "tomorrow"},
                                         {"--price", "0"},
                                         {"--price", "-1"},
                                         {"--price", "cheap"}}) {
    const std::string file = temp_path("never.json");
    std::vector<std::string> args = {"plan", "--gpus", "4", "-o", file};
    args.insert(args.end(), flags.begin(), flags.end());
    std::string out, err;
    CAPTURE(flags[1]);
    CHECK(run_trainplan(args, out, err) == 2);
    CHECK(out.empty());
    CHECK(err.find(flags[0]) != std::string::npos);
    CHECK_FALSE(fs::exists(file));
  }
}

TEST_CASE("validate names the JSON path of a bad plan") {
  const std::string good = temp_path("good.json");
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "32 GPUs, 3 days, new model head", "-o", good}, out, err) == 0);
  auto plan = nlohmann::json::parse(std::ifstream(good));
  plan["stages"][0]["depends_on"] = {plan["stages"][1]["id"]};
  const std::string cyclic = write_temp_file("cyclic.json", plan.dump());
  CHECK(run_trainplan({"validate", cyclic}, out, err) == 2);
  CHECK(err.find("cycle") != std::string::npos);
  plan = nlohmann::json::parse(std::ifstream(good));
  plan["format"] = "trainplan/plan@9";
  const std::string newer = write_temp_file("newer.json", plan.dump());
  CHECK(run_trainplan({"validate", newer}, out, err) == 2);
  CHECK(err.find("$.format") != std::string::npos);
  plan = nlohmann::json::parse(std::ifstream(good));
  plan["stages"][1]["model"] = "yolo-world-v9";
  const std::string unknown = write_temp_file("unknown.json", plan.dump());
  CHECK(run_trainplan({"validate", unknown}, out, err) == 2);
  CHECK(err.find("$.stages[1].model") != std::string::npos);
  CHECK(run_trainplan({"validate", "/nonexistent/plan.json"}, out, err) == 2);
}

TEST_CASE("a plan asked with flags only records them as its question and validates") {
  const std::string path = make_temp_dir() + "/flags-plan.json";
  std::string out, err;
  REQUIRE(run_trainplan({"plan", "--gpus", "4", "--budget", "1d", "-o", path}, out, err) == 0);
  CAPTURE(err);
  CHECK(run_trainplan({"validate", path}, out, err) == 0);
  CHECK(run_trainplan({"simulate", path, "--runs", "100"}, out, err) == 0);
}

TEST_CASE("the largest cluster accepted gets an answer (a ladder of rentable GPU counts, not every count)") {
  std::string out, err;
  CHECK(run_trainplan({"ask", "--gpus", "100000", "--budget", "1d"}, out, err) == 0);
  CHECK(out.find("Recommendation") != std::string::npos);
}
