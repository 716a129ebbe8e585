// `trainplan data synth`: a real COCO-format data set of rendered shapes (the demo's and the
// tests' data); `trainplan data check` (data_check.cpp).
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "data_check.hpp"
#include "trainplan/executor/data/synth.hpp"

namespace trainplan::cli {

void add_data_command(CLI::App& app, CommandRunner& run) {
  auto options = std::make_shared<executor::data::SynthOptions>();
  CLI::App* data = app.add_subcommand("data", "Data set tools");
  data->require_subcommand(1);
  CLI::App* synth = data->add_subcommand("synth", "Write a synthetic COCO-format data set");
  synth->add_option("--out", options->out_dir, "Output directory")->required();
  synth->add_option("--images", options->images, "Images in all (default 200)");
  synth->add_option("--classes", options->classes, "Shape classes, 1-10 (default 3)");
  synth->add_option("--size", options->size, "Image side in pixels (default 128)");
  synth->add_option("--seed", options->seed, "Random seed (default 0)");
  synth->callback([options, &run] {
    run = [options] {
      executor::data::write_synthetic_dataset(*options);
      std::cout << fmt::format("wrote {} images of {} classes to {} (annotations/train.json, "
                               "annotations/val.json, train/, val/, classes.txt)\n",
                               options->images, options->classes, options->out_dir);
      return 0;
    };
  });
  add_data_check_command(*data, run);
}

}  // namespace trainplan::cli
