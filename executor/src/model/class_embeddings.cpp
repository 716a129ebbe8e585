// Class embeddings from names (deterministic stand-ins) or from a text file.
#include "trainplan/executor/model/class_embeddings.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "trainplan/error.hpp"

namespace trainplan::executor {
namespace {

/// SplitMix64 (Steele et al.): a tiny generator whose output is fully specified, unlike
/// std::normal_distribution, whose values differ between standard libraries.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1): 53 random bits, offset by half a step so that log() is finite.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  /// Standard normal by Box-Muller.
  double normal() {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    return r * std::cos(2.0 * M_PI * uniform());
  }

 private:
  uint64_t state_;
};

void check_dim(int dim, const char* where) {
  if (dim < 1) {
    throw InputError(std::string(where) + ": embedding dim must be >= 1, got " +
                     std::to_string(dim));
  }
}

/// Divides each row by its norm (rows are checked non-zero by the callers).
torch::Tensor unit_rows(const torch::Tensor& rows) {
  return rows / rows.norm(2, 1, /*keepdim=*/true);
}

}  // namespace

uint64_t fnv1a_64(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

torch::Tensor embeddings_from_names(const std::vector<std::string>& names, int dim) {
  check_dim(dim, "embeddings_from_names");
  if (names.empty()) throw InputError("embeddings_from_names: the vocabulary is empty");
  torch::Tensor rows = torch::empty({static_cast<int64_t>(names.size()), dim}, torch::kFloat64);
  auto acc = rows.accessor<double, 2>();
  for (size_t k = 0; k < names.size(); ++k) {
    if (names[k].empty()) {
      throw InputError("embeddings_from_names: class " + std::to_string(k) + " has an empty name");
    }
    SplitMix64 generator(fnv1a_64(names[k]));
    for (int d = 0; d < dim; ++d) acc[k][d] = generator.normal();
  }
  return unit_rows(rows).to(torch::kFloat32);
}

torch::Tensor embeddings_from_file(const std::string& path, const std::vector<std::string>& names,
                                   int dim) {
  check_dim(dim, path.c_str());
  if (names.empty()) throw InputError(path + ": the vocabulary to look up is empty");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the class-embedding file");
  std::map<std::string, std::vector<double>> by_name;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string t; fields >> t;) tokens.push_back(t);
    if (tokens.empty() || tokens[0][0] == '#') continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (tokens.size() < static_cast<size_t>(dim) + 1) {
      throw InputError(where + "expected a name and " + std::to_string(dim) + " numbers, got " +
                       std::to_string(tokens.size()) + " fields");
    }
    const size_t first_value = tokens.size() - static_cast<size_t>(dim);
    std::string name = tokens[0];
    for (size_t i = 1; i < first_value; ++i) name += " " + tokens[i];
    std::vector<double> values;
    double norm2 = 0;
    for (size_t i = first_value; i < tokens.size(); ++i) {
      char* end = nullptr;
      const double v = std::strtod(tokens[i].c_str(), &end);
      if (end == tokens[i].c_str() || *end != '\0' || !std::isfinite(v)) {
        throw InputError(where + "'" + tokens[i] + "' of class '" + name + "' is not a number");
      }
      values.push_back(v);
      norm2 += v * v;
    }
    if (norm2 == 0) throw InputError(where + "class '" + name + "' has a zero vector");
    if (!by_name.emplace(name, std::move(values)).second) {
      throw InputError(where + "class '" + name + "' appears twice");
    }
  }
  torch::Tensor rows = torch::empty({static_cast<int64_t>(names.size()), dim}, torch::kFloat64);
  for (size_t k = 0; k < names.size(); ++k) {
    const auto found = by_name.find(names[k]);
    if (found == by_name.end()) {
      throw InputError(path + ": no embedding for class '" + names[k] + "' (the file has " +
                       std::to_string(by_name.size()) + " classes)");
    }
    rows[static_cast<int64_t>(k)] = torch::tensor(found->second, torch::kFloat64);
  }
  return unit_rows(rows).to(torch::kFloat32);
}

}  // namespace trainplan::executor
