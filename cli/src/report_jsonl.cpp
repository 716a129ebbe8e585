#include "report_jsonl.hpp"

#include <fmt/format.h>

#include <fstream>

#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

// A value as the message shows it: short, one line.
std::string shown(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace

std::vector<JsonLine> read_json_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RunError(fmt::format("{}: cannot be read", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<JsonLine> out;
  std::size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const std::size_t end = text.find('\n', start);
    const bool terminated = end != std::string::npos;
    const std::string line = text.substr(start, terminated ? end - start : std::string::npos);
    start = terminated ? end + 1 : text.size();
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
    if (value.is_discarded() && !terminated) break;  // being written right now
    if (!value.is_object())
      throw InputError(
          fmt::format("{} line {}: not a JSON object: {} (each line must be one "
                      "JSON object)",
                      path, number, line.size() > 60 ? line.substr(0, 57) + "..." : line));
    out.push_back({path, number, std::move(value)});
  }
  return out;
}

std::optional<double> number_field(const JsonLine& line, const char* field) {
  const auto it = line.value.find(field);
  if (it == line.value.end() || it->is_null()) return std::nullopt;
  if (!it->is_number())
    throw InputError(fmt::format("{} line {}: field \"{}\" is {}; expected a number or null",
                                 line.file, line.line, field, shown(*it)));
  return it->get<double>();
}

std::string string_field(const JsonLine& line, const char* field) {
  const auto it = line.value.find(field);
  if (it == line.value.end())
    throw InputError(fmt::format("{} line {}: field \"{}\" is missing; expected a string",
                                 line.file, line.line, field));
  if (!it->is_string())
    throw InputError(fmt::format("{} line {}: field \"{}\" is {}; expected a string", line.file,
                                 line.line, field, shown(*it)));
  return it->get<std::string>();
}

}  // namespace trainplan::cli
