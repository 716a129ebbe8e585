#pragma once
// Strict, path-aware reading of JSON objects: every value is checked when it is read, an
// unknown key is an error, and each message names the file, the JSON path, the bad value
// and what is accepted. Used by the profile loader and the plan reader.
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace trainplan {

/// Parses JSON text; a syntax error becomes an InputError naming `origin`, line and column.
nlohmann::json parse_json_text(const std::string& text, const std::string& origin);

/// Reads a whole file and parses it (missing file and syntax errors are InputErrors).
nlohmann::json parse_json_file(const std::string& path);

/// A view of one JSON object at a path, used to read its fields one by one.
class JsonObjectReader {
 public:
  /// `origin` names the file (or "embedded profiles"); `path` is a JSON path like `$.gpus[3]`.
  JsonObjectReader(const nlohmann::json& value, std::string origin, std::string path);

  /// A required finite number, optionally required to be > 0.
  double number(const std::string& key, bool positive = true);
  /// A required finite number of either sign (a logarithm, an offset).
  double signed_number(const std::string& key);
  /// An optional number; `fallback` when absent.
  double number_or(const std::string& key, double fallback, bool positive = true);
  /// An optional number.
  std::optional<double> optional_number(const std::string& key, bool positive = true);
  /// A required non-empty string.
  std::string string(const std::string& key);
  /// An optional string.
  std::string string_or(const std::string& key, const std::string& fallback);
  /// A required string among `accepted`.
  std::string one_of(const std::string& key, std::initializer_list<const char*> accepted);
  /// An optional boolean.
  bool boolean_or(const std::string& key, bool fallback);
  /// A sub-object reader, if the key is present.
  std::optional<JsonObjectReader> optional_object(const std::string& key);
  /// A required array.
  const nlohmann::json& array(const std::string& key);
  /// The raw value of a present key, marked as read.
  const nlohmann::json& raw(const std::string& key);
  /// Whether the key is present.
  bool has(const std::string& key) const;
  /// The path of a key of this object, e.g. `$.gpus[3].memory_gb`.
  std::string path_of(const std::string& key) const;
  /// Throws an InputError naming the first key that was never read.
  void reject_unknown_keys() const;
  /// Throws an InputError about `key` with `what` as the reason.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

  const std::string& origin() const { return origin_; }
  const std::string& path() const { return path_; }

 private:
  const nlohmann::json& field(const std::string& key);
  const nlohmann::json& value_;
  std::string origin_;
  std::string path_;
  std::set<std::string> read_;
};

/// A short JSON rendering of a value for messages (cut to 60 characters).
std::string json_excerpt(const nlohmann::json& value);

}  // namespace trainplan
