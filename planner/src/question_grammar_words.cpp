// The question grammar's named things: models (any profile, by the ways people spell it),
// tasks (COCO, LVIS, Objects365, the asker's own data) and intents (fine-tune, pre-train,
// from scratch, a changed model, general detection, prompt tuning, frozen backbone, high
// resolution), in English and Chinese.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "question_reader.hpp"

namespace trainplan::planner::reading {

namespace {

std::string without_dashes(std::string id) {
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  return id;
}

// Every model profile under the spellings people use: the id without separators
// ("yoloworldv2l", "yolov8m", "detrr50"), YOLO-World without its version (v2 is meant), and
// Ultralytics' names for it ("yolov8s-worldv2").
struct ModelIndex {
  std::map<std::string, std::string> by_key;
  std::map<std::string, std::vector<std::string>> by_family;  ///< "yolov8" -> its sizes

  explicit ModelIndex(const profiles::Catalog& catalog) {
    for (const auto& m : catalog.models()) {
      const std::string key = without_dashes(m.id);
      by_key.emplace(key, m.id);
      const auto last = m.id.rfind('-');
      const std::string size = last == std::string::npos ? "" : m.id.substr(last + 1);
      const bool sized = size.size() == 1 && std::string("nsmlx").find(size) != std::string::npos;
      if (sized) by_family[key.substr(0, key.size() - 1)].push_back(m.id);
      if (m.id.rfind("yolo-world-v2-", 0) == 0 && sized) {
        by_key.emplace("yoloworld" + size, m.id);
        by_key.emplace("yolov8" + size + "worldv2", m.id);
        by_key.emplace("yolov8" + size + "world", m.id);
        by_family["yoloworld"].push_back(m.id);
      }
    }
  }
};

std::string size_letter(const std::string& word) {
  static const std::map<std::string, std::string> sizes = {
      {"nano", "n"}, {"small", "s"}, {"medium", "m"}, {"large", "l"}, {"xlarge", "x"}};
  auto it = sizes.find(word);
  return it == sizes.end() ? word : it->second;
}

enum class IntentStrength { kFinetune, kGeneral, kHighRes, kPretrain, kFrozen, kPrompt, kScratch, kChanged };

struct IntentWords {
  const char* intent;
  IntentStrength strength;
  std::vector<std::string> phrases;
};

const std::vector<IntentWords>& intent_words() {
  static const std::vector<IntentWords> words = {
      {"changed-model", IntentStrength::kChanged,
       {"new architecture", "new head", "new neck", "new backbone", "different head",
        "different neck", "different backbone", "custom head", "custom neck", "custom backbone",
        "progressive", "progressively", "渐进式", "渐进", "新的结构", "新结构", "新的网络结构",
        "新的检测头", "新的backbone", "新的head", "新的neck", "新的词表", "new vocabulary",
        "pre training data first",
        "pretraining data first"}},
      {"from-scratch", IntentStrength::kScratch,
       {"from scratch", "scratch", "random init", "random initialization",
        "without pretrained weights", "without pre trained weights", "no pretrained weights",
        "no pre trained weights", "weights ' '", "weights \" \"", "从头训练", "从头训", "从头", "从零开始", "从零训练", "从零"}},
      {"prompt-tune", IntentStrength::kPrompt,
       {"prompt tuning", "prompt tune", "prompt tuned", "prompttuning", "prompt learning",
        "text embeddings", "class embeddings", "提示学习", "提示微调", "文本嵌入"}},
      {"frozen-backbone", IntentStrength::kFrozen,
       {"freeze the backbone", "freeze backbone", "freezing the backbone", "backbone frozen",
        "frozen backbone", "freeze", "only train the head", "train only the head", "冻结骨干网络",
        "冻结骨干", "冻结backbone", "冻结", "只训练head", "只训练头"}},
      {"pretrain", IntentStrength::kPretrain,
       {"pre train", "pretrain", "pre training", "pretraining", "pre trains", "预训练"}},
      {"high-resolution", IntentStrength::kHighRes,
       {"high resolution", "higher resolution", "high res", "hi res", "large input",
        "高分辨率", "大分辨率"}},
      {"general-detection", IntentStrength::kGeneral,
       {"general detection", "general object detection", "general purpose", "open vocabulary",
        "zero shot", "zeroshot", "arbitrary objects", "any object", "out of the box",
        "开箱即用", "通用目标检测", "通用检测",
        "开放词汇", "零样本"}},
      {"finetune", IntentStrength::kFinetune,
       {"fine tune", "finetune", "fine tuning", "finetuning", "fine tuned", "finetuned",
        "fintune", "fine tunning", "finetunning", "fintuning", "finetue",
        "fine tunes", "transfer learning", "domain adaptation", "微调", "迁移学习", "调优"}},
  };
  return words;
}

}  // namespace

void Reader::read_models() {
  static thread_local const profiles::Catalog* cached_for = nullptr;
  static thread_local std::unique_ptr<ModelIndex> index;
  if (cached_for != &catalog_) {
    index = std::make_unique<ModelIndex>(catalog_);
    cached_for = &catalog_;
  }
  for (size_t i = 0; i < t_.size(); ++i) {
    std::string key;
    std::optional<std::pair<size_t, std::string>> found, family;
    for (size_t k = i; k < t_.size() && k < i + 7; ++k) {
      // A lone "x" is read as a multiplication sign by the tokenizer; here it is the X size.
      const bool size_x = t_[k].kind == TokenKind::kSymbol && t_[k].text == "x";
      if (!free(k) || (t_[k].kind == TokenKind::kSymbol && !size_x) || t_[k].kind == TokenKind::kHan) break;
      key += size_letter(t_[k].text);
      if (auto it = index->by_key.find(key); it != index->by_key.end()) found = {{k + 1, it->second}};
      if (index->by_family.count(key)) family = {{k + 1, key}};
    }
    if (found) {
      const size_t end = found->first;
      if (!q_.model_given) {
        q_.model_id = found->second;
        q_.model_given = true;
      } else if (q_.model_id != found->second) {
        warn(fmt::format("the question also names {}: this answer is for {} only (ask again "
                         "with --model {})", found->second, q_.model_id, found->second));
      }
      use(i, end);
      // "YOLO-World-X v1": the version after the size.
      if (free(end) && (t_[end].text == "v1" || t_[end].text == "v2") &&
          q_.model_id.rfind("yolo-world-v", 0) == 0) {
        const std::string wanted = "yolo-world-" + t_[end].text + q_.model_id.substr(13);
        if (index->by_key.count(without_dashes(wanted))) q_.model_id = wanted;
        else if (wanted != q_.model_id)
          warn(fmt::format("no profile for {}: the answer is for {} (trainplan profiles list "
                           "models)", wanted, q_.model_id));
        use(end, end + 1);
      }
      // "YOLO-World-v2-L-1280", "yolo_world_v2_l的1280": the high-resolution variant.
      const size_t side = free(end) && t_[end].text == "的" ? end + 1 : end;
      if (number_at(side) && t_[side].value >= 800 && t_[side].value <= 2048 && q_.resolutions.empty()) {
        q_.resolutions = {profiles::Resolution{t_[side].value, t_[side].value}};
        use(end, side + 1);
      }
      i = end - 1;
    } else if (family) {
      // A family without its size: YOLO-World is the default family (v2-L), others are named
      // in the warning with the sizes there are.
      const auto& members = index->by_family.at(family->second);
      if (family->second.rfind("yoloworld", 0) != 0 && !q_.model_given) {
        std::string sizes;
        for (const auto& id : members) sizes += (sizes.empty() ? "" : ", ") + id;
        warn(fmt::format("\"{}\" names no size: the answer is for the default model {}; name one "
                         "of {} (or --model ID)", t_[i].original, q_.model_id, sizes));
      }
      family_named_ = true;
      use(i, family->first);
      i = family->first - 1;
    }
  }
}

// Words that look like a detector's name ("YOLOv4-P7", "yolov9") but no profile has.
void Reader::warn_unknown_models() {
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i) || t_[i].kind != TokenKind::kWord) continue;
    const std::string& w = t_[i].text;
    const bool looks_like_model = (w.rfind("yolo", 0) == 0 && w.size() > 4) ||
                                  w.rfind("rtmdet", 0) == 0 || w.rfind("rtdetr", 0) == 0;
    if (!looks_like_model) continue;
    size_t end = i + 1;
    while (free(end) && t_[end].kind == TokenKind::kWord && t_[end].text.size() <= 4 && !t_[end].joined &&
           end < i + 3 && std::isdigit(static_cast<unsigned char>(t_[end].text.back())))
      ++end;
    std::string name;
    for (size_t k = i; k < end; ++k) name += (k > i ? "-" : "") + t_[k].original;
    warn(fmt::format("no model profile for \"{}\": the answer is for {} (trainplan profiles "
                     "list models; --model ID)",
                     name, q_.model_id));
    use(i, end);
  }
}

void Reader::read_tasks() {
  static const std::vector<std::string> pretraining_corpus = {
      "o365 + goldg", "objects365 + goldg", "objects365v1 + goldg", "obj365 + goldg",
      "o365 and goldg", "objects365 and goldg", "goldg"};
  static const std::vector<std::string> objects365 = {"objects365v1", "objects365", "objects 365",
                                                      "object365", "obj365", "o365"};
  static const std::vector<std::string> custom = {
      "of my own", "of our own", "own data", "own dataset", "own images", "custom data",
      "custom dataset", "custom", "private dataset", "private data", "自己的", "自有", "自定义",
      "私有", "我们的数据", "自己场景", "自己的场景"};
  std::string named;
  bool own = false;
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i)) continue;
    if (auto e = any_at(i, pretraining_corpus)) { use(i, *e); continue; }
    if (auto e = any_at(i, objects365)) { if (named.empty()) named = "objects365"; use(i, *e); continue; }
    // "fine-tune from COCO weights": where the weights come from, not the task.
    if (auto e = any_at(i, {"coco weights", "coco pre trained", "coco pretrained", "coco checkpoint",
                            "coco预训练"})) {
      use(i, *e);
      continue;
    }
    if (auto e = any_at(i, {"ms coco", "coco2017", "coco 2017", "coco"})) {
      if (named.empty()) named = "coco";
      use(i, *e);
      continue;
    }
    if (auto e = any_at(i, {"lvis v1", "lvis"})) { if (named.empty()) named = "lvis"; use(i, *e); continue; }
    if (auto e = any_at(i, custom)) {
      // "没有自己的标注数据", "without our own data": the asker has none.
      const bool negated = (i >= 1 && any_at(i - 1, {"no", "without", "无"})) ||
                           (i >= 2 && (phrase_at(i - 2, "没有") || phrase_at(i - 2, "no own")));
      if (!negated) own = true;
      use(i, *e);
      continue;
    }
    // "我们的安全帽数据集": a possessive, then a data noun within a few characters.
    if (auto e = any_at(i, {"我们的", "我的", "咱们的"})) {
      for (size_t k = *e; k < *e + 8 && k < t_.size() && !ends_clause(t_[k]); ++k)
        if (auto d = any_at(k, {"数据集", "数据", "图片", "图像"})) {
          own = true;
          use(i, *e);
          use(k, *d);
          break;
        }
    }
    // "our warehouse images", "my 5k-image dataset": my/our then a data noun nearby.
    if (auto e = any_at(i, {"my", "our"})) {
      for (size_t k = *e; k < *e + 4 && k < t_.size() && !ends_clause(t_[k]); ++k)
        if (auto d = any_at(k, {"data", "dataset", "datasets", "images", "pictures", "photos"})) {
          own = true;
          use(i, *e);
          use(k, *d);
          break;
        }
    }
  }
  // "two target datasets", "3 domains": one fine-tune per target.
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!number_at(i) || t_[i].value < 2 || t_[i].value > 16) continue;
    size_t k = i + 1;
    if (auto adj = any_at(k, {"target", "domain", "custom", "different", "个", "个目标"})) k = *adj;
    if (auto e = any_at(k, {"datasets", "data sets", "domains", "targets", "tasks", "数据集",
                            "领域"})) {
      for (int n = 1; n <= int(t_[i].value); ++n) q_.targets.push_back(fmt::format("target-{}", n));
      use(i, *e);
      own = true;
      break;
    }
  }
  if (own || (q_.images && named.empty())) q_.task = "custom";
  else if (!named.empty()) q_.task = named;
  if (own || !named.empty() || q_.images) q_.task_given = true;
}

void Reader::read_intents() {
  // Words that look like intents and are not: "the pre-trained weights", "预训练的模型",
  // "fine-tune on the pre-training data" (progressive training, read above).
  for (size_t i = 0; i < t_.size(); ++i)
    if (auto e = any_at(i, {"pre trained", "pretrained", "预训练的", "预训练权重", "预训练模型",
                            "pre training data", "pretraining data", "预训练数据"})) {
      if (auto e2 = any_at(i, {"pre training data first", "pretraining data first"})) continue;
      use(i, *e);
    }
  // Every intent mentioned, with where; two joined by "or"/"vs"/"还是" are a question between
  // them, not an intent.
  struct Mention { const IntentWords* words; size_t begin, end; };
  std::vector<Mention> mentions_found;
  for (size_t i = 0; i < t_.size(); ++i)
    for (const auto& w : intent_words())
      if (auto e = any_at(i, w.phrases)) {
        mentions_found.push_back({&w, i, *e});
        use(i, *e);
        i = *e - 1;
        break;
      }
  // Changed-model phrases with words between: "I changed the head", "inserted two attention
  // blocks", "我改了YOLO-World的head".
  static const std::vector<std::string> verbs = {"changed", "changing", "change", "modified",
                                                 "modify", "modifying", "replaced", "replace",
                                                 "swapped", "inserted", "added", "redesigned",
                                                 "改了", "改", "换了", "换", "修改了", "修改",
                                                 "加了", "增加了"};
  static const std::vector<std::string> parts = {"head", "neck", "backbone", "architecture",
                                                 "layers", "layer", "blocks", "block", "module",
                                                 "modules", "structure", "vocabulary", "结构",
                                                 "网络", "检测头", "分类头", "词表", "骨干"};
  static const std::vector<std::string> adjectives = {"new", "different", "custom", "own",
                                                     "modified", "changed", "新的", "新"};
  for (size_t i = 0; i < t_.size(); ++i) {
    auto v = any_at(i, verbs);
    size_t window = 8;
    if (!v) {
      v = any_at(i, adjectives);  // "a new model head": the part within a few words
      window = 3;
    }
    if (!v) continue;
    for (size_t k = *v; k < t_.size() && k < *v + window && !ends_clause(t_[k]); ++k)
      if (auto p = [&]() -> std::optional<size_t> {
            for (const auto& part : parts) {
              auto words = phrase_tokens(part);
              bool match = k + words.size() <= t_.size();
              for (size_t w = 0; match && w < words.size(); ++w) match = t_[k + w].text == words[w];
              if (match) return k + words.size();
            }
            return std::nullopt;
          }()) {
        mentions_found.push_back({&intent_words()[0], i, *p});
        use(i, *v);
        use(k, *p);
        break;
      }
  }
  auto between = [&](const Mention& a, const Mention& b) {
    const size_t lo = std::min(a.end, b.end), hi = std::max(a.begin, b.begin);
    for (size_t k = lo; k < hi && k < t_.size(); ++k)
      if (t_[k].text == "or" || t_[k].text == "vs" || t_[k].text == "versus" ||
          t_[k].text == "还" || t_[k].text == "或")
        return true;
    return false;
  };
  std::vector<bool> alternative(mentions_found.size(), false);
  for (size_t a = 0; a < mentions_found.size(); ++a)
    for (size_t b = a + 1; b < mentions_found.size(); ++b)
      if (mentions_found[a].words != mentions_found[b].words && between(mentions_found[a], mentions_found[b]))
        alternative[a] = alternative[b] = true;
  const IntentWords* chosen = nullptr;
  for (size_t m = 0; m < mentions_found.size(); ++m) {
    if (alternative[m]) continue;
    const auto* w = mentions_found[m].words;
    // General detection with the asker's own data is a fine-tune that keeps the vocabulary.
    if (w->strength == IntentStrength::kGeneral && q_.task == "custom") continue;
    if (!chosen || w->strength > chosen->strength) chosen = w;
  }
  // An input above 640 asked without another purpose is a high-resolution fine-tune.
  const bool large_input = !q_.resolutions.empty() && q_.resolutions.back().width_px > 640;
  if (large_input && !chosen)
    for (const auto& w : intent_words())
      if (w.strength == IntentStrength::kHighRes) chosen = &w;
  if (chosen) set_intent(q_, chosen->intent, "question");
}

}  // namespace trainplan::planner::reading
