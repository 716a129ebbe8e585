// The question grammar's hardware phrases: counts, GPU names with their variants, and
// cluster shapes ("4 nodes of 8 A100s", "2x8 H100", "两台机器每台8张卡", "4机32卡").
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "question_reader.hpp"

namespace trainplan::planner::reading {

namespace {

// One GPU profile as people name it: the base name ("a100", "4090"), its form factor
// ("sxm", "pcie" or "" when the profile names none) and its memory.
struct GpuVariant {
  std::string id, base, form;
  double memory_gb = 0;
};

std::string form_of(std::string segment) {
  segment.erase(std::remove_if(segment.begin(), segment.end(),
                               [](unsigned char c) { return std::isdigit(c); }),
                segment.end());
  if (segment == "sxm") return "sxm";
  if (segment == "pcie" || segment == "pci" || segment == "nvl") return "pcie";
  return "";
}

// Every GPU profile of the catalog by its base name, so that a GPU added with --profiles is
// understood the same way: "a100-sxm4-40gb" is base a100, form sxm, 40 GB; "rtx-4090" is 4090.
std::map<std::string, std::vector<GpuVariant>> variants_of(const profiles::Catalog& catalog) {
  std::map<std::string, std::vector<GpuVariant>> out;
  for (const auto& gpu : catalog.gpus()) {
    if (gpu.id == "cpu") continue;
    std::string rest = gpu.id.rfind("rtx-", 0) == 0 ? gpu.id.substr(4) : gpu.id;
    auto dash = rest.find('-');
    GpuVariant v;
    v.id = gpu.id;
    v.base = rest.substr(0, dash);
    if (dash != std::string::npos) {
      auto second = rest.substr(dash + 1);
      v.form = form_of(second.substr(0, second.find('-')));
    }
    v.memory_gb = gpu.memory_gb;
    out[v.base].push_back(v);
  }
  return out;
}

// The variant meant when only the base is named: the SXM board with the most memory, the
// form the published runs and cloud offers mean by a bare "A100" or "H100".
const GpuVariant& default_variant(const std::vector<GpuVariant>& variants) {
  return *std::max_element(variants.begin(), variants.end(), [](const auto& a, const auto& b) {
    if ((a.form == "sxm") != (b.form == "sxm")) return b.form == "sxm";
    return a.memory_gb < b.memory_gb;
  });
}

const std::vector<std::string>& brand_words() {
  static const std::vector<std::string> w = {"nvidia", "tesla", "geforce", "rtx", "gtx", "quadro"};
  return w;
}

bool is_brand(const std::string& w) {
  return std::find(brand_words().begin(), brand_words().end(), w) != brand_words().end();
}

}  // namespace

std::optional<Count> Reader::count_at(size_t i) const {
  if (number_at(i)) {
    // "2 dozen" is 24.
    if (word_is(i + 1, "dozen")) return Count{t_[i].value * 12, i + 2};
    return Count{t_[i].value, i + 1};
  }
  struct Words { const char* phrase; double value; };
  static const Words words[] = {
      {"a single", 1}, {"single", 1}, {"a", 1}, {"an", 1}, {"a couple of", 2}, {"a couple", 2},
      {"couple of", 2}, {"a pair of", 2}, {"pair of", 2}, {"a dozen", 12}, {"dozen", 12},
      {"单", 1}, {"双", 2}};
  std::optional<Count> best;
  for (const auto& w : words)
    if (auto end = phrase_at(i, w.phrase); end && (!best || *end > best->end)) best = Count{w.value, *end};
  return best;
}

std::optional<GpuName> Reader::gpu_at(size_t i) const {
  static thread_local const profiles::Catalog* cached_for = nullptr;
  static thread_local std::map<std::string, std::vector<GpuVariant>> variants;
  if (cached_for != &catalog_) {
    variants = variants_of(catalog_);
    cached_for = &catalog_;
  }
  size_t k = i;
  while (free(k) && t_[k].kind == TokenKind::kWord && is_brand(t_[k].text)) ++k;
  if (!free(k)) return std::nullopt;
  std::string base;
  const Token& head = t_[k];
  if (head.kind == TokenKind::kWord) {
    std::string w = head.text;
    // "RTX3090", "rtx4090s": the brand written onto the number.
    if ((w.rfind("rtx", 0) == 0 || w.rfind("gtx", 0) == 0) && w.size() > 3 &&
        std::isdigit(static_cast<unsigned char>(w[3])))
      w = w.substr(3);
    // "V100S" is a card, "V100s" the plural of V100 (the case tells them apart); "A100s" is
    // only a plural.
    const bool plural_s = w.size() > 1 && w.back() == 's' && head.original.back() == 's' &&
                          variants.count(w.substr(0, w.size() - 1));
    if (plural_s) base = w.substr(0, w.size() - 1);
    else if (variants.count(w)) base = w;
    ++k;
  } else if (head.kind == TokenKind::kNumber && head.value >= 1000 && !head.from_words) {
    const std::string digits = head.text;
    ++k;
    if (free(k) && (t_[k].text == "ti" || (t_[k].text == "tis" && t_[k].joined)) &&
        variants.count(digits + "ti")) {
      base = digits + "ti";  // "2080 Ti", "2080tis"
      ++k;
    } else if (variants.count(digits)) {
      base = digits;
    }
    if (!base.empty() && free(k) && t_[k].joined && t_[k].text == "s") ++k;  // "4090s"
  }
  if (base.empty()) return std::nullopt;
  // Variants: memory ("40GB", "16G", "(24GB VRAM)"), form factor ("PCIe", "SXM4").
  std::string form;
  double memory = 0;
  for (bool more = true; more;) {
    more = false;
    size_t m = k;
    if (free(m) && t_[m].text == "(") ++m;
    if (number_at(m) && free(m + 1) && (t_[m + 1].text == "gb" || t_[m + 1].text == "g")) {
      memory = t_[m].value;
      m += 2;
      while (free(m) && (t_[m].text == "vram" || t_[m].text == "memory" || t_[m].text == "显" ||
                         t_[m].text == "存"))
        ++m;
    } else if (free(m) && t_[m].kind == TokenKind::kWord && !form_of(t_[m].text).empty()) {
      form = form_of(t_[m].text);
      ++m;
      if (t_[m - 1].text == "pci" && free(m) && t_[m].text == "e") ++m;
    } else {
      continue;
    }
    if (free(m) && t_[m].text == ")") ++m;
    k = m;
    more = true;
  }
  std::vector<GpuVariant> matches;
  std::string warning;
  for (const auto& v : variants.at(base))
    if ((memory == 0 || v.memory_gb == memory) && (form.empty() || v.form.empty() || v.form == form))
      matches.push_back(v);
  if (matches.empty()) {
    // The named variant has no profile: the closest one by memory, and say so.
    for (const auto& v : variants.at(base))
      if (memory == 0 || v.memory_gb == memory) matches.push_back(v);
    if (matches.empty()) matches = variants.at(base);
    const auto& used = default_variant(matches);
    warning = fmt::format("no profile for {}{}{}: using {} (trainplan profiles list gpus)",
                          t_[i].original, memory > 0 ? fmt::format(" {:g} GB", memory) : "",
                          form.empty() ? "" : " " + form, used.id);
    return GpuName{used.id, k, warning};
  }
  return GpuName{default_variant(matches).id, k, warning};
}

std::optional<size_t> Reader::unknown_gpu_at(size_t i) const {
  // Cards people train on that have no profile here; read so that their count is not lost
  // and the asker is told.
  static const std::vector<std::string> names = {
      "t4", "a40", "a10", "a10g", "a6000", "a4000", "a4500", "a2", "p100", "p40", "p4", "k80",
      "m60", "mi250", "mi250x", "mi300x", "mi210", "titan", "1080", "1080ti", "2070", "2080",
      "3060", "3070", "3080", "3080ti", "3090ti", "4060", "4070", "4080", "4050", "5090", "6000",
      "8000", "a5500", "gh200", "b200", "b100", "v100x"};
  size_t k = i;
  bool branded = false;
  while (free(k) && t_[k].kind == TokenKind::kWord && is_brand(t_[k].text)) {
    ++k;
    branded = true;
  }
  if (!free(k) || t_[k].kind == TokenKind::kHan || t_[k].kind == TokenKind::kSymbol) return std::nullopt;
  std::string w = t_[k].text;
  if ((w.rfind("rtx", 0) == 0 || w.rfind("gtx", 0) == 0) && w.size() > 3) {
    w = w.substr(3);
    branded = true;
  }
  if (w.size() > 2 && w.back() == 's' && t_[k].original.back() == 's') w.pop_back();
  if (std::find(names.begin(), names.end(), w) == names.end()) return std::nullopt;
  // A bare number is a card only after a brand ("RTX 6000", "GTX 1080"), before "Ti" or a
  // GPU noun ("1080 Ti GPUs"), or after a Chinese classifier ("4块1080").
  if (t_[k].kind == TokenKind::kNumber && !branded) {
    const bool ti = free(k + 1) && (t_[k + 1].text == "ti" || t_[k + 1].text == "tis");
    const bool noun = bool(gpu_noun_at(k + 1));
    const bool classified = k > 0 && (t_[k - 1].text == "块" || t_[k - 1].text == "张" ||
                                      t_[k - 1].text == "卡");
    if (!ti && !noun && !classified) return std::nullopt;
  }
  ++k;
  if (free(k) && (t_[k].text == "ti" || t_[k].text == "tis" || (t_[k].joined && t_[k].text == "s"))) ++k;
  if (free(k) && (t_[k].text == "rtx" || t_[k].text == "v" || t_[k].text == "xp")) ++k;  // TITAN RTX
  while (number_at(k) && free(k + 1) && (t_[k + 1].text == "gb" || t_[k + 1].text == "g")) k += 2;
  return k;
}

std::string Reader::whole_gpu_name() const {
  auto g = gpu_at(0);
  return g && g->end == t_.size() && g->warning.empty() ? g->id : "";
}

std::optional<size_t> Reader::gpu_noun_at(size_t i) const {
  return any_at(i, {"gpus", "gpu", "cards", "card", "graphics cards", "devices", "accelerators",
                    "卡", "显卡", "块卡", "张卡"});
}

std::optional<size_t> Reader::node_noun_at(size_t i) const {
  return any_at(i, {"nodes", "node", "servers", "server", "machines", "machine", "hosts", "host",
                    "boxes", "box", "instances", "台", "台机器", "台服务器", "个节点", "节点",
                    "机器", "服务器"});
}

std::optional<size_t> Reader::classifier_at(size_t i) const {
  return any_at(i, {"张", "块", "个", "片", "颗"});
}

void Reader::read_clusters(bool references, bool possessive_only) {
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i) || reference_[i] != references || q_.gpus_given) continue;
    if (possessive_only && !possessive_[i]) continue;
    auto nodes = count_at(i);
    if (!nodes) continue;
    size_t k = nodes->end;
    // "N x M GPUs" / "8x8 H100": N nodes of M, unless M names a card ("8 x 3090").
    if (free(k) && t_[k].text == "x" && number_at(k + 1) && !gpu_at(k + 1)) {
      auto per = count_at(k + 1);
      size_t e = per->end;
      if (auto g = gpu_at(e)) { set_gpu(*g); e = g->end; }
      if (auto n = gpu_noun_at(e)) e = *n;
      if (auto n = node_noun_at(e)) e = *n;
      if (e == per->end) continue;  // "4x8" alone names nothing
      q_.nodes = int(nodes->value);
      q_.gpus_per_node = int(per->value);
      q_.gpus_per_node_given = true;
      set_gpus(nodes->value * per->value, i, e);
      return;
    }
    // "4 nodes of 8 A100s", "2 machines with 4 GPUs each", "3 machines, each with a single
    // GPU", "一台8卡的A100服务器", "两台机器每台8张A100", "4机32卡".
    bool total_after = false;
    if (free(k) && t_[k].text == "机" && !(free(k + 1) && t_[k + 1].text == "器")) {
      total_after = true;  // "4机32卡": 32 in all
      ++k;
    } else if (auto n = node_noun_at(k)) {
      k = *n;
    } else {
      continue;
    }
    size_t e = k;
    while (free(e) && (t_[e].text == "," || t_[e].text == "of" || t_[e].text == "with" ||
                       t_[e].text == "each" || t_[e].text == "having" || t_[e].text == "containing" ||
                       t_[e].text == "every" || t_[e].text == "x" || t_[e].text == "每" || t_[e].text == "台" ||
                       t_[e].text == "都" || t_[e].text == "有" || t_[e].text == "配"))
      ++e;
    auto per = count_at(e);
    if (!per) {
      // "one node with 8 H100" reads above; "a node" alone is not a count of GPUs.
      continue;
    }
    e = per->end;
    if (auto c = classifier_at(e)) e = *c;
    bool named = false;
    if (free(e) && t_[e].text == "x") ++e;
    if (auto g = gpu_at(e)) { set_gpu(*g); e = g->end; named = true; }
    if (auto n = gpu_noun_at(e)) { e = *n; named = true; }
    if (!named) {
      if (auto g = gpu_at(e)) { set_gpu(*g); e = g->end; named = true; }
    }
    // "(two machines, eight each)": the GPUs were named before.
    if (!named && any_at(e, {"each", "apiece", "per node", "per machine", "per server"})) named = true;
    if (!named) continue;
    if (auto g = gpu_at(e)) { set_gpu(*g); e = g->end; }
    if (free(e) && t_[e].text == "的") ++e;
    if (auto g = gpu_at(e)) { set_gpu(*g); e = g->end; }
    if (auto n = node_noun_at(e)) e = *n;
    if (auto each = any_at(e, {"each", "per node", "per machine", "per server", "apiece"})) e = *each;
    const double total = total_after ? per->value : nodes->value * per->value;
    q_.nodes = int(nodes->value);
    if (!total_after || int(per->value) % int(nodes->value) == 0) {
      q_.gpus_per_node = int(total / nodes->value);
      q_.gpus_per_node_given = true;
    }
    set_gpus(total, i, e);
    return;
  }
  // "three 8-GPU A100 nodes": N, then M GPUs, then the node noun; "八卡服务器一台（H100）":
  // M GPUs, the node noun, then N 台.
  for (size_t i = 0; i < t_.size() && !q_.gpus_given; ++i) {
    if (!free(i) || reference_[i] != references || (possessive_only && !possessive_[i])) continue;
    auto first = count_at(i);
    if (!first) continue;
    if (auto per = count_at(first->end); per && number_at(first->end)) {
      size_t e = per->end;
      if (auto n = gpu_noun_at(e)) {
        e = *n;
        std::optional<GpuName> g = gpu_at(e);
        if (g) e = g->end;
        if (auto node = node_noun_at(e)) {
          if (g) set_gpu(*g);
          q_.nodes = int(first->value);
          q_.gpus_per_node = int(per->value);
          q_.gpus_per_node_given = true;
          set_gpus(first->value * per->value, i, *node);
          break;
        }
      }
    }
    if (auto n = gpu_noun_at(first->end)) {
      size_t e = *n;
      if (free(e) && t_[e].text == "的") ++e;
      auto node = node_noun_at(e);
      if (!node) continue;
      auto nodes = count_at(*node);
      if (!nodes || !number_at(*node)) continue;
      size_t end = nodes->end;
      if (free(end) && t_[end].text == "台") ++end;
      q_.nodes = int(nodes->value);
      q_.gpus_per_node = int(first->value);
      q_.gpus_per_node_given = true;
      set_gpus(nodes->value * first->value, i, end);
      break;
    }
  }
  // "two nodes, 4 GPUs per node" / "8 GPUs per node, 2 nodes".
  for (size_t i = 0; i < t_.size() && !q_.gpus_given; ++i) {
    if (!free(i) || reference_[i] != references || (possessive_only && !possessive_[i])) continue;
    auto per = count_at(i);
    if (!per) continue;
    size_t e = per->end;
    if (auto g = gpu_at(e)) e = g->end;
    auto noun = gpu_noun_at(e);
    if (!noun) continue;
    auto each = any_at(*noun, {"per node", "per machine", "per server", "each"});
    if (!each) continue;
    for (size_t j = 0; j < t_.size(); ++j) {
      if (j >= i && j < *each) continue;
      auto nodes = count_at(j);
      if (!nodes || !node_noun_at(nodes->end)) continue;
      if (auto g = gpu_at(per->end)) set_gpu(*g);
      q_.nodes = int(nodes->value);
      q_.gpus_per_node = int(per->value);
      q_.gpus_per_node_given = true;
      use(j, *node_noun_at(nodes->end));
      set_gpus(nodes->value * per->value, i, *each);
      break;
    }
  }
}

void Reader::read_gpu_counts(bool references, bool possessive_only) {
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i) || reference_[i] != references || (possessive_only && !possessive_[i])) continue;
    // A number that names a card ("3090显卡") is the card, not a count.
    const bool names_card = number_at(i) && gpu_at(i).has_value();
    if (auto c = names_card ? std::nullopt : count_at(i)) {
      size_t e = c->end;
      if (free(e) && t_[e].text == "x") ++e;
      const bool classified = bool(classifier_at(e));
      if (classified) e = *classifier_at(e);
      // "4 A100 40GB cards", "8卡A100", "4张A100", "four GPUs".
      if (auto g = gpu_at(e)) {
        if (!q_.gpus_given) set_gpus(c->value, i, g->end);
        else use(i, g->end);  // a second mention ("8 H100 SXM vs 8 H100 PCIe"): the first counts
        set_gpu(*g);
        e = g->end;
        if (auto n = gpu_noun_at(e)) use(e, *n);
        continue;
      }
      if (auto u = unknown_gpu_at(e)) {
        if (!q_.gpus_given) set_gpus(c->value, i, *u);
        warn_unknown_gpu(e, *u);
        continue;
      }
      // "a single 32GB card": the memory before the noun.
      if (number_at(e) && free(e + 1) && (t_[e + 1].text == "gb" || t_[e + 1].text == "g") &&
          gpu_noun_at(e + 2))
        e += 2;
      if (auto n = gpu_noun_at(e)) {
        const size_t noun_end = *n;
        if (!q_.gpus_given) set_gpus(c->value, i, noun_end);
        else use(e, noun_end);
        if (auto g = gpu_at(noun_end)) {  // "8卡A100", "4 GPUs (H100)"
          set_gpu(*g);
          use(noun_end, g->end);
        } else if (free(noun_end) && t_[noun_end].text == "(" && gpu_at(noun_end + 1)) {
          auto g2 = gpu_at(noun_end + 1);
          set_gpu(*g2);
          use(noun_end, g2->end);
        }
        continue;
      }
      // "4 3090s" reads as a count then a card; a count alone is not a GPU count.
      continue;
    }
    if (auto g = gpu_at(i)) {
      size_t e = g->end;
      // "A100 x 8", "L40S x2", "A800八卡", "V100 16G四张", "H100 SXM 8卡".
      if (free(e) && t_[e].text == "x" && number_at(e + 1)) {
        set_gpu(*g);
        set_gpus(t_[e + 1].value, i, e + 2);
        continue;
      }
      if (auto n = gpu_noun_at(e)) e = *n;
      if (number_at(e)) {
        size_t ce = e + 1;
        if (auto cl = classifier_at(ce)) ce = *cl;
        if (auto n = gpu_noun_at(ce)) ce = *n;
        if (ce > e + 1) {
          set_gpu(*g);
          set_gpus(t_[e].value, i, ce);
          continue;
        }
      }
      set_gpu(*g);
      use(i, e);
      continue;
    }
    if (auto u = unknown_gpu_at(i)) {
      size_t e = *u;
      if (free(e) && t_[e].text == "x" && number_at(e + 1)) {
        set_gpus(t_[e + 1].value, i, e + 2);
      }
      warn_unknown_gpu(i, e);
      i = e - 1;
    }
  }
}

void Reader::warn_unknown_gpu(size_t begin, size_t end) {
  std::string name;
  for (size_t k = begin; k < end; ++k) name += (k > begin && !t_[k].joined ? " " : "") + t_[k].original;
  use(begin, end);
  warn(fmt::format("\"{}\" has no GPU profile here: the answer is for {} (trainplan profiles "
                   "list gpus; add yours with --profiles FILE)",
                   name, q_.gpu_given ? q_.gpu_id : q_.gpu_id + ", the default"));
}

void Reader::read_possession() {
  if (q_.gpus_given) return;
  // "I only have four.": a bare count after have/got/own names the asker's GPUs when nothing
  // else did.
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i) || reference_[i]) continue;
    auto verb = any_at(i, {"have", "has", "got", "own", "有"});
    if (!verb) continue;
    size_t k = *verb;
    if (auto only = any_at(k, {"only", "just", "only got"})) k = *only;
    auto c = count_at(k);
    if (!c || !number_at(k)) continue;
    if (c->end < t_.size() && !ends_clause(t_[c->end])) continue;
    set_gpus(c->value, k, c->end);
    use(i, k);
    return;
  }
}

}  // namespace trainplan::planner::reading
