#pragma once
// The words of a plain question: the text normalised (full-width forms, Chinese numerals) and
// cut into tokens the question grammar (question_reader.cpp) reads one by one.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace trainplan::planner::reading {

/// What a token is.
enum class TokenKind {
  kNumber,  ///< digits, with thousands separators and a decimal part ("20,000", "1.5")
  kWord,    ///< a run of Latin letters and digits starting with a letter ("a100", "yolov8m")
  kHan,     ///< one Chinese character
  kSymbol,  ///< one punctuation or sign character ("$", "x" between numbers, ",", "(")
};

/// One token of the question.
struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string text;      ///< lower case for words; the character itself otherwise
  std::string original;  ///< as written (case kept: "V100S" is a card, "V100s" a plural)
  double value = 0;      ///< the number, for kNumber
  bool joined = false;   ///< written right after the previous token, with no space or hyphen
  bool from_words = false;  ///< a number written in words or Chinese numerals
  bool used = false;     ///< consumed by a grammar rule
};

/// Cuts a question into tokens. Full-width digits, letters and punctuation become their ASCII
/// forms, Chinese numerals become numbers ("两千" -> 2000, "1.2万" -> 12000), and hyphens and
/// underscores separate words without being tokens ("fine-tune" -> fine, tune).
std::vector<Token> tokenize(const std::string& text);

/// The byte offset of the first byte that is not valid UTF-8, or nothing.
std::optional<size_t> invalid_utf8_at(const std::string& text);

/// Cuts a phrase of the grammar's vocabulary the same way, for matching.
std::vector<std::string> phrase_tokens(const std::string& phrase);

/// Whether a token closes a clause (. , ; : ? ! and their full-width forms).
bool ends_clause(const Token& token);

}  // namespace trainplan::planner::reading
