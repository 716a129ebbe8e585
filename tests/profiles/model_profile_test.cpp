// Pins down DESIGN 3.2: a model profile needs only id, params_m, gflops and
// gflops_resolution; the resolution may be "1333x800"; optional fields take their documented
// defaults; more fields are allowed; a missing or invalid required field is rejected.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/error.hpp"
#include "trainplan/profiles/catalog.hpp"

using nlohmann::json;
using trainplan::InputError;
using trainplan::profiles::Catalog;

namespace {

json minimal_model() {
  return {{"id", "my-detector"}, {"params_m", 48.0}, {"gflops", 165.0}, {"gflops_resolution", 640}};
}

std::string merge_error(const json& model) {
  Catalog c = Catalog::embedded();
  try {
    c.merge(json{{"models", json::array({model})}}, "models.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

}  // namespace

TEST_CASE("the DESIGN 3.2 example loads with only its four fields") {
  Catalog c = Catalog::embedded();
  json doc = {{"models", json::array({{{"id", "yolo-world-v2-l"},
                                       {"params_m", 48.0},
                                       {"gflops", 165.0},
                                       {"gflops_resolution", 640}}})}};
  REQUIRE_NOTHROW(c.merge(doc, "design-example.json"));
  const auto& m = c.model("yolo-world-v2-l");
  CHECK(m.params_m == 48.0);
  CHECK(m.gflops == 165.0);
  CHECK(m.gflops_resolution.width_px == 640);
  CHECK(m.gflops_resolution.height_px == 640);
}

TEST_CASE("a minimal new model gets working defaults") {
  Catalog c = Catalog::embedded();
  c.merge(json{{"models", json::array({minimal_model()})}}, "models.json");
  const auto& m = c.model("my-detector");
  CHECK(m.name == "my-detector");
  CHECK(m.activation_mb == 0);  // left to the cost model: its kind's fitted default
  CHECK(m.detector_kind == "one-stage");
  CHECK(m.backbone == "dense-conv");
  CHECK(m.efficiency == 1.0);
  CHECK_FALSE(m.text_encoder.has_value());
  CHECK_NOTHROW(c.framework(m.framework));
  CHECK_FALSE(m.source.empty());
}

TEST_CASE("the default activation memory grows with the model's cost") {
  Catalog c = Catalog::embedded();
  json small = minimal_model();
  small["id"] = "small";
  small["gflops"] = 10.0;
  json big = minimal_model();
  big["id"] = "big";
  big["gflops"] = 400.0;
  c.merge(json{{"models", json::array({small, big})}}, "models.json");
  CHECK(trainplan::profiles::default_activation_mb(c.model("small").gflops) <
        trainplan::profiles::default_activation_mb(c.model("big").gflops));
}

TEST_CASE("gflops_resolution accepts WIDTHxHEIGHT") {
  Catalog c = Catalog::embedded();
  json m = minimal_model();
  m["gflops_resolution"] = "1333x800";
  c.merge(json{{"models", json::array({m})}}, "models.json");
  CHECK(c.model("my-detector").gflops_resolution.width_px == 1333);
  CHECK(c.model("my-detector").gflops_resolution.height_px == 800);
  CHECK(c.model("my-detector").gflops_resolution.to_string() == "1333x800");
}

TEST_CASE("more fields than the required ones are allowed on a model") {
  Catalog c = Catalog::embedded();
  json m = minimal_model();
  m["paper"] = "arXiv:2401.17270";
  m["notes"] = {{"anything", true}};
  CHECK_NOTHROW(c.merge(json{{"models", json::array({m})}}, "models.json"));
}

TEST_CASE("a model without a required field is rejected with its path") {
  for (const char* key : {"id", "params_m", "gflops", "gflops_resolution"}) {
    CAPTURE(key);
    json m = minimal_model();
    m.erase(key);
    std::string msg = merge_error(m);
    CAPTURE(msg);
    CHECK(msg.find(std::string("$.models[0].") + key) != std::string::npos);
    CHECK(msg.find("models.json") != std::string::npos);
  }
}

TEST_CASE("invalid model figures are rejected with their path") {
  json m = minimal_model();
  m["gflops"] = -165.0;
  CHECK(merge_error(m).find("$.models[0].gflops") != std::string::npos);
  m = minimal_model();
  m["gflops_resolution"] = "640x";
  std::string msg = merge_error(m);
  CAPTURE(msg);
  CHECK(msg.find("$.models[0].gflops_resolution") != std::string::npos);
  m = minimal_model();
  m["text_encoder"] = {{"params_m", 63.0}};
  CHECK(merge_error(m).find("$.models[0].text_encoder.gflops_per_text") != std::string::npos);
}
