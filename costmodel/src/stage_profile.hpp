#pragma once
// A stage's failure-free body (everything after start-up and warm-up) as a list of segments
// on a nanosecond clock, built once per simulation and shared by every run. A run then needs
// only the offsets where checkpoints complete: a failure at body offset x loses the work since
// the last completion at or before x (docs/simulator.md section 2).
#include <cstddef>
#include <vector>

#include "trainplan/costmodel/simulation.hpp"

namespace trainplan::costmodel::detail {

/// What a piece of a stage's body does.
enum class SegmentKind { kTrain, kEvaluation, kCheckpoint };

/// One piece of a stage's body; offsets are from the body's start.
struct Segment {
  SegmentKind kind = SegmentKind::kTrain;
  int epoch = 1;             ///< the epoch trained, or just finished (1-based)
  bool inside_epoch = true;  ///< part of an epoch's span (training, mid-epoch checkpoints)
  TimeNs start_ns = 0;
  TimeNs duration_ns = 0;
  TimeNs end_ns() const { return start_ns + duration_ns; }
};

/// How a stage's checkpoints are placed.
struct CheckpointPlacement {
  bool each_epoch = true;  ///< after each whole epoch (the cost model's assumption)
  double interval_s = 0;   ///< otherwise after every interval_s of training and evaluation
};

/// The body of one stage, failure-free.
struct StageProfile {
  std::vector<Segment> segments;           ///< contiguous from offset 0, zero-length ones left out
  std::vector<TimeNs> checkpoint_done_ns;  ///< ascending body offsets where a checkpoint completes
  TimeNs body_ns = 0;
  TimeNs startup_ns = 0;
  TimeNs warmup_ns = 0;
  int checkpoints = 0;
  int evaluations = 0;

  /// Start-up plus warm-up: paid before the body on every (re)start.
  TimeNs preamble_ns() const { return startup_ns + warmup_ns; }
  /// The body offset of the last checkpoint completed at or before `offset` (0 = the stage's
  /// initial weights).
  TimeNs last_checkpoint_ns(TimeNs offset) const;
  /// The first segment that ends after `offset` (segments.size() when none does).
  std::size_t segment_after(TimeNs offset) const;
  /// The longest stretch of body between two checkpoint completions (or the start or end).
  TimeNs longest_gap_ns() const;
};

/// Evaluations in a stage: floor(epochs / interval), as the cost model counts them.
int evaluation_count(const SimStage& stage);

/// Training and evaluation seconds of a stage (no checkpoints, no start-up).
double work_seconds(const SimStage& stage);

/// Builds a stage's body. Epoch ends come before evaluations due at the same point, and a
/// checkpoint due then comes first (mmengine's order: checkpoint hook, then validation). An
/// interval checkpoint due inside an evaluation is written when the evaluation ends; the
/// interval policy always ends the body with a checkpoint (the next stage needs the weights).
StageProfile build_profile(const SimStage& stage, const CheckpointPlacement& placement);

}  // namespace trainplan::costmodel::detail
