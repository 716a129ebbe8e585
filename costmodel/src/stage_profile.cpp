#include "stage_profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trainplan::costmodel::detail {

namespace {

// Epoch positions closer than this are the same point (plans carry epochs as decimals).
constexpr double kEpochTolerance = 1e-9;
// Less work than this (a microsecond) is none: it absorbs the rounding of long sums, so an
// interval that divides a stage exactly does not leave a sliver and an extra checkpoint.
constexpr double kSecondsTolerance = 1e-6;
constexpr double kNever = std::numeric_limits<double>::infinity();

// Appends segments on a clock kept in seconds; each boundary is rounded to the nanosecond
// from the running total, so rounding never accumulates over thousands of segments.
class ProfileBuilder {
 public:
  ProfileBuilder(const SimStage& stage, const CheckpointPlacement& placement)
      : stage_(stage), placement_(placement) {}

  // Training from epoch position `from` to `to`, splitting it where an interval checkpoint
  // falls due. `ends_epoch`: `to` is the end of a whole epoch.
  void train(double from, double to, int epoch, bool ends_epoch) {
    double seconds = (to - from) * stage_.epoch_train_s;
    while (!placement_.each_epoch &&
           since_checkpoint_s_ + seconds >= placement_.interval_s - kSecondsTolerance) {
      const double part = std::max(0.0, placement_.interval_s - since_checkpoint_s_);
      add(SegmentKind::kTrain, epoch, true, part);
      seconds = std::max(0.0, seconds - part);
      checkpoint(epoch, /*inside_epoch=*/!(ends_epoch && seconds <= kSecondsTolerance));
    }
    add(SegmentKind::kTrain, epoch, true, seconds);
    since_checkpoint_s_ += seconds;
  }

  void evaluate(int epoch, bool inside_epoch) {
    add(SegmentKind::kEvaluation, epoch, inside_epoch, stage_.eval_s);
    ++profile_.evaluations;
    since_checkpoint_s_ += stage_.eval_s;
    // An evaluation pass is not interrupted for a checkpoint: one due during it comes after.
    if (!placement_.each_epoch && since_checkpoint_s_ >= placement_.interval_s - kSecondsTolerance)
      checkpoint(epoch, inside_epoch);
  }

  void checkpoint(int epoch, bool inside_epoch) {
    add(SegmentKind::kCheckpoint, epoch, inside_epoch, stage_.checkpoint_write_s);
    profile_.checkpoint_done_ns.push_back(seconds_to_ns(clock_s_));
    ++profile_.checkpoints;
    since_checkpoint_s_ = 0;
  }

  bool work_since_checkpoint() const { return since_checkpoint_s_ > kSecondsTolerance; }

  StageProfile finish() {
    profile_.body_ns = seconds_to_ns(clock_s_);
    profile_.startup_ns = seconds_to_ns(stage_.startup_s);
    profile_.warmup_ns = seconds_to_ns(stage_.warmup_s);
    return std::move(profile_);
  }

 private:
  void add(SegmentKind kind, int epoch, bool inside_epoch, double seconds) {
    const TimeNs start = seconds_to_ns(clock_s_);
    clock_s_ += seconds;
    const TimeNs end = seconds_to_ns(clock_s_);
    if (end > start) profile_.segments.push_back({kind, epoch, inside_epoch, start, end - start});
  }

  const SimStage& stage_;
  const CheckpointPlacement& placement_;
  StageProfile profile_;
  double clock_s_ = 0;
  double since_checkpoint_s_ = 0;
};

}  // namespace

TimeNs StageProfile::last_checkpoint_ns(TimeNs offset) const {
  auto it = std::upper_bound(checkpoint_done_ns.begin(), checkpoint_done_ns.end(), offset);
  return it == checkpoint_done_ns.begin() ? 0 : *(it - 1);
}

std::size_t StageProfile::segment_after(TimeNs offset) const {
  auto it = std::upper_bound(segments.begin(), segments.end(), offset,
                             [](TimeNs t, const Segment& s) { return t < s.end_ns(); });
  return std::size_t(it - segments.begin());
}

TimeNs StageProfile::longest_gap_ns() const {
  TimeNs previous = 0, longest = 0;
  for (TimeNs done : checkpoint_done_ns) {
    longest = std::max(longest, done - previous);
    previous = done;
  }
  return std::max(longest, body_ns - previous);
}

int evaluation_count(const SimStage& stage) {
  if (!(stage.eval_interval_epochs > 0) || !(stage.epochs > 0)) return 0;
  return int(std::floor(stage.epochs / stage.eval_interval_epochs + kEpochTolerance));
}

double work_seconds(const SimStage& stage) {
  return std::max(0.0, stage.epochs) * stage.epoch_train_s + evaluation_count(stage) * stage.eval_s;
}

StageProfile build_profile(const SimStage& stage, const CheckpointPlacement& placement) {
  ProfileBuilder builder(stage, placement);
  const double epochs = std::max(0.0, stage.epochs);
  const int whole_epochs = int(std::floor(epochs + kEpochTolerance));
  const int evaluations = evaluation_count(stage);
  double position = 0;  // epochs trained so far
  int next_epoch = 1, next_eval = 1;
  for (;;) {
    const double epoch_at = next_epoch <= whole_epochs ? double(next_epoch) : kNever;
    const double eval_at =
        next_eval <= evaluations ? next_eval * stage.eval_interval_epochs : kNever;
    const double target = std::min({epoch_at, eval_at, epochs});
    const bool ends_epoch = epoch_at <= target + kEpochTolerance;
    if (target > position + kEpochTolerance)
      builder.train(position, target, int(std::floor(position + kEpochTolerance)) + 1, ends_epoch);
    position = std::max(position, target);
    bool marker = false;
    if (ends_epoch) {
      if (placement.each_epoch) builder.checkpoint(next_epoch, /*inside_epoch=*/false);
      ++next_epoch;
      marker = true;
    }
    if (eval_at <= position + kEpochTolerance) {
      // At an epoch's end the evaluation follows that epoch; elsewhere it sits inside one.
      const double nearest = std::round(position);
      const bool at_boundary = std::fabs(position - nearest) <= kEpochTolerance;
      builder.evaluate(at_boundary ? int(nearest) : int(std::floor(position)) + 1, !at_boundary);
      ++next_eval;
      marker = true;
    }
    if (!marker && position >= epochs - kEpochTolerance) break;
  }
  if (!placement.each_epoch && builder.work_since_checkpoint())
    builder.checkpoint(std::max(1, int(std::ceil(epochs - kEpochTolerance))), false);
  return builder.finish();
}

}  // namespace trainplan::costmodel::detail
