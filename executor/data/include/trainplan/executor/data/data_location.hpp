#pragma once
// Where a plan's data set is on disk. A data set id (coco-train2017, lvis-minival, shapes)
// names a folder, given by `--data ID=PATH` or found as <--data-root>/<ID>, and a split
// (train or val, from the id's ending). The folder may hold one of the layouts in
// docs/data-layouts.md: trainplan's synthetic one, COCO 2017, LVIS v1 or Objects365.
#include <map>
#include <string>
#include <vector>

namespace trainplan::executor::data {

/// One split of a data set: its COCO annotation file and the folder its file names are
/// relative to.
struct DataSplit {
  std::string annotations;
  std::string images;
};

/// Which split of a data set: "train" or "val".
enum class SplitKind { train, val };

/// The split a data set id names by its ending (train, train2017, val, val2017, minival...),
/// or `fallback` when it names none (a custom id such as "shapes").
SplitKind split_of_id(const std::string& dataset_id, SplitKind fallback);

/// Where data set folders are looked for.
struct DataSources {
  /// --data ID=PATH, by id.
  std::map<std::string, std::string> folders;
  /// --data-root: <root>/<ID> when the id has no --data.
  std::string root = "data";
};

/// The sources given by `--data ID=PATH` flags (as typed) and --data-root. Throws InputError
/// for a flag that is not ID=PATH, or an id given twice with different paths.
DataSources data_sources(const std::vector<std::string>& data_flags, const std::string& root);

/// The folder of a data set id: its --data PATH, or <root>/<ID>.
std::string dataset_folder(const std::string& dataset_id, const DataSources& sources);

/// The `split` of the data set in `folder`, trying each known layout in turn. Returns nothing
/// and lists the annotation files tried in `tried` when no layout matches.
bool find_split(const std::string& folder, SplitKind split, DataSplit& out,
                std::vector<std::string>* tried = nullptr);

/// The split of `dataset_id` a stage uses; throws InputError naming `who` (the plan stage and
/// field), the id, the paths tried and the flags that say where data is.
DataSplit locate_split(const std::string& dataset_id, SplitKind split, const DataSources& sources,
                       const std::string& who);

/// The synthetic layout's split in a folder (annotations/<split>.json, <split>/), unchecked.
DataSplit synthetic_split(const std::string& folder, SplitKind split);

}  // namespace trainplan::executor::data
