// Pins down input resolutions (DESIGN 3.2): "640" is a square, "1333x800" is width x height,
// JSON numbers and strings are both accepted, and malformed or non-positive text is rejected
// with a message naming where it came from and the accepted forms.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "trainplan/error.hpp"
#include "trainplan/profiles/resolution.hpp"

using trainplan::InputError;
using trainplan::profiles::parse_resolution;
using trainplan::profiles::Resolution;
using trainplan::profiles::resolution_from_json;

TEST_CASE("a single number is a square side") {
  Resolution r = parse_resolution("640", "--resolution");
  CHECK(r.width_px == 640);
  CHECK(r.height_px == 640);
  CHECK(r.pixels() == 640.0 * 640.0);
  CHECK(r.to_string() == "640");
  CHECK(parse_resolution("1280", "x").width_px == 1280);
}

TEST_CASE("WIDTHxHEIGHT gives width and height") {
  Resolution r = parse_resolution("1333x800", "--resolution");
  CHECK(r.width_px == 1333);
  CHECK(r.height_px == 800);
  CHECK(r.pixels() == 1333.0 * 800.0);
  CHECK(r.to_string() == "1333x800");
  CHECK(parse_resolution("640x640", "x") == parse_resolution("640", "x"));
  CHECK(parse_resolution("640x640", "x").to_string() == "640");
}

TEST_CASE("malformed or non-positive resolutions are rejected") {
  for (const char* text : {"0", "-5", "abc", "640x", "x640", "12x34x56", "", "640 px", "0x480",
                           "640x0", "1e3"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(parse_resolution(text, "--resolution"), InputError);
  }
}

TEST_CASE("the message names the flag, the text and the accepted forms") {
  std::string msg;
  try {
    parse_resolution("640x", "--resolution");
  } catch (const InputError& e) {
    msg = e.what();
  }
  CAPTURE(msg);
  CHECK(msg.find("--resolution") != std::string::npos);
  CHECK(msg.find("\"640x\"") != std::string::npos);
  CHECK(msg.find("1333x800") != std::string::npos);
}

TEST_CASE("JSON numbers and strings are both resolutions") {
  CHECK(resolution_from_json(nlohmann::json(640), "$.r") == Resolution{640, 640});
  CHECK(resolution_from_json(nlohmann::json("1333x800"), "$.r") == Resolution{1333, 800});
  CHECK(resolution_from_json(nlohmann::json("800"), "$.r") == Resolution{800, 800});
  CHECK_THROWS_AS(resolution_from_json(nlohmann::json(0), "$.r"), InputError);
  CHECK_THROWS_AS(resolution_from_json(nlohmann::json(-640), "$.r"), InputError);
  CHECK_THROWS_AS(resolution_from_json(nlohmann::json(true), "$.r"), InputError);
  CHECK_THROWS_AS(resolution_from_json(nlohmann::json::array({640, 480}), "$.r"), InputError);
  CHECK_THROWS_AS(resolution_from_json(nlohmann::json("abc"), "$.r"), InputError);
}
