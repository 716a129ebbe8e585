// The question grammar's amounts: money, durations, data set size, input size, and the
// numbers that are none of these (epochs, iterations, classes, batch sizes), read first so
// that "80 epochs" or "16 images per GPU" is never taken for a GPU count or a data set.
#include <fmt/format.h>

#include <cmath>

#include "question_reader.hpp"
#include "trainplan/costmodel/scenario.hpp"

namespace trainplan::planner::reading {

namespace {

// "k" and "m" after a number (joined or not) scale it; "m" only where minutes cannot be meant.
double scale_word(const std::string& w, bool m_is_million) {
  if (w == "k" || w == "thousand") return 1e3;
  if ((w == "m" && m_is_million) || w == "million" || w == "mn") return 1e6;
  return 1;
}

struct Unit {
  const char* phrase;
  double hours;
};

// Duration units, English and Chinese; "m" means minutes only right after a number.
const std::vector<Unit>& duration_units() {
  static const std::vector<Unit> units = {
      {"minutes", 1.0 / 60}, {"minute", 1.0 / 60}, {"mins", 1.0 / 60}, {"min", 1.0 / 60},
      {"m", 1.0 / 60}, {"分钟", 1.0 / 60}, {"hours", 1}, {"hour", 1}, {"hrs", 1}, {"hr", 1},
      {"h", 1}, {"小时", 1}, {"个小时", 1}, {"钟头", 1}, {"个钟头", 1}, {"days", 24},
      {"day", 24}, {"d", 24}, {"天", 24}, {"日", 24}, {"weeks", 168}, {"week", 168},
      {"wks", 168}, {"wk", 168}, {"w", 168}, {"周", 168}, {"星期", 168}, {"个星期", 168},
      {"礼拜", 168}, {"个礼拜", 168}, {"fortnights", 336}, {"fortnight", 336},
      {"months", 720}, {"month", 720}, {"个月", 720}};
  return units;
}

// Named spans of time people give as deadlines.
const std::vector<Unit>& named_durations() {
  static const std::vector<Unit> names = {
      {"half a day", 12}, {"half day", 12}, {"半天", 12}, {"半个小时", 0.5}, {"半小时", 0.5},
      {"half an hour", 0.5}, {"a weekend", 48}, {"the weekend", 48}, {"weekend", 48},
      {"一个周末", 48}, {"周末", 48}, {"overnight", 12}, {"over night", 12}, {"一个通宵", 12},
      {"通宵", 12}, {"一晚上", 12}, {"一晚", 12}, {"一夜", 12}, {"by tomorrow", 24},
      {"tomorrow", 24}, {"明天之前", 24}, {"明天", 24}, {"a fortnight", 336},
      {"no training time", 0}, {"no time to train", 0}, {"no time for training", 0},
      {"without training", 0}, {"no training", 0}, {"no time", 0}, {"不想训练", 0},
      {"不训练", 0}, {"没有时间训练", 0}, {"不能训练", 0}};
  return names;
}

}  // namespace

void Reader::read_money() {
  static const std::vector<std::string> usd_after = {"usd", "dollars", "dollar", "bucks", "美元",
                                                     "美金", "刀"};
  static const std::vector<std::string> usd_before = {"$", "us $", "usd", "usd $", "us"};
  static const std::vector<std::string> other_before = {"¥", "€", "£", "rmb", "cny", "eur", "gbp",
                                                        "jpy", "人民币", "人民币 ¥"};
  static const std::vector<std::string> other_after = {
      "rmb", "cny", "yuan", "元", "块钱", "块人民币", "人民币", "eur", "euro", "euros", "gbp",
      "pounds", "jpy", "yen", "日元"};
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i)) continue;
    size_t begin = i, k = i;
    bool usd = false, other = false;
    if (auto e = any_at(k, other_before)) { other = true; k = *e; }
    else if (auto e2 = any_at(k, usd_before); e2 && number_at(*e2)) { usd = true; k = *e2; }
    if (!number_at(k)) continue;
    double amount = t_[k].value;
    size_t e = k + 1;
    if (free(e) && scale_word(t_[e].text, true) > 1) amount *= scale_word(t_[e++].text, true);
    if (!usd && !other) {
      if (auto a = any_at(e, usd_after)) { usd = true; e = *a; }
      else if (auto o = any_at(e, other_after)) { other = true; e = *o; }
      else continue;
    }
    if (other) {
      use(begin, e);
      warn(fmt::format("the amount \"{}\" is not in US dollars: trainplan reads money in USD only "
                       "and converts nothing; give the budget in USD (for example --max-cost 1500)",
                       [&] {
                         std::string s;
                         for (size_t m = begin; m < e; ++m) s += (m > begin && !t_[m].joined ? " " : "") + t_[m].original;
                         return s;
                       }()));
      continue;
    }
    if (!(amount > 0) || !std::isfinite(amount)) refuse_figure("a money budget must be greater than 0");
    // "$2.50 per hour (each)" is a price per GPU-hour, not a budget.
    if (auto per = any_at(e, {"per gpu hour", "per hour", "an hour", "a hour", "/ hour", "/ h",
                              "/ hr", "/ gpu / h", "/ gpu / hour", "/ gpu hour", "每小时",
                              "per gpu per hour"})) {
      size_t pe = *per;
      if (auto each = any_at(pe, {"each", "per gpu", "a gpu"})) pe = *each;
      if (!q_.price_per_gpu_hour_usd) q_.price_per_gpu_hour_usd = amount;
      use(begin, pe);
      continue;
    }
    if (!q_.max_cost_usd) q_.max_cost_usd = amount;
    use(begin, e);
  }
}

void Reader::read_other_counts() {
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!number_at(i)) continue;
    size_t k = i + 1;
    // Epochs: "80 epochs", "an 80-epoch fine-tune", "100个epoch", "300轮", "100e".
    // "20 more epochs", "140个epochs"
    if (free(k) && (t_[k].text == "more" || t_[k].text == "additional" || t_[k].text == "training")) ++k;
    if (auto e = any_at(k, {"epochs", "epoch", "个epoch", "个epochs", "个 epoch", "轮", "e", "ep"})) {
      if (t_[k].text == "e" && !t_[k].joined) continue;
      if (!q_.epochs) q_.epochs = t_[i].value;
      use(i, *e);
      continue;
    }
    // Iterations, classes, measured step times: numbers about the run, not the resources.
    if (auto e = any_at(k, {"iterations", "iteration", "iters", "iter", "steps", "classes",
                            "class", "categories", "new classes", "object classes", "类",
                            "个类别", "类别", "个类", "s / iter", "s / it", "seconds per iteration",
                            "%", "fps"})) {
      use(i, *e);
      continue;
    }
    // Per-GPU batch: "16 images per GPU", "16 per GPU", "16 imgs/gpu".
    if (auto e = any_at(k, {"images per gpu", "imgs per gpu", "per gpu", "images / gpu",
                            "imgs / gpu", "img / gpu", "每卡"})) {
      warn(fmt::format("a batch of {:g} per GPU is noted, but plans take their batch from the "
                       "recipe (trainplan profiles list recipes)", t_[i].value));
      use(i, *e);
      continue;
    }
  }
  // "epoch=300", "epochs: 100", "--epochs 300"
  for (size_t i = 0; i < t_.size(); ++i) {
    auto e = any_at(i, {"epochs", "epoch"});
    if (!e) continue;
    size_t k = *e;
    while (free(k) && (t_[k].text == "=" || t_[k].text == ":")) ++k;
    if (!number_at(k)) continue;
    if (!q_.epochs) q_.epochs = t_[k].value;
    use(i, k + 1);
  }
  // "batch size 16", "bs=64", "batch 32".
  for (size_t i = 0; i < t_.size(); ++i) {
    auto e = any_at(i, {"batch size", "batch", "bs", "batchsize", "batch_size"});
    if (!e) continue;
    size_t k = *e;
    while (free(k) && (t_[k].text == "=" || t_[k].text == ":" || t_[k].text == "of")) ++k;
    if (!number_at(k)) continue;
    warn(fmt::format("a batch size of {:g} is noted, but plans take their batch from the recipe",
                     t_[k].value));
    use(i, k + 1);
  }
}

void Reader::read_images() {
  static const std::vector<std::string> nouns = {
      "labeled images", "labelled images", "annotated images", "training images", "images",
      "image", "imgs", "img", "pictures", "picture", "photos", "samples", "张图片", "张图像",
      "张图", "张照片", "张样本", "幅图像", "个样本"};
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!number_at(i)) continue;
    double count = t_[i].value;
    size_t k = i + 1;
    if (free(k) && scale_word(t_[k].text, true) > 1) count *= scale_word(t_[k++].text, true);
    // "2700多张", "20k+ images": about that many.
    if (free(k) && (t_[k].text == "多" || t_[k].text == "余" || t_[k].text == "+")) ++k;
    std::optional<size_t> e = any_at(k, nouns);
    // "10k retail images": up to two describing words before the noun.
    for (size_t skip = 1; !e && skip <= 2; ++skip)
      if (free(k + skip - 1) && t_[k + skip - 1].kind == TokenKind::kWord) e = any_at(k + skip, nouns);
      else break;
    // "自己的数据集3万张", "（5000张）": 张 counts images when the question speaks of data or
    // pictures and no GPU follows (GPU counts were read before).
    if (!e && free(k) && t_[k].text == "张" && !gpu_noun_at(k + 1) && !gpu_at(k + 1) &&
        mentions(0, t_.size(), {"图", "数据", "样本", "照片"}))
      e = k + 1;
    if (!e) continue;
    if (!(count >= 1) || count > costmodel::kMaxImages)
      refuse_figure(fmt::format("\"{}\" images is not accepted; expected 1 to {:g}", t_[i].original,
                         costmodel::kMaxImages));
    if (!q_.images) q_.images = count;
    use(i, *e);
  }
}

void Reader::read_durations() {
  for (size_t i = 0; i < t_.size(); ++i) {
    if (!free(i)) continue;
    const bool reference = reference_[i];
    if (auto e = [&]() -> std::optional<size_t> {
          std::optional<size_t> best;
          double hours = 0;
          for (const auto& n : named_durations())
            if (auto end = phrase_at(i, n.phrase); end && (!best || *end > *best)) {
              best = end;
              hours = n.hours;
            }
          if (best && !reference) set_budget(hours, i, *best);
          return best;
        }()) {
      i = *e - 1;
      continue;
    }
    // COUNT UNIT ["and a half" | 半] [COUNT UNIT ...]: "1d12h", "a day and a half",
    // "one and a half days", "1天12小时", "一天半".
    double hours = 0;
    size_t k = i, end = i;
    while (true) {
      auto c = count_at(k);
      if (!c) break;
      double value = c->value;
      size_t u = c->end;
      if (auto half = any_at(u, {"and a half", "个半"})) { value += 0.5; u = *half; }
      std::optional<size_t> unit_end;
      double unit_hours = 0;
      for (const auto& unit : duration_units())
        if (auto ue = phrase_at(u, unit.phrase); ue && (!unit_end || *ue > *unit_end)) {
          unit_end = ue;
          unit_hours = unit.hours;
        }
      if (!unit_end) break;
      // "m" is minutes only right after a number ("90m"), and "d"/"h"/"w" likewise.
      if (t_[u].text.size() == 1 && (!t_[u].joined || !number_at(k))) break;
      if (auto half = any_at(*unit_end, {"and a half", "半"})) { value += 0.5; unit_end = half; }
      hours += value * unit_hours;
      k = end = *unit_end;
      if (auto more = any_at(k, {"and", "又"}); more && count_at(*more)) k = *more;
    }
    if (end == i) continue;
    if (!reference) set_budget(hours, i, end);
    if (!(hours > 0)) refuse_figure("a time budget must be greater than 0");
    i = end - 1;
  }
}

void Reader::read_resolution() {
  auto side_ok = [](double v) { return v >= 320 && v <= 2048 && std::fmod(v, 32) == 0; };
  std::optional<double> side;
  for (size_t i = 0; i < t_.size() && !side; ++i) {
    // "1280x1280"; "800x1440" trains at its long side, as YOLO letterboxes to imgsz.
    auto in_range = [](double v) { return v >= 320 && v <= 2048; };
    if (number_at(i) && free(i + 1) && t_[i + 1].text == "x" && number_at(i + 2) &&
        in_range(t_[i].value) && in_range(t_[i + 2].value) &&
        side_ok(std::max(t_[i].value, t_[i + 2].value))) {
      side = std::max(t_[i].value, t_[i + 2].value);
      use(i, i + 3);
      if (auto px = any_at(i + 3, {"px", "pixels", "input", "resolution", "分辨率"})) use(i + 3, *px);
      break;
    }
    // "1280 input", "960 px input", "1280分辨率"
    if (number_at(i) && side_ok(t_[i].value)) {
      size_t k = i + 1;
      if (auto px = any_at(k, {"px", "pixels", "p"})) k = *px;
      if (auto e = any_at(k, {"input size", "input resolution", "inputs", "input", "resolution",
                              "res", "image size", "分辨率", "输入"})) {
        side = t_[i].value;
        use(i, *e);
        break;
      }
    }
    // "imgsz=1024", "input size 1280", "输入尺寸1280", "at 1280"
    if (auto e = any_at(i, {"imgsz", "img size", "image size", "img_size", "input size",
                            "input resolution", "resolution", "img", "输入尺寸", "分辨率", "尺寸",
                            "图像大小", "图片大小", "输入大小", "at"})) {
      size_t k = *e;
      while (free(k) && (t_[k].text == "=" || t_[k].text == ":" || t_[k].text == "of" ||
                         t_[k].text == "to" || t_[k].text == "为" || t_[k].text == "是"))
        ++k;
      if (number_at(k) && side_ok(t_[k].value)) {
        side = t_[k].value;
        size_t end = k + 1;
        if (free(end) && t_[end].text == "x" && number_at(end + 1) && side_ok(t_[end + 1].value)) {
          side = std::max(*side, t_[end + 1].value);  // "image size of 800x1440"
          end += 2;
        }
        if (auto px = any_at(end, {"px", "pixels"})) end = *px;
        use(i, end);
      }
    }
  }
  // "(1280)" in a question about resolution.
  if (!side && mentions(0, t_.size(), {"resolution", "high res", "hi res", "input", "分辨率", "尺寸"}))
    for (size_t i = 0; i < t_.size() && !side; ++i)
      if (number_at(i) && side_ok(t_[i].value) && !t_[i].from_words && i > 0 && t_[i - 1].text == "(") {
        side = t_[i].value;
        use(i, i + 1);
      }
  if (side) q_.resolutions = {profiles::Resolution{*side, *side}};
}

}  // namespace trainplan::planner::reading
