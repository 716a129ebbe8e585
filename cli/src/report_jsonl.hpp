#pragma once
// JSON-lines files of a run (metrics.jsonl, forecast.jsonl) read for `trainplan report`, with
// messages that name the file, the line and the field.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace trainplan::cli {

/// One object of a JSON-lines file and where it was.
struct JsonLine {
  std::string file;
  int line = 0;  ///< 1-based
  nlohmann::json value;
};

/// Every non-blank line of `path` as a JSON object. InputError naming the file and line when a
/// line is not a JSON object; a last line without its newline that does not parse is skipped
/// (the run is still writing it). RunError when the file cannot be read.
std::vector<JsonLine> read_json_lines(const std::string& path);

/// `field` of the line as a number; nothing when absent or null. InputError naming the file,
/// line, field and value when it is anything else.
std::optional<double> number_field(const JsonLine& line, const char* field);

/// `field` of the line as a string; InputError naming the file, line and field when absent or
/// not a string.
std::string string_field(const JsonLine& line, const char* field);

}  // namespace trainplan::cli
