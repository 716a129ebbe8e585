#include "trainplan/json_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "trainplan/error.hpp"

namespace trainplan {

namespace {

// nlohmann reports a byte offset; users want line and column.
std::pair<size_t, size_t> line_and_column(const std::string& text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // The offset points one past the offending byte.
    auto [line, column] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    auto cut = what.find("parse error");
    if (cut != std::string::npos) what = what.substr(cut);
    throw InputError(fmt::format("{}:{}:{}: invalid JSON: {}", origin, line, column, what));
  }
}

nlohmann::json parse_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path);
}

std::string json_excerpt(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& value, std::string origin,
                                   std::string path)
    : value_(value), origin_(std::move(origin)), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw InputError(fmt::format("{}: {}: expected a JSON object, got {}", origin_, path_,
                                 json_excerpt(value_)));
  }
}

std::string JsonObjectReader::path_of(const std::string& key) const { return path_ + "." + key; }

void JsonObjectReader::fail(const std::string& key, const std::string& what) const {
  throw InputError(fmt::format("{}: {}: {}", origin_, path_of(key), what));
}

const nlohmann::json& JsonObjectReader::raw(const std::string& key) { return field(key); }

bool JsonObjectReader::has(const std::string& key) const { return value_.contains(key); }

const nlohmann::json& JsonObjectReader::field(const std::string& key) {
  read_.insert(key);
  if (!value_.contains(key)) fail(key, "missing required field");
  return value_.at(key);
}

double JsonObjectReader::number(const std::string& key, bool positive) {
  const auto& v = field(key);
  if (!v.is_number()) fail(key, fmt::format("expected a number, got {}", json_excerpt(v)));
  double x = v.get<double>();
  if (!std::isfinite(x)) fail(key, "expected a finite number");
  if (positive && !(x > 0)) fail(key, fmt::format("expected a number > 0, got {}", json_excerpt(v)));
  if (!positive && x < 0) fail(key, fmt::format("expected a number >= 0, got {}", json_excerpt(v)));
  return x;
}

double JsonObjectReader::signed_number(const std::string& key) {
  const auto& v = field(key);
  if (!v.is_number()) fail(key, fmt::format("expected a number, got {}", json_excerpt(v)));
  double x = v.get<double>();
  if (!std::isfinite(x)) fail(key, "expected a finite number");
  return x;
}

double JsonObjectReader::number_or(const std::string& key, double fallback, bool positive) {
  read_.insert(key);
  return has(key) ? number(key, positive) : fallback;
}

std::optional<double> JsonObjectReader::optional_number(const std::string& key, bool positive) {
  read_.insert(key);
  if (!has(key)) return std::nullopt;
  return number(key, positive);
}

std::string JsonObjectReader::string(const std::string& key) {
  const auto& v = field(key);
  if (!v.is_string() || v.get<std::string>().empty())
    fail(key, fmt::format("expected a non-empty string, got {}", json_excerpt(v)));
  return v.get<std::string>();
}

std::string JsonObjectReader::string_or(const std::string& key, const std::string& fallback) {
  read_.insert(key);
  return has(key) ? string(key) : fallback;
}

std::string JsonObjectReader::one_of(const std::string& key,
                                     std::initializer_list<const char*> accepted) {
  std::string value = string(key);
  std::string list;
  for (const char* a : accepted) {
    if (value == a) return value;
    list += list.empty() ? a : fmt::format(", {}", a);
  }
  fail(key, fmt::format("\"{}\" is not accepted; expected one of: {}", value, list));
}

bool JsonObjectReader::boolean_or(const std::string& key, bool fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const auto& v = value_.at(key);
  if (!v.is_boolean()) fail(key, fmt::format("expected true or false, got {}", json_excerpt(v)));
  return v.get<bool>();
}

std::optional<JsonObjectReader> JsonObjectReader::optional_object(const std::string& key) {
  read_.insert(key);
  if (!has(key)) return std::nullopt;
  return JsonObjectReader(value_.at(key), origin_, path_of(key));
}

const nlohmann::json& JsonObjectReader::array(const std::string& key) {
  const auto& v = field(key);
  if (!v.is_array()) fail(key, fmt::format("expected a JSON array, got {}", json_excerpt(v)));
  return v;
}

void JsonObjectReader::reject_unknown_keys() const {
  for (const auto& item : value_.items()) {
    if (!read_.count(item.key())) {
      std::string known;
      for (const auto& k : read_) known += known.empty() ? k : ", " + k;
      fail(item.key(), fmt::format("unknown field; accepted fields: {}", known));
    }
  }
}

}  // namespace trainplan
