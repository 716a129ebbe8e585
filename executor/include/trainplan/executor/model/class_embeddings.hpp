#pragma once
// Class (text) embeddings for the open-vocabulary head. YOLO-World takes them from a CLIP
// text encoder; the executor does not ship one, so it offers two sources: vectors read from
// a file (exported from CLIP, or anything else) and deterministic stand-ins derived from the
// class names (each name its own fixed random direction; names carry no meaning to them, so
// they suit training from scratch or prompt tuning, not zero-shot transfer).
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace trainplan::executor {

/// 64-bit FNV-1a hash of `text` (stable across platforms and runs).
uint64_t fnv1a_64(const std::string& text);

/// [K, dim] float32, one unit-norm row per name: the hash of the name seeds a generator
/// (SplitMix64 + Box-Muller, written out so that the values are the same on every platform
/// and standard library) that draws dim standard normal values. Equal names give equal rows.
/// Throws InputError if `names` is empty, a name is empty, or dim < 1.
torch::Tensor embeddings_from_names(const std::vector<std::string>& names, int dim);

/// [K, dim] float32 unit-norm rows for `names`, read from a text file with one line per
/// class: the name followed by dim numbers, separated by blanks ("traffic light 0.1 ..." is
/// fine: the last dim fields are the numbers, the rest is the name). Blank lines and lines
/// starting with '#' are skipped; the file may hold more names than asked for.
/// Throws InputError naming the file, the line and the problem (unreadable file, wrong count
/// of numbers, a bad number, a repeated name, a zero vector) or the class with no line.
torch::Tensor embeddings_from_file(const std::string& path, const std::vector<std::string>& names,
                                   int dim);

}  // namespace trainplan::executor
