#pragma once
// A detection dataset in COCO's annotation format (the format YOLO-World's fine-tuning data
// uses), loaded and validated once so that training never meets a bad annotation halfway
// through an epoch. Every problem is an InputError naming the annotation file, the JSON path
// of the item, the image, the bad value and what is accepted. The annotation file is streamed
// (never held whole in memory) and its checked content cached beside it (index_cache.hpp).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace trainplan::executor::data {

/// One object: a class and a box in COCO's xywh convention, in pixels of the original image.
struct Box {
  /// 0-based contiguous index into CocoDataset::class_names.
  int category = 0;
  float x = 0, y = 0, w = 0, h = 0;
  float area = 0;  ///< COCO's "area" field (for S/M/L ranges); 0 when absent
};

/// One image with its objects. Crowd annotations are kept apart: YOLO trainers do not train on
/// them, and COCO evaluation needs them to ignore the detections they cover.
struct ImageRecord {
  int64_t id = 0;
  /// The image file: image_dir joined with the annotation's file_name.
  std::string path;
  int width = 0;
  int height = 0;
  std::vector<Box> boxes;
  std::vector<Box> crowd;  ///< iscrowd=1 annotations: regions ignored by evaluation, never trained on
};

/// A loaded dataset. class_names[k] names category index k; categories are ordered by their
/// COCO id.
struct CocoDataset {
  std::vector<std::string> class_names;
  std::vector<ImageRecord> images;
};

/// How strictly load_coco treats bad samples.
struct LoadOptions {
  /// Leave out bad images and annotations (reporting each) instead of throwing. Structural
  /// problems (malformed JSON, missing top-level arrays, bad categories) always throw.
  bool skip_bad_samples = false;
  /// Fully decode every image once while loading, so a corrupt file is found now rather than
  /// in epoch 37. When false only the file header is read (fast, catches non-images).
  bool decode_check = true;
  /// Threads for the image checks; 0 means one per hardware thread.
  int check_threads = 0;
  /// Look at the image files at all. Training turns this off: at full scale opening 100,000
  /// files before the first step costs minutes, and the data loader reports a missing or
  /// corrupt image (file and image id) when it reaches it. `trainplan data check` turns it on.
  bool check_files = true;
  /// Read and write the binary index cache beside the annotation file.
  bool use_cache = true;
  /// Called now and then during the file checks with (images checked, images to check).
  std::function<void(size_t, size_t)> progress;
};

/// Loads a COCO annotation file whose images live under `image_dir`.
///
/// Checks: the file and directory exist; the JSON parses (line:column on error); the
/// `images`, `annotations` and `categories` arrays and their fields are present and typed;
/// ids are unique; every annotation names a known image and category; every box has a
/// positive width and height and lies inside its image (1 px tolerance, then clipped); every
/// image file exists, is an image and has the annotated size (and decodes, with
/// decode_check), when check_files. Images without file_name but with a coco_url (LVIS) name
/// the file by the URL's last two parts, e.g. "train2017/000000391895.jpg". Crowd
/// annotations go to ImageRecord::crowd, checked like the others. COCO category ids may be any integers: they are mapped to contiguous
/// indices in increasing id order. Images without objects are kept (they teach background).
///
/// With skip_bad_samples, each bad image (an image with any bad annotation counts as bad, so
/// that no object is silently turned into background) or orphan annotation is left out and
/// its message appended to `*skipped` (when not null). A dataset that ends up with no image
/// is an InputError either way.
CocoDataset load_coco(const std::string& annotation_json, const std::string& image_dir,
                      const LoadOptions& options = {}, std::vector<std::string>* skipped = nullptr);

/// The class names of an annotation file, from its index cache (streamed and cached when
/// there is none): no image file is opened. Throws as load_coco for structural problems.
std::vector<std::string> coco_class_names(const std::string& annotation_json);

/// How many images of an annotation file pass the annotation checks (index cache, as above).
size_t coco_image_count(const std::string& annotation_json);

}  // namespace trainplan::executor::data
