#pragma once
// The grammar of plain questions. A Reader walks the tokens of one question in passes, one
// pass per kind of phrase (money, counts of things that are not GPUs, cluster shapes, GPUs,
// data, durations, input size, models, tasks, intents), each rule consuming the tokens it
// reads; what no rule consumed is reported as unread.
#include <optional>
#include <string>
#include <vector>

#include "question_tokens.hpp"
#include "trainplan/planner/question.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::planner::reading {

/// A GPU name read from the question, resolved to a profile id.
struct GpuName {
  std::string id;
  size_t end = 0;       ///< one past its last token
  std::string warning;  ///< a variant the profiles lack, and what was used instead
};

/// A count read from the question ("4", "four", "a couple of", "单").
struct Count {
  double value = 0;
  size_t end = 0;
};

/// Reads one question into a Question, given the profiles that name GPUs and models.
class Reader {
 public:
  Reader(const std::string& text, const profiles::Catalog& catalog);

  /// Runs every pass and returns what was understood.
  Question read();

  /// The GPU profile id when the whole text is one GPU name ("A100 40GB"), or "".
  std::string whole_gpu_name() const;

 private:
  // Token access.
  bool free(size_t i) const { return i < t_.size() && !t_[i].used; }
  bool word_is(size_t i, const char* text) const;
  bool number_at(size_t i) const { return free(i) && t_[i].kind == TokenKind::kNumber; }
  /// End of `phrase` (in the tokenizer's words) matched at i, or nothing.
  std::optional<size_t> phrase_at(size_t i, const std::string& phrase) const;
  /// End of the longest of `phrases` matched at i, or nothing.
  std::optional<size_t> any_at(size_t i, const std::vector<std::string>& phrases) const;
  void use(size_t begin, size_t end);
  /// Whether any of `phrases` occurs in the tokens [begin, end).
  bool mentions(size_t begin, size_t end, const std::vector<std::string>& phrases) const;
  /// The token range of the clause holding token i.
  std::pair<size_t, size_t> clause_of(size_t i) const;

  // Shared pieces of the grammar (question_grammar_hardware.cpp).
  std::optional<Count> count_at(size_t i) const;
  std::optional<GpuName> gpu_at(size_t i) const;
  std::optional<size_t> gpu_noun_at(size_t i) const;
  std::optional<size_t> node_noun_at(size_t i) const;
  std::optional<size_t> classifier_at(size_t i) const;
  /// A GPU-like name without a profile ("T4", "A40s", "Quadro RTX 6000"): its end.
  std::optional<size_t> unknown_gpu_at(size_t i) const;

  // Passes.
  void read_money();                 // question_grammar_amounts.cpp
  void read_other_counts();          // epochs, iterations, classes, batch sizes
  void read_images();
  void read_durations();
  void read_resolution();
  /// Reads cluster shapes and GPU counts in the clauses that say what the asker has first,
  /// then in the others, then in clauses about someone else's run.
  void read_hardware();
  void read_clusters(bool references, bool possessive_only);  // question_grammar_hardware.cpp
  void read_gpu_counts(bool references, bool possessive_only);
  void read_possession();
  void read_models();                // question_grammar_words.cpp
  void warn_unknown_models();
  void read_tasks();
  void read_intents();
  void collect_unread();

  // Records.
  void set_gpus(double count, size_t begin, size_t end);
  void set_gpu(const GpuName& gpu);
  void set_budget(double hours, size_t begin, size_t end);
  void warn(std::string message);
  void warn_unknown_gpu(size_t begin, size_t end);
  /// Nothing in the question could be read: the message lists the accepted forms.
  [[noreturn]] void refuse(const std::string& why) const;
  /// A figure was read but cannot be used: one line naming it and what is accepted.
  [[noreturn]] void refuse_figure(const std::string& why) const;

  std::string text_;
  const profiles::Catalog& catalog_;
  std::vector<Token> t_;
  std::vector<bool> reference_;  ///< per token: in a clause about someone else's run
  std::vector<bool> possessive_;  ///< per token: in a clause saying what the asker has
  Question q_;
  bool family_named_ = false;  ///< a model family without its size ("YOLO-World")
};

}  // namespace trainplan::planner::reading
