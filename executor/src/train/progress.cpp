#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace trainplan::executor {

namespace {

// Steps after which the measured rate has full weight in the ETA.
constexpr double kStepsToTrustMeasurement = 20;

std::string clock_text(double seconds) {
  int s = int(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace

Progress::Progress(std::string stage, int64_t total_steps, double predicted, bool print)
    : stage_(std::move(stage)), total_(total_steps), predicted_(predicted), print_(print) {}

double Progress::eta_seconds(int64_t done) const {
  const double measured = measured_count_ ? measured_sum_ / measured_count_ : predicted_;
  const double w = std::min(1.0, measured_count_ / kStepsToTrustMeasurement);
  const double rate = predicted_ > 0 ? w * measured + (1 - w) * predicted_ : measured;
  return std::max<int64_t>(0, total_ - done) * rate;
}

void Progress::step(int64_t epoch, int64_t epochs, int64_t done, double loss, double seconds) {
  measured_sum_ += seconds;
  ++measured_count_;
  if (!print_) return;
  const int width = 24;
  const int filled = total_ > 0 ? int(width * double(done) / total_) : width;
  std::string bar(std::min(width, filled), '#');
  bar.resize(width, '.');
  std::string line = fmt::format("{} epoch {}/{} [{}] {}/{} loss {:.3f} {:.2f} s/it ETA {}", stage_,
                                 epoch + 1, epochs, bar, done, total_, loss,
                                 measured_sum_ / measured_count_, clock_text(eta_seconds(done)));
  if (run_p50_left_ >= 0)
    line += fmt::format(" | run ends in ~{} (P90 {})", clock_text(std::max(0.0, run_p50_left_)),
                        clock_text(std::max(0.0, run_p90_left_)));
  if (isatty(STDOUT_FILENO))
    std::printf("\r%-130s", line.c_str());
  else if (done % 10 == 0 || done == total_)
    std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void Progress::finish() {
  if (print_ && isatty(STDOUT_FILENO)) std::printf("\n");
  std::fflush(stdout);
}

}  // namespace trainplan::executor
