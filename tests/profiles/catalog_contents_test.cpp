// Pins down what the embedded catalog holds: every DESIGN 3.1 GPU id with positive vendor
// figures and a source, the YOLO-World models, the data sets (with their published image
// counts) and the recipes the planner builds on. Also checks that the embedded copy matches
// the JSON files in profiles/data.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trainplan/profiles/catalog.hpp"

using trainplan::profiles::Catalog;

namespace {

const std::vector<std::string> kDesignGpuIds = {
    "v100-sxm2-16gb", "v100-sxm2-32gb", "v100s-pcie-32gb", "a100-sxm4-40gb", "a100-sxm4-80gb",
    "a100-pcie-80gb", "a800-sxm4-80gb", "h100-sxm5-80gb",  "h100-pcie-80gb", "h800-sxm5-80gb",
    "h200-sxm-141gb", "l40",            "l40s",            "l4",             "a30",
    "rtx-2080ti",     "rtx-3090",       "rtx-4090",        "rtx-a5000",      "cpu"};

nlohmann::json read_data_file(const std::string& name) {
  std::ifstream in(std::string(TRAINPLAN_PROFILE_DATA_DIR) + "/" + name);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("the embedded catalog loads and is not empty") {
  Catalog c = Catalog::embedded();
  CHECK_FALSE(c.gpus().empty());
  CHECK_FALSE(c.interconnects().empty());
  CHECK_FALSE(c.architectures().empty());
  CHECK_FALSE(c.frameworks().empty());
  CHECK_FALSE(c.models().empty());
  CHECK_FALSE(c.datasets().empty());
  CHECK_FALSE(c.recipes().empty());
}

TEST_CASE("every DESIGN 3.1 GPU id is present with positive figures and a source") {
  Catalog c = Catalog::embedded();
  for (const auto& id : kDesignGpuIds) {
    CAPTURE(id);
    const auto& g = c.gpu(id);
    CHECK(g.id == id);
    CHECK_FALSE(g.name.empty());
    CHECK_FALSE(g.architecture.empty());
    CHECK(g.tensor_tflops > 0);
    CHECK(g.fp32_tflops > 0);
    CHECK(g.memory_gb > 0);
    CHECK(g.memory_bandwidth_gbps > 0);
    CHECK_FALSE(g.intra_link.empty());
    CHECK(g.intra_link_bandwidth_gbps > 0);
    CHECK(g.price_per_gpu_hour_usd >= 0);
    CHECK(g.host_cpu_cores_per_gpu > 0);
    CHECK_FALSE(g.source.empty());
    // References resolve: the link, network and architecture exist in the catalog.
    CHECK_NOTHROW(c.interconnect(g.intra_link));
    CHECK_NOTHROW(c.interconnect(g.default_network));
    CHECK_NOTHROW(c.architecture(g.architecture));
  }
}

TEST_CASE("GPU figures are ordered as the vendors publish them") {
  Catalog c = Catalog::embedded();
  CHECK(c.gpu("v100-sxm2-16gb").memory_gb < c.gpu("v100-sxm2-32gb").memory_gb);
  CHECK(c.gpu("a100-sxm4-40gb").memory_gb < c.gpu("a100-sxm4-80gb").memory_gb);
  CHECK(c.gpu("h200-sxm-141gb").memory_gb > c.gpu("h100-sxm5-80gb").memory_gb);
  CHECK(c.gpu("v100-sxm2-32gb").tensor_tflops < c.gpu("a100-sxm4-80gb").tensor_tflops);
  CHECK(c.gpu("a100-sxm4-80gb").tensor_tflops < c.gpu("h100-sxm5-80gb").tensor_tflops);
  // Tensor cores beat plain FP32 on every data-centre part.
  for (const char* id : {"v100-sxm2-32gb", "a100-sxm4-80gb", "h100-sxm5-80gb"})
    CHECK(c.gpu(id).tensor_tflops > c.gpu(id).fp32_tflops);
}

TEST_CASE("the YOLO-World models are present with positive sizes") {
  Catalog c = Catalog::embedded();
  for (const char* id : {"yolo-world-v2-s", "yolo-world-v2-m", "yolo-world-v2-l",
                         "yolo-world-v2-x", "yolo-world-v1-l"}) {
    CAPTURE(id);
    const auto& m = c.model(id);
    CHECK(m.params_m > 0);
    CHECK(m.gflops > 0);
    CHECK(m.gflops_resolution.pixels() > 0);
    CHECK(m.activation_mb >= 0);
    CHECK(m.efficiency > 0);
    CHECK_FALSE(m.source.empty());
    CHECK_NOTHROW(c.framework(m.framework));
  }
  // Larger variants cost more.
  CHECK(c.model("yolo-world-v2-s").gflops < c.model("yolo-world-v2-m").gflops);
  CHECK(c.model("yolo-world-v2-m").gflops < c.model("yolo-world-v2-l").gflops);
  CHECK(c.model("yolo-world-v2-l").gflops < c.model("yolo-world-v2-x").gflops);
  CHECK(c.model("yolo-world-v2-l").params_m == doctest::Approx(48.0).epsilon(0.1));
}

TEST_CASE("the data sets carry their published image counts") {
  Catalog c = Catalog::embedded();
  CHECK(c.dataset("o365v1-goldg").images == 1378880);
  CHECK(c.dataset("coco-train2017").images == 118287);
  CHECK(c.dataset("coco-val2017").images == 5000);
  for (const auto& d : c.datasets()) {
    CAPTURE(d.id);
    CHECK(d.images > 0);
    CHECK(d.mean_width_px > 0);
    CHECK(d.mean_height_px > 0);
    CHECK_FALSE(d.source.empty());
  }
}

TEST_CASE("the pre-training and fine-tuning recipes match the published configs") {
  Catalog c = Catalog::embedded();
  const auto& pretrain = c.recipe("yolo-world-pretrain");
  CHECK(pretrain.kind == "pretrain");
  CHECK(pretrain.dataset == "o365v1-goldg");
  CHECK(pretrain.epochs == 100);
  CHECK(pretrain.global_batch == 512);
  CHECK(pretrain.gpus == 32);
  const auto& finetune = c.recipe("yolo-world-coco-finetune");
  CHECK(finetune.kind == "finetune");
  CHECK(finetune.dataset == "coco-train2017");
  CHECK(finetune.epochs == 80);
  CHECK(finetune.global_batch == 128);
  CHECK(finetune.gpus == 8);
  CHECK(finetune.resolution.width_px == 640);
  for (const auto& r : c.recipes()) {
    CAPTURE(r.id);
    CHECK_NOTHROW(c.dataset(r.dataset));
    CHECK_FALSE(r.optimizer.type.empty());
    CHECK(r.optimizer.lr > 0);
  }
}

TEST_CASE("the embedded copy holds the same ids as profiles/data") {
  Catalog c = Catalog::embedded();
  auto ids_in = [](const nlohmann::json& doc, const char* key) {
    std::vector<std::string> ids;
    for (const auto& e : doc.at(key)) ids.push_back(e.at("id").get<std::string>());
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto ids_of = [](const auto& list) {
    std::vector<std::string> ids;
    for (const auto& p : list) ids.push_back(p.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  CHECK(ids_in(read_data_file("gpus.json"), "gpus") == ids_of(c.gpus()));
  CHECK(ids_in(read_data_file("models.json"), "models") == ids_of(c.models()));
  CHECK(ids_in(read_data_file("datasets.json"), "datasets") == ids_of(c.datasets()));
  CHECK(ids_in(read_data_file("recipes.json"), "recipes") == ids_of(c.recipes()));
}
