#pragma once
// A synthetic detection dataset in COCO format: flat shapes on plain or noisy backgrounds.
// It lets `trainplan demo` and the tests train a real detector end to end in seconds, with no
// download, and is deterministic given the seed so runs can be compared.
#include <cstdint>
#include <string>
#include <vector>

namespace trainplan::executor::data {

/// What write_synthetic_dataset produces. Each field is validated with an InputError naming
/// its command-line flag (the CLI maps flags to these fields one to one).
struct SynthOptions {
  /// Output folder (--out); created if missing.
  std::string out_dir;
  /// Total images, train and val together (--images, at least 1).
  int images = 200;
  /// Classes, 1..10 (--classes); class k is always the same shape and colour.
  int classes = 3;
  /// Square image side in pixels, 32..1024 (--size).
  int size = 128;
  uint64_t seed = 0;
  /// Share of the images put in val, in [0, 1) (--val-fraction). With 2 or more images and a
  /// fraction above 0, val and train each get at least one image.
  double val_fraction = 0.2;
  /// Objects per image are drawn from 1..max_objects, 1..20 (--max-objects).
  int max_objects = 3;
};

/// The names of the first `classes` synthetic classes ("circle", "square", "triangle", ...).
std::vector<std::string> synthetic_class_names(int classes);

/// Writes out_dir/train/*.png, out_dir/val/*.png, out_dir/annotations/{train,val}.json (COCO:
/// images, annotations with xywh bbox, area and iscrowd 0, categories with ids 1..classes) and
/// out_dir/classes.txt (one name per line). Objects are 15-45% of the image side, lie fully
/// inside it and barely overlap. The same options give byte-identical files. The JSON and
/// classes.txt are written atomically, last, so a reader never sees annotations that
/// name missing images. Throws InputError for bad options, RunError if writing fails.
void write_synthetic_dataset(const SynthOptions& options);

}  // namespace trainplan::executor::data
