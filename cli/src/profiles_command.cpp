// `trainplan profiles list [gpus|models|datasets|...]`, and the --profiles loader.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

profiles::Catalog load_catalog(const std::vector<std::string>& profile_files) {
  auto catalog = profiles::Catalog::embedded();
  for (const auto& file : profile_files) catalog.merge_file(file);
  return catalog;
}

namespace {

void list_gpus(const profiles::Catalog& c, bool json) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    std::cout << fmt::format("{:<17} {:>7} {:>6} {:>5} {:>6} {:<8} {:>5} {:>7}  {}\n", "id",
                             "tensor", "fp32", "GB", "GB/s", "link", "GB/s", "$/h", "name");
  for (const auto& g : c.gpus()) {
    if (json) {
      out.push_back({{"id", g.id}, {"name", g.name}, {"tensor_tflops", g.tensor_tflops},
                     {"fp32_tflops", g.fp32_tflops}, {"memory_gb", g.memory_gb},
                     {"memory_bandwidth_gbps", g.memory_bandwidth_gbps},
                     {"intra_link", g.intra_link},
                     {"price_per_gpu_hour_usd", g.price_per_gpu_hour_usd}});
      continue;
    }
    std::cout << fmt::format("{:<17} {:>7.1f} {:>6.1f} {:>5.0f} {:>6.0f} {:<8} {:>5.0f} {:>7.2f}  {}\n",
                             g.id, g.tensor_tflops, g.fp32_tflops, g.memory_gb,
                             g.memory_bandwidth_gbps, g.intra_link, g.intra_link_bandwidth_gbps,
                             g.price_per_gpu_hour_usd, g.name);
  }
  if (json) std::cout << out.dump(2) << "\n";
}

void list_models(const profiles::Catalog& c, bool json) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    std::cout << fmt::format("{:<17} {:>8} {:>8} {:>6} {:<14} {}\n", "id", "params_M", "GFLOPs",
                             "at", "framework", "name");
  for (const auto& m : c.models()) {
    if (json) {
      out.push_back({{"id", m.id}, {"name", m.name}, {"params_m", m.params_m},
                     {"gflops", m.gflops}, {"gflops_resolution", m.gflops_resolution.to_string()},
                     {"framework", m.framework}});
      continue;
    }
    std::cout << fmt::format("{:<17} {:>8.1f} {:>8.1f} {:>6} {:<14} {}{}\n", m.id, m.params_m,
                             m.gflops, m.gflops_resolution.to_string(), m.framework, m.name,
                             m.text_encoder ? " (+ frozen text encoder)" : "");
  }
  if (json) std::cout << out.dump(2) << "\n";
}

void list_datasets(const profiles::Catalog& c, bool json) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json) std::cout << fmt::format("{:<18} {:>10} {:>8} {:<6} {}\n", "id", "images", "classes", "split", "name");
  for (const auto& d : c.datasets()) {
    if (json) {
      out.push_back({{"id", d.id}, {"name", d.name}, {"images", d.images},
                     {"classes", d.classes}, {"split", d.split}});
      continue;
    }
    std::cout << fmt::format("{:<18} {:>10.0f} {:>8.0f} {:<6} {}\n", d.id, d.images, d.classes,
                             d.split, d.name);
  }
  if (json) std::cout << out.dump(2) << "\n";
}

void list_ids(const char* kind, const std::vector<std::string>& ids, bool json) {
  if (json) {
    std::cout << nlohmann::json(ids).dump(2) << "\n";
    return;
  }
  std::cout << kind << ":\n";
  for (const auto& id : ids) std::cout << "  " << id << "\n";
}

// The fitted constants of one list: a table of id and fields, then where each came from.
void list_fitted(const char* kind, const std::vector<std::string>& fields,
                 const std::vector<std::pair<std::string, std::vector<double>>>& rows,
                 const std::vector<std::string>& fits, bool json) {
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      nlohmann::ordered_json e = {{"id", rows[i].first}};
      for (size_t f = 0; f < fields.size(); ++f) e[fields[f]] = rows[i].second[f];
      e["fit"] = fits[i];
      out.push_back(e);
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{:<20}", kind);
  for (const auto& f : fields) std::cout << fmt::format(" {:>{}}", f, f.size());
  std::cout << "\n";
  for (const auto& [id, values] : rows) {
    std::cout << fmt::format("{:<20}", id);
    for (size_t f = 0; f < fields.size(); ++f)
      std::cout << fmt::format(" {:>{}.4g}", values[f], fields[f].size());
    std::cout << "\n";
  }
  std::cout << "\nwhere the values come from (bench/fit; docs/costmodel.md, fitting):\n";
  for (size_t i = 0; i < rows.size(); ++i)
    std::cout << fmt::format("  {}: {}\n", rows[i].first, fits[i].empty() ? "not fitted" : fits[i]);
}

void list_frameworks(const profiles::Catalog& c, bool json) {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  std::vector<std::string> fits;
  for (const auto& f : c.frameworks()) {
    rows.push_back({f.id, {f.compute_efficiency, f.loader_ms_per_sample, f.loader_workers_per_gpu,
                           f.step_overhead_ms, f.startup_s, f.eval_fixed_s}});
    fits.push_back(f.fit);
  }
  list_fitted("framework", {"compute_efficiency", "loader_ms_per_sample", "loader_workers_per_gpu",
                            "step_overhead_ms", "startup_s", "eval_fixed_s"},
              rows, fits, json);
}

void list_architectures(const profiles::Catalog& c, bool json) {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  std::vector<std::string> fits;
  for (const auto& a : c.architectures()) {
    rows.push_back({a.id, {a.achievable_tensor_fraction, a.achievable_fp32_fraction,
                           a.step_overhead_scale}});
    fits.push_back(a.fit);
  }
  list_fitted("architecture",
              {"achievable_tensor_fraction", "achievable_fp32_fraction", "step_overhead_scale"},
              rows, fits, json);
}

void list_detector_kinds(const profiles::Catalog& c, bool json) {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  std::vector<std::string> fits;
  for (const auto& k : c.detector_kinds()) {
    rows.push_back({k.id, {k.compute_efficiency, k.step_overhead_ms}});
    fits.push_back(k.fit);
  }
  list_fitted("detector kind", {"compute_efficiency", "step_overhead_ms"}, rows, fits, json);
}

void list_backbones(const profiles::Catalog& c, bool json) {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  std::vector<std::string> fits;
  for (const auto& b : c.backbones()) {
    rows.push_back({b.id, {b.compute_efficiency}});
    fits.push_back(b.fit);
  }
  list_fitted("backbone", {"compute_efficiency"}, rows, fits, json);
}

template <typename List>
std::vector<std::string> ids_of(const List& list) {
  std::vector<std::string> ids;
  for (const auto& p : list) ids.push_back(p.id);
  return ids;
}

}  // namespace

void add_profiles_command(CLI::App& app, CommandRunner& run) {
  struct Flags {
    std::string what = "gpus";
    std::vector<std::string> files;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("profiles", "Show the known GPUs, models, datasets, ...");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List profiles of one kind");
  list->add_option("kind", flags->what,
                   "gpus (default), models, datasets, interconnects, frameworks, recipes, "
                   "architectures, detector_kinds, backbones");
  list->add_option("--profiles", flags->files, "Extra profiles JSON (repeatable)");
  list->add_flag("--json", flags->json, "Print JSON");
  list->callback([flags, &run] {
    run = [flags] {
      const auto c = load_catalog(flags->files);
      const std::string& w = flags->what;
      if (w == "gpus") list_gpus(c, flags->json);
      else if (w == "models") list_models(c, flags->json);
      else if (w == "datasets") list_datasets(c, flags->json);
      else if (w == "interconnects") list_ids("interconnects", ids_of(c.interconnects()), flags->json);
      else if (w == "frameworks") list_frameworks(c, flags->json);
      else if (w == "recipes") list_ids("recipes", ids_of(c.recipes()), flags->json);
      else if (w == "architectures") list_architectures(c, flags->json);
      else if (w == "detector_kinds") list_detector_kinds(c, flags->json);
      else if (w == "backbones") list_backbones(c, flags->json);
      else
        throw InputError(fmt::format("profiles list: \"{}\" is not accepted; expected one of: "
                                     "gpus, models, datasets, interconnects, frameworks, recipes, "
                                     "architectures, detector_kinds, backbones",
                                     w));
      return 0;
    };
  });
}

}  // namespace trainplan::cli
