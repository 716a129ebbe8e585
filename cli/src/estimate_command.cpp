// `trainplan estimate` (DESIGN 3.4): one configuration's step, epoch and run time.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "text_format.hpp"
#include "trainplan/costmodel/calibration.hpp"
#include "trainplan/costmodel/estimate_json.hpp"
#include "trainplan/error.hpp"

namespace trainplan::cli {

namespace {

struct EstimateFlags {
  std::string model, gpu, resolution = "640", dataset = "coco-train2017", framework, network;
  std::string measured;
  std::vector<std::string> profile_files;
  int gpus = 0, nodes = 1, batch = 0;
  double images = 0, epochs = 0, eval_images = 0, cpus_per_gpu = 0;
  bool no_amp = false, no_mosaic = false, no_startup = false, json = false;
};

costmodel::Scenario scenario_from(const profiles::Catalog& catalog, const EstimateFlags& f) {
  costmodel::Scenario s;
  s.model_id = f.model;
  s.gpu_id = f.gpu;
  s.gpus = f.gpus;
  s.nodes = f.nodes;
  s.global_batch = f.batch;
  s.resolution = profiles::parse_resolution(f.resolution, "--resolution");
  s.images = f.images;
  s.epochs = f.epochs;
  s.framework_id = f.framework;
  s.network_id = f.network;
  s.amp = !f.no_amp;
  s.mosaic = !f.no_mosaic;
  s.eval_images = f.eval_images;
  s.include_startup = !f.no_startup;
  if (f.cpus_per_gpu < 0)
    throw InputError(fmt::format("--cpus-per-gpu: {} is not accepted; expected > 0", f.cpus_per_gpu));
  s.cpu_cores_per_gpu = f.cpus_per_gpu;
  const auto& data = catalog.dataset(f.dataset);
  s.texts_per_image = data.texts_per_image;
  s.source_image_pixels = data.mean_width_px * data.mean_height_px;
  // Unknown ids are reported here, before any work, with the closest known ids.
  catalog.model(s.model_id);
  catalog.gpu(s.gpu_id);
  if (!s.framework_id.empty()) catalog.framework(s.framework_id);
  if (!s.network_id.empty()) catalog.interconnect(s.network_id);
  costmodel::validate(s);
  return s;
}

std::vector<costmodel::MeasurementRecord> records_for_model(const std::string& path,
                                                            const std::string& model) {
  auto all = costmodel::read_measurements(path);
  std::vector<costmodel::MeasurementRecord> mine;
  std::string others;
  for (const auto& r : all) {
    if (r.model == model)
      mine.push_back(r);
    else if (others.find(r.model) == std::string::npos)
      others += (others.empty() ? "" : ", ") + r.model;
  }
  if (mine.empty())
    throw InputError(fmt::format("{}: no record for model \"{}\" (the records are for: {}); "
                                 "calibration fits one model's efficiency",
                                 path, model, others));
  return mine;
}

void print_text(const costmodel::Scenario& s, const costmodel::Estimate& e,
                const costmodel::CalibrationFit* fit) {
  std::cout << fmt::format("{} on {} x {} ({} node{}), global batch {} ({} per GPU), input {}\n",
                           s.model_id, s.gpus, s.gpu_id, s.nodes, s.nodes > 1 ? "s" : "",
                           s.global_batch, e.per_gpu_batch, s.resolution.to_string());
  std::cout << fmt::format(
      "  step       {:.3f} s/iter (compute {:.3f}, all-reduce exposed {:.3f} of {:.3f}, "
      "data wait {:.3f}, overhead {:.3f})\n",
      e.seconds_per_iter, e.step.compute_s, e.step.comm_exposed_s, e.step.comm_s,
      e.step.data_stall_s, e.step.overhead_s);
  std::cout << fmt::format("  epoch      {} iterations, {}\n", format_count(e.iters_per_epoch),
                           format_duration(e.epoch_seconds));
  std::cout << fmt::format("  total      {:g} epochs: {} ({}; {:.1f} GPU-hours, {}){}\n",
                           s.epochs, format_duration(e.total_seconds),
                           format_likely_range(e.total_seconds_p10, e.total_seconds_p90),
                           e.gpu_hours, format_usd(e.cost_usd),
                           s.include_startup ? "" : ", start-up left out");
  std::cout << fmt::format(
      "  breakdown  compute {}, all-reduce {}, data wait {}, evaluation {}, overhead {}\n",
      format_duration(e.breakdown.compute_s), format_duration(e.breakdown.comm_exposed_s),
      format_duration(e.breakdown.data_s), format_duration(e.breakdown.eval_s),
      format_duration(e.breakdown.overhead_s));
  if (e.fits_memory)
    std::cout << fmt::format("  memory     {:.1f} of {:.1f} GB per GPU: fits ({} images per pass, "
                             "{} accumulation step{})\n",
                             e.memory.total_gb, e.memory.capacity_gb, e.micro_batch,
                             e.accumulation_steps, e.accumulation_steps > 1 ? "s" : "");
  else
    std::cout << fmt::format("  memory     {:.1f} GB needed for one image, {:.1f} GB usable: does "
                             "NOT fit\n",
                             e.memory.total_gb, e.memory.capacity_gb);
  if (!fit) {
    std::cout << "  calibrated no (fit to your own runs with --measured FILE)\n";
    return;
  }
  std::cout << fmt::format("  calibrated yes ({}): compute x{:.3f}, all-reduce x{:.3f}, data x{:.3f}, "
                           "overhead x{:.3f}\n",
                           costmodel::to_string(fit->kind), fit->calibration.compute_scale,
                           fit->calibration.comm_scale, fit->calibration.data_scale,
                           fit->calibration.overhead_scale);
  std::cout << "  record  measured s/iter  profiles-only  calibrated  residual\n";
  for (size_t i = 0; i < fit->residuals.size(); ++i) {
    const auto& r = fit->residuals[i];
    std::cout << fmt::format("  {:>6}  {:>15.4f}  {:>13.4f}  {:>10.4f}  {:>+7.1f}%\n", i + 1,
                             r.measured_s, r.uncalibrated_s, r.predicted_s,
                             100 * r.relative_error);
  }
}

nlohmann::ordered_json fit_json(const costmodel::CalibrationFit& fit) {
  nlohmann::ordered_json j;
  j["compute_scale"] = fit.calibration.compute_scale;
  j["comm_scale"] = fit.calibration.comm_scale;
  j["data_scale"] = fit.calibration.data_scale;
  j["overhead_scale"] = fit.calibration.overhead_scale;
  j["fitted"] = costmodel::to_string(fit.kind);
  j["residuals"] = nlohmann::ordered_json::array();
  for (const auto& r : fit.residuals)
    j["residuals"].push_back({{"measured_s", r.measured_s},
                              {"predicted_s", r.predicted_s},
                              {"uncalibrated_s", r.uncalibrated_s},
                              {"relative_error", r.relative_error}});
  return j;
}

}  // namespace

void add_estimate_command(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<EstimateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "estimate", "Estimate step, epoch and run time, memory fit and cost of one configuration");
  cmd->add_option("--model", flags->model, "Model id (trainplan profiles list models)")->required();
  cmd->add_option("--gpu", flags->gpu, "GPU id (trainplan profiles list gpus)")->required();
  cmd->add_option("--gpus", flags->gpus, "Total GPUs")->required();
  cmd->add_option("--nodes", flags->nodes, "Nodes the GPUs are spread over (default 1)");
  cmd->add_option("--batch", flags->batch, "Global batch (images per step, all GPUs)")->required();
  cmd->add_option("--resolution", flags->resolution, "Input size: 640 or WIDTHxHEIGHT")->required();
  cmd->add_option("--images", flags->images, "Training images per epoch")->required();
  cmd->add_option("--epochs", flags->epochs, "Epochs")->required();
  cmd->add_option("--dataset", flags->dataset,
                  "Dataset id for image size and prompts per image (default coco-train2017)");
  cmd->add_option("--eval-images", flags->eval_images, "Validation images evaluated each epoch");
  cmd->add_option("--framework", flags->framework, "Training codebase id (default: the model's)");
  cmd->add_option("--network", flags->network, "Inter-node interconnect id (default: the GPU's)");
  cmd->add_option("--cpus-per-gpu", flags->cpus_per_gpu, "Loader cores per GPU (default: typical host)");
  cmd->add_flag("--no-amp", flags->no_amp, "Train in FP32 instead of mixed precision");
  cmd->add_flag("--no-mosaic", flags->no_mosaic, "No mosaic augmentation");
  cmd->add_flag("--no-startup", flags->no_startup,
                "Leave the codebase's start-up out of the total, as time-to-train benchmarks do");
  cmd->add_option("--measured", flags->measured,
                  "Measured runs (JSON list or JSON lines, DESIGN 3.3) to calibrate with");
  cmd->add_option("--profiles", flags->profile_files, "Extra profiles JSON (repeatable)");
  cmd->add_flag("--json", flags->json, "Print one JSON object");
  cmd->callback([flags, &run] {
    run = [flags] {
      const auto catalog = load_catalog(flags->profile_files);
      const auto scenario = scenario_from(catalog, *flags);
      std::unique_ptr<costmodel::CalibrationFit> fit;
      if (!flags->measured.empty())
        fit = std::make_unique<costmodel::CalibrationFit>(costmodel::fit_calibration(
            catalog, records_for_model(flags->measured, scenario.model_id), scenario));
      const auto e = costmodel::estimate(catalog, scenario,
                                         fit ? fit->calibration : costmodel::Calibration{});
      if (flags->json) {
        auto j = costmodel::to_json(e);
        if (fit) j["calibration"] = fit_json(*fit);
        std::cout << j.dump(2) << "\n";
      } else {
        print_text(scenario, e, fit.get());
      }
      return 0;
    };
  });
}

}  // namespace trainplan::cli
