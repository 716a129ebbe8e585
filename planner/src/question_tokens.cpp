#include "question_tokens.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>

namespace trainplan::planner::reading {

namespace {

// One decoded character of the question.
struct Char {
  char32_t code = 0;
  std::string utf8;
};

std::string encode(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
  return out;
}

// Full-width ASCII (the forms a Chinese keyboard types: "４卡，１天") and the few other signs
// people use for the same thing become plain ASCII.
char32_t normalise(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  switch (c) {
    case 0x3001: return ',';   // 、
    case 0x3002: return '.';   // 。
    case 0x00D7: return 'x';   // ×
    case 0x2715: return 'x';   // ✕
    case 0xFFE5: return 0xA5;  // ￥ -> ¥
    case 0x2013: case 0x2014: case 0x2212: return '-';
    case 0x3000: return ' ';
    default: return c;
  }
}

// Invalid UTF-8 bytes are kept as single characters so that nothing is silently lost.
std::vector<Char> decode(const std::string& s) {
  std::vector<Char> out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) len = 1;
    char32_t c = len == 1 ? b : b & (0x7F >> len);
    for (int k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    c = normalise(c);
    out.push_back({c, encode(c)});
    i += len;
  }
  return out;
}

bool is_han(char32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

const std::map<char32_t, int>& han_digits() {
  static const std::map<char32_t, int> d = {
      {U'零', 0}, {U'〇', 0}, {U'一', 1}, {U'二', 2}, {U'两', 2}, {U'三', 3}, {U'四', 4},
      {U'五', 5}, {U'六', 6}, {U'七', 7}, {U'八', 8}, {U'九', 9}};
  return d;
}

double han_unit(char32_t c) {
  switch (c) {
    case U'十': return 10;
    case U'百': return 100;
    case U'千': return 1000;
    case U'万': return 1e4;
    case U'亿': return 1e8;
    default: return 0;
  }
}

bool is_han_numeral(char32_t c) { return han_digits().count(c) > 0 || han_unit(c) > 0; }

// "三十二" -> 32, "两千" -> 2000, "一万五千" -> 15000, "十六" -> 16.
double han_number(const std::vector<Char>& chars, size_t begin, size_t end) {
  double total = 0, section = 0, digit = 0;
  for (size_t i = begin; i < end; ++i) {
    const char32_t c = chars[i].code;
    const double unit = han_unit(c);
    if (unit == 0) {
      digit = han_digits().at(c);
    } else if (unit < 1e4) {
      section += (digit == 0 ? 1 : digit) * unit;
      digit = 0;
    } else {
      total += (section + digit == 0 ? 1 : section + digit) * unit;
      section = digit = 0;
    }
  }
  return total + section + digit;
}

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// English number words (one to ninety-nine, and hundreds) become numbers, so that the grammar
// reads "sixteen H100s" and "thirty-two GPUs" as it reads "16 H100s".
void numbers_from_words(std::vector<Token>& tokens) {
  static const std::map<std::string, int> units = {
      {"zero", 0}, {"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}, {"five", 5}, {"six", 6},
      {"seven", 7}, {"eight", 8}, {"nine", 9}, {"ten", 10}, {"eleven", 11}, {"twelve", 12},
      {"thirteen", 13}, {"fourteen", 14}, {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17},
      {"eighteen", 18}, {"nineteen", 19}};
  static const std::map<std::string, int> tens = {
      {"twenty", 20}, {"thirty", 30}, {"forty", 40}, {"fifty", 50}, {"sixty", 60},
      {"seventy", 70}, {"eighty", 80}, {"ninety", 90}};
  std::vector<Token> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token t = tokens[i];
    if (t.kind == TokenKind::kWord && (units.count(t.text) || tens.count(t.text))) {
      double value = units.count(t.text) ? units.at(t.text) : tens.at(t.text);
      std::string original = t.original;
      if (tens.count(t.text) && i + 1 < tokens.size() && units.count(tokens[i + 1].text) &&
          units.at(tokens[i + 1].text) < 10) {
        value += units.at(tokens[++i].text);
        original += "-" + tokens[i].original;
      }
      if (i + 1 < tokens.size() && tokens[i + 1].text == "hundred") {
        value *= 100;
        original += " " + tokens[++i].original;
      }
      t.kind = TokenKind::kNumber;
      t.value = value;
      t.original = original;
      t.from_words = true;
    }
    out.push_back(t);
  }
  tokens = std::move(out);
}

class Tokenizer {
 public:
  explicit Tokenizer(const std::string& text) : c_(decode(text)) {}

  std::vector<Token> run() {
    while (i_ < c_.size()) {
      const char32_t c = c_[i_].code;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space_ = true;
        ++i_;
      } else if (c == '-' || c == '_') {
        space_ = true;  // a separator inside names ("yolo-world", "fine_tune"), not a token
        ++i_;
      } else if (is_digit(c)) {
        number();
      } else if (is_letter(c)) {
        word();
      } else if (is_han(c) && is_han_numeral(c)) {
        han_numeral();
      } else if (is_han(c)) {
        push(TokenKind::kHan, c_[i_].utf8, c_[i_].utf8);
        ++i_;
      } else {
        // "*" and "×" (normalised to x) are multiplications wherever they stand.
        push(TokenKind::kSymbol, c == '*' ? "x" : c_[i_].utf8, c_[i_].utf8);
        ++i_;
      }
    }
    numbers_from_words(tokens_);
    return std::move(tokens_);
  }

 private:
  void push(TokenKind kind, std::string text, std::string original, double value = 0) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.original = std::move(original);
    t.value = value;
    t.joined = !space_ && !tokens_.empty();
    tokens_.push_back(std::move(t));
    space_ = false;
  }

  bool digit_at(size_t k) const { return k < c_.size() && is_digit(c_[k].code); }

  // Digits with thousands separators ("20,000": a comma followed by exactly three digits) and
  // a decimal part; a Chinese multiplier right after scales it ("1.2万").
  void number() {
    std::string digits, original;
    while (i_ < c_.size()) {
      if (is_digit(c_[i_].code)) {
        digits += char(c_[i_].code);
        original += char(c_[i_].code);
        ++i_;
      } else if (c_[i_].code == ',' && digit_at(i_ + 1) && digit_at(i_ + 2) && digit_at(i_ + 3) &&
                 !digit_at(i_ + 4) && digits.find('.') == std::string::npos) {
        original += ',';
        ++i_;
      } else if (c_[i_].code == '.' && digit_at(i_ + 1) && digits.find('.') == std::string::npos) {
        digits += '.';
        original += '.';
        ++i_;
      } else {
        break;
      }
    }
    // "1e9": an exponent, so that a huge figure is refused as huge rather than misread.
    if (i_ + 1 < c_.size() && (c_[i_].code == 'e' || c_[i_].code == 'E') && digit_at(i_ + 1)) {
      digits += 'e';
      original += char(c_[i_].code);
      ++i_;
      while (digit_at(i_)) {
        digits += char(c_[i_].code);
        original += char(c_[i_].code);
        ++i_;
      }
    }
    double value = std::strtod(digits.c_str(), nullptr);
    while (i_ < c_.size() && is_han(c_[i_].code) && han_unit(c_[i_].code) >= 100) {
      value *= han_unit(c_[i_].code);
      original += c_[i_].utf8;
      ++i_;
    }
    push(TokenKind::kNumber, digits, original, value);
    // Letters right after a number are its unit ("36h", "40gb", "3k", "4090s"), read as a word
    // of letters only so that "1d12h" is 1 d 12 h; an "x" is a multiplication ("8xA100").
    if (i_ < c_.size() && (c_[i_].code == 'x' || c_[i_].code == 'X' || c_[i_].code == '*')) {
      push(TokenKind::kSymbol, "x", c_[i_].utf8);
      ++i_;
      return;
    }
    std::string letters, as_written;
    while (i_ < c_.size() && is_letter(c_[i_].code)) {
      as_written += char(c_[i_].code);
      ++i_;
    }
    if (!as_written.empty()) push(TokenKind::kWord, lower(as_written), as_written);
  }

  void word() {
    std::string as_written;
    while (i_ < c_.size() && (is_letter(c_[i_].code) || is_digit(c_[i_].code))) {
      as_written += char(c_[i_].code);
      ++i_;
    }
    std::string w = lower(as_written);
    // "x4" (as in "L40S x4") and a lone "x" are multiplications.
    if (w[0] == 'x' && (w.size() == 1 || std::isdigit(static_cast<unsigned char>(w[1])))) {
      bool all_digits = true;
      for (size_t k = 1; k < w.size(); ++k) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(w[k]));
      if (all_digits) {
        push(TokenKind::kSymbol, "x", "x");
        if (w.size() > 1) {
          space_ = false;
          push(TokenKind::kNumber, w.substr(1), as_written.substr(1), std::strtod(w.c_str() + 1, nullptr));
        }
        return;
      }
    }
    push(TokenKind::kWord, w, as_written);
  }

  void han_numeral() {
    const size_t begin = i_;
    std::string original;
    while (i_ < c_.size() && is_han_numeral(c_[i_].code)) original += c_[i_++].utf8;
    const double value = han_number(c_, begin, i_);
    push(TokenKind::kNumber, original, original, value);
    tokens_.back().from_words = true;
  }

  std::vector<Char> c_;
  size_t i_ = 0;
  bool space_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& text) { return Tokenizer(text).run(); }

std::optional<size_t> invalid_utf8_at(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::nullopt;
}

std::vector<std::string> phrase_tokens(const std::string& phrase) {
  std::vector<std::string> out;
  for (const auto& t : tokenize(phrase)) out.push_back(t.text);
  return out;
}

bool ends_clause(const Token& t) {
  if (t.kind != TokenKind::kSymbol) return false;
  return t.text == "." || t.text == "," || t.text == ";" || t.text == ":" || t.text == "?" ||
         t.text == "!" || t.text == "(" || t.text == ")";
}

}  // namespace trainplan::planner::reading
