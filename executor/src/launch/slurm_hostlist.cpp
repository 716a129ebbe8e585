#include "trainplan/executor/slurm_hostlist.hpp"

#include <fmt/format.h>

#include <cctype>

#include "trainplan/error.hpp"

namespace trainplan::executor {

namespace {

constexpr size_t kMaxHosts = 1000000;

[[noreturn]] void bad(const std::string& what, const std::string& text, const std::string& why) {
  throw InputError(fmt::format("{}=\"{}\" is not a Slurm host list: {}; expected for example "
                               "node[01-04,07],login",
                               what, text, why));
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "01-04,07" -> 01 02 03 04 07, keeping the first number's width.
std::vector<std::string> expand_ranges(const std::string& ranges, const std::string& what,
                                       const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= ranges.size()) {
    size_t comma = ranges.find(',', start);
    std::string part = ranges.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t dash = part.find('-');
    std::string lo = part.substr(0, dash), hi = dash == std::string::npos ? lo : part.substr(dash + 1);
    if (!all_digits(lo) || !all_digits(hi) || lo.size() > 9 || hi.size() > 9)
      bad(what, text, fmt::format("\"{}\" is not a number or a range of numbers", part));
    long first = std::stol(lo), last = std::stol(hi);
    if (last < first) bad(what, text, fmt::format("the range \"{}\" runs backwards", part));
    if (out.size() + size_t(last - first + 1) > kMaxHosts) bad(what, text, "more than a million hosts");
    for (long n = first; n <= last; ++n) {
      std::string digits = std::to_string(n);
      if (digits.size() < lo.size()) digits.insert(0, lo.size() - digits.size(), '0');
      out.push_back(digits);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// One name with any number of bracket groups: "gpu-a[1-2]b[3,5]" -> a product.
std::vector<std::string> expand_name(const std::string& name, const std::string& what,
                                     const std::string& text) {
  std::vector<std::string> hosts = {""};
  size_t i = 0;
  while (i < name.size()) {
    size_t open = name.find('[', i);
    std::string literal = name.substr(i, open == std::string::npos ? std::string::npos : open - i);
    if (literal.find(']') != std::string::npos) bad(what, text, "a ']' without its '['");
    for (auto& h : hosts) h += literal;
    if (open == std::string::npos) break;
    size_t close = name.find(']', open);
    if (close == std::string::npos) bad(what, text, "a '[' without its ']'");
    const auto parts = expand_ranges(name.substr(open + 1, close - open - 1), what, text);
    if (hosts.size() * parts.size() > kMaxHosts) bad(what, text, "more than a million hosts");
    std::vector<std::string> next;
    for (const auto& h : hosts)
      for (const auto& p : parts) next.push_back(h + p);
    hosts = std::move(next);
    i = close + 1;
  }
  return hosts;
}

}  // namespace

std::vector<std::string> expand_slurm_hostlist(const std::string& text, const std::string& what) {
  std::vector<std::string> hosts;
  // Names are separated by commas outside brackets.
  int depth = 0;
  std::string name;
  auto flush = [&] {
    if (name.empty()) bad(what, text, "an empty host name");
    for (auto& h : expand_name(name, what, text)) {
      if (hosts.size() >= kMaxHosts) bad(what, text, "more than a million hosts");
      hosts.push_back(std::move(h));
    }
    name.clear();
  };
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (depth < 0 || depth > 1) bad(what, text, "unbalanced or nested brackets");
    if (c == ',' && depth == 0) flush();
    else if (!std::isspace(static_cast<unsigned char>(c))) name += c;
  }
  if (depth != 0) bad(what, text, "a '[' without its ']'");
  flush();
  return hosts;
}

int slurm_tasks_on_node(const std::string& text, int node_id, const std::string& what) {
  int node = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // "2(x3)": 2 tasks on each of 3 nodes.
    std::string count = part, repeat = "1";
    if (auto paren = part.find("(x"); paren != std::string::npos && part.back() == ')') {
      count = part.substr(0, paren);
      repeat = part.substr(paren + 2, part.size() - paren - 3);
    }
    if (!all_digits(count) || !all_digits(repeat) || count.size() > 6 || repeat.size() > 7)
      throw InputError(fmt::format("{}=\"{}\" is not accepted: \"{}\" is not N or N(xM); expected "
                                   "for example 2(x3),1",
                                   what, text, part));
    const int tasks = std::stoi(count), nodes = std::stoi(repeat);
    if (node_id < node + nodes) return tasks;
    node += nodes;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  throw InputError(fmt::format("{}=\"{}\" does not cover node {} (it lists {} nodes)", what, text,
                               node_id, node));
}

}  // namespace trainplan::executor
