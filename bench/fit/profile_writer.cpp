#include "profile_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "trainplan/atomic_file.hpp"
#include "trainplan/error.hpp"

namespace trainplan::bench {

namespace {

using Json = nlohmann::ordered_json;

Json read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open file", path));
  return Json::parse(in);
}

// The profile files' layout: one key holding a list, one entry per line.
void write(const std::string& path, const std::string& key, const Json& list) {
  std::string text = fmt::format("{{\n  \"{}\": [", key);
  for (size_t i = 0; i < list.size(); ++i)
    text += fmt::format("{}\n    {}", i ? "," : "", list[i].dump());
  text += list.empty() ? "]\n}\n" : "\n  ]\n}\n";
  write_file_atomically(path, text);
}

}  // namespace

double round_significant(double value, int digits) {
  if (value == 0) return 0;
  const double scale = std::pow(10.0, digits - 1 - int(std::floor(std::log10(std::fabs(value)))));
  return std::round(value * scale) / scale;
}

void write_knobs(const std::string& data_dir, const std::vector<Knob>& knobs,
                 const std::vector<double>& values, const std::vector<ReferenceRun>& runs,
                 const std::string& provenance) {
  for (const std::string list : {"architectures", "frameworks", "detector_kinds", "backbones"}) {
    const std::string path = data_dir + "/" + list + ".json";
    Json doc = read(path);
    std::map<std::string, std::set<std::string>> sources;  // per entry id
    std::map<std::string, std::set<size_t>> rows;
    for (size_t j = 0; j < knobs.size(); ++j) {
      if (knobs[j].list != list) continue;
      bool found = false;
      for (auto& entry : doc.at(list)) {
        if (entry.at("id") != knobs[j].id) continue;
        entry[knobs[j].field] = round_significant(values[j]);
        found = true;
      }
      if (!found)
        throw InputError(fmt::format("{}: no entry \"{}\" for {}", path, knobs[j].id, knobs[j].name()));
      for (size_t r : knobs[j].rows) {
        rows[knobs[j].id].insert(r);
        sources[knobs[j].id].insert(runs[r].source_id);
      }
    }
    for (auto& entry : doc.at(list)) {
      const std::string id = entry.at("id");
      auto knob = std::find_if(knobs.begin(), knobs.end(),
                               [&](const Knob& k) { return k.list == list && k.id == id; });
      if (knob == knobs.end()) continue;
      const std::string prior = knob->why.empty() ? "" : "; prior: " + knob->why;
      entry["fit"] = rows[id].empty()
                         ? fmt::format("{}: no reference row, the prior{}", provenance, prior)
                         : fmt::format("{}: {} rows of {} sources{}", provenance, rows[id].size(),
                                       sources[id].size(), prior);
    }
    write(path, list, doc.at(list));
  }
}

int update_doc_quotes(const std::string& doc_path, const std::string& data_dir) {
  std::ifstream in(doc_path);
  if (!in) throw InputError(fmt::format("{}: cannot open file", doc_path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  // The same form tests/costmodel/docs_constants_test.cpp checks.
  const std::regex quote(R"(`([a-z_]+)/([a-z0-9.-]+)/([a-z_0-9]+) = (-?[0-9][0-9.]*(?:e-?[0-9]+)?)`)");
  std::map<std::string, Json> files;
  std::string out;
  int changed = 0;
  auto last = doc.cbegin();
  for (std::sregex_iterator it(doc.begin(), doc.end(), quote), end; it != end; ++it) {
    const auto& m = *it;
    const std::string list = m[1], id = m[2], field = m[3], old_value = m[4];
    if (!files.count(list)) files[list] = read(data_dir + "/" + list + ".json");
    std::string value = old_value;
    for (const auto& entry : files[list].at(list))
      if (entry.at("id") == id && entry.contains(field))
        value = fmt::format("{:.4g}", entry.at(field).get<double>());
    if (value != old_value) ++changed;
    out.append(last, m[0].first);
    out += fmt::format("`{}/{}/{} = {}`", list, id, field, value);
    last = m[0].second;
  }
  out.append(last, doc.cend());
  if (changed) write_file_atomically(doc_path, out);
  return changed;
}

void write_uncertainty(const std::string& data_dir,
                       const std::vector<profiles::UncertaintyProfile>& entries) {
  Json list = Json::array();
  for (const auto& u : entries)
    list.push_back({{"id", u.id},
                    {"log_error_p10", round_significant(u.log_error_p10)},
                    {"log_error_p90", round_significant(u.log_error_p90)},
                    {"calibrated_log_error_p10", round_significant(u.calibrated_log_error_p10)},
                    {"calibrated_log_error_p90", round_significant(u.calibrated_log_error_p90)},
                    {"rows", u.rows},
                    {"fit", u.fit}});
  write(data_dir + "/uncertainty.json", "uncertainty", list);
}

}  // namespace trainplan::bench
