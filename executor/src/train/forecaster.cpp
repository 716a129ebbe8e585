#include "forecaster.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "local_prediction.hpp"
#include "trainplan/atomic_file.hpp"
#include "trainplan/costmodel/calibration.hpp"
#include "trainplan/costmodel/simulation.hpp"

namespace trainplan::executor {

namespace {

// The first forecast of a stage comes after this share of its steps (at least kWarmupSteps):
// the first steps carry the loader's warm-up and first-touch allocations.
constexpr double kWarmupShare = 0.02;
constexpr int64_t kWarmupSteps = 3;
// Then one forecast every twentieth of the stage.
constexpr int64_t kForecastsPerStage = 20;
// The closing table's refitted forecast: the first one made after this share of the steps.
constexpr double kRefitShare = 0.2;
// Failure timelines per forecast (each draw of the finish takes one, in turn).
constexpr int kFailureTimelines = 200;
// Checkpoints of the CPU executor: a few MB written locally (frameworks' checkpoint_fixed_s).
constexpr double kLocalCheckpointS = 0.05;

// An earlier stage's refit predicts this stage's step as well as this many measured steps do:
// a stage's first steps on a shared machine swing by a third.
constexpr double kPriorSteps = 10;

double now_s() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// The run's start, written once into the run directory so that --resume keeps counting from
// the first launch (a deadline is the run's, not one launch's).
double run_start_time(const RunDirectory& run_dir) {
  const std::string path = run_dir.path() + "/run_started";
  std::ifstream in(path);
  double started = 0;
  if (in >> started && started > 0) return started;
  started = now_s();
  write_file_atomically(path, fmt::format("{:.3f}\n", started));
  return started;
}

void append_record(const std::string& path, const nlohmann::ordered_json& record) {
  std::ofstream out(path, std::ios::app);
  out << record.dump() << "\n";
}

std::vector<std::string> stage_ids(const std::vector<ExecStage>& stages) {
  std::vector<std::string> ids;
  for (const auto& s : stages) ids.push_back(s.id);
  return ids;
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string hours_text(double s) {
  return s >= 3600 ? fmt::format("{:.1f} h", s / 3600) : fmt::format("{:.0f} s", s);
}

}  // namespace

Forecaster::Forecaster(const std::vector<ExecStage>& stages, int world, const RunDirectory& run_dir,
                       DeadlinePolicy deadline)
    : stages_(stages), world_(world), forecast_path_(run_dir.path() + "/forecast.jsonl"),
      deadline_(std::move(deadline)), run_started_(run_start_time(run_dir)),
      status_(run_dir.path(), world, stage_ids(stages)) {}

double Forecaster::run_elapsed_s() const { return now_s() - run_started_; }

void Forecaster::begin_stage(size_t index, int64_t total_steps, int64_t steps_done,
                             int64_t steps_per_epoch, int epochs) {
  index_ = index;
  total_steps_ = total_steps;
  first_step_ = steps_done_ = steps_done;
  steps_per_epoch_ = std::max<int64_t>(1, steps_per_epoch);
  epochs_ = epochs;
  stage_started_ = now_s();
  step_seconds_.clear();
  epoch_end_seconds_.clear();
  // Until an epoch has ended, its evaluation and checkpoint time is the cost model's, scaled
  // as the last stage's measured ones were.
  predicted_epoch_end_s_ = predicted_eval_s(index) / std::max(1, epochs);
  prior_step_s_ = 0;
  if (calibration_) try {
      prior_step_s_ = costmodel::estimate(local_catalog(), local_scenario(stages_[index], world_),
                                          *calibration_)
                          .seconds_per_iter;
    } catch (const std::exception&) {
    }
  summaries_.push_back({stages_[index].id, stages_[index].predicted_seconds, 0, 0});
  status_.at(stages_[index].id, steps_done, total_steps, steps_done / steps_per_epoch_ + 1, epochs,
             /*now=*/true);
}

void Forecaster::after_step(int64_t steps_done, double seconds) {
  steps_done_ = steps_done;
  step_seconds_.push_back(seconds);
  status_.at(stages_[index_].id, steps_done, total_steps_,
             std::min<int64_t>(epochs_, steps_done / steps_per_epoch_ + 1), epochs_);
  const int64_t stage_steps = total_steps_ - first_step_;
  const int64_t measured = steps_done - first_step_;
  const int64_t warmup = std::max<int64_t>(kWarmupSteps, int64_t(std::ceil(kWarmupShare * stage_steps)));
  const int64_t every = std::max<int64_t>(1, stage_steps / kForecastsPerStage);
  const int64_t refit_step = first_step_ + int64_t(std::ceil(kRefitShare * stage_steps));
  const bool refit_due = summaries_.back().refit_s == 0 && steps_done >= refit_step;
  if (measured < warmup || measured >= stage_steps) return;
  if ((measured - warmup) % every == 0 || refit_due) forecast(steps_done);
}

double Forecaster::typical_step() const {
  const std::vector<double> steps = steady_steps();
  const double measured = costmodel::typical_step_seconds(steps);
  if (prior_step_s_ <= 0 || steps.empty()) return measured;
  const double n = double(steps.size());
  return (kPriorSteps * prior_step_s_ + n * measured) / (kPriorSteps + n);
}

std::vector<double> Forecaster::steady_steps() const {
  if (step_seconds_.size() <= size_t(2 * kWarmupSteps)) return step_seconds_;
  return std::vector<double>(step_seconds_.begin() + kWarmupSteps, step_seconds_.end());
}

void Forecaster::after_epoch_end(double seconds) {
  epoch_end_seconds_.push_back(seconds);
  if (predicted_epoch_end_s_ > 0) epoch_end_scale_ = epoch_end_s() / predicted_epoch_end_s_;
}

double Forecaster::epoch_end_s() const {
  if (epoch_end_seconds_.empty()) return predicted_epoch_end_s_ * epoch_end_scale_;
  double sum = 0;
  for (double s : epoch_end_seconds_) sum += s;
  return sum / double(epoch_end_seconds_.size());
}

double Forecaster::predicted_eval_s(size_t index) const {
  try {
    // Through the refitted scales: evaluation is forward passes on the same machine.
    return costmodel::estimate(local_catalog(), local_scenario(stages_[index], world_),
                               calibration_.value_or(costmodel::Calibration{}))
        .breakdown.eval_s;
  } catch (const std::exception&) {
    return 0;
  }
}

costmodel::RemainingPart Forecaster::later_stage(size_t index) const {
  try {
    const auto e = costmodel::estimate(local_catalog(), local_scenario(stages_[index], world_),
                                       calibration_.value_or(costmodel::Calibration{}));
    // The steps through the refitted scales, the evaluations as measured ones went.
    const double total = e.total_seconds + e.breakdown.eval_s * (epoch_end_scale_ - 1);
    return {total, costmodel::log_sigma_of_range(e.total_seconds_p10, e.total_seconds_p90)};
  } catch (const std::exception&) {
    return {stages_[index].predicted_seconds, 0};
  }
}

void Forecaster::forecast(int64_t steps_done) {
  // Refit: the cost model's scales to this stage's typical step, so that the later stages,
  // whatever their model or ranks, are forecast through what this machine showed.
  const double step = typical_step();
  try {
    const costmodel::Scenario here = local_scenario(stages_[index_], world_);
    calibration_ = costmodel::fit_calibration(local_catalog(), {here}, {step}).calibration;
    predicted_epoch_end_s_ = predicted_eval_s(index_) / std::max(1, epochs_);
  } catch (const std::exception&) {
    // No profile for the model: the later stages keep their first forecast.
  }
  costmodel::StageProgress progress;
  progress.elapsed_s = now_s() - stage_started_;
  progress.steps_done = steps_done;
  progress.total_steps = total_steps_;
  // The first steps (loader warm-up, first allocations) say little about the rest.
  progress.step_seconds = steady_steps();
  progress.typical_step_s = step;
  const int64_t epochs_done = steps_done / steps_per_epoch_;
  progress.evaluations_left = int(std::max<int64_t>(0, epochs_ - epochs_done));
  progress.evaluation_s = epoch_end_s();
  std::vector<costmodel::RemainingPart> parts = {costmodel::remaining_of(progress)};
  for (size_t j = index_ + 1; j < stages_.size(); ++j) parts.push_back(later_stage(j));
  const double elapsed = run_elapsed_s();
  latest_ = costmodel::forecast_finish(elapsed, parts, deadline_.deadline_s, failure_delays(step));
  const double stage_total = progress.elapsed_s + parts[0].median_s;
  StageForecasts& summary = summaries_.back();
  summary.last_s = stage_total;
  const int64_t refit_step = first_step_ + int64_t(std::ceil(kRefitShare * (total_steps_ - first_step_)));
  if (summary.refit_s == 0 && steps_done >= refit_step) summary.refit_s = stage_total;

  nlohmann::ordered_json r = record_head("forecast", steps_done);
  r["seconds_per_step"] = step;
  r["stage_elapsed_s"] = progress.elapsed_s;
  r["stage_forecast_s"] = stage_total;
  r["stage_first_forecast_s"] = summary.first_s;
  r["finish_p10_s"] = latest_->p10_s;
  r["finish_p50_s"] = latest_->p50_s;
  r["finish_p90_s"] = latest_->p90_s;
  r["deadline_s"] = optional_number(deadline_.deadline_s);
  r["deadline_probability"] = optional_number(latest_->deadline_probability);
  if (calibration_) r["compute_scale"] = calibration_->compute_scale;
  r["mtbf_hours"] = optional_number(deadline_.mtbf_hours);
  append_record(forecast_path_, r);

  if (deadline_.deadline_s && deadline_.action == "warn") {
    const bool late = latest_->p50_s > *deadline_.deadline_s;
    // Said when the run goes off track, and again only after it came back on it.
    if (late && !warned_)
      decide("warn", fmt::format("the run is forecast to end after {} (likely {}-{}), past the "
                                 "deadline of {}: {:.0f}% odds of meeting it",
                                 hours_text(latest_->p50_s), hours_text(latest_->p10_s),
                                 hours_text(latest_->p90_s), hours_text(*deadline_.deadline_s),
                                 100 * latest_->deadline_probability.value_or(0)));
    warned_ = late;
  }
}

std::vector<double> Forecaster::failure_delays(double step_s) const {
  if (!deadline_.mtbf_hours) return {};
  // The remaining work as the simulator's stages, one after another: the running stage's
  // epochs left (fractional) at the measured step and epoch end, the later stages as the
  // refitted cost model has them.
  std::vector<costmodel::SimStage> stages;
  costmodel::SimStage here;
  here.id = stages_[index_].id;
  here.gpus = world_;
  // A restart starts the process again (the first start is behind us: only the failures'
  // delays are taken from the timelines).
  here.startup_s = local_catalog().framework("libtorch-cpu").startup_s;
  here.warmup_s = 0;
  here.epochs = double(std::max<int64_t>(0, total_steps_ - steps_done_)) / double(steps_per_epoch_);
  here.epoch_train_s = double(steps_per_epoch_) * step_s;
  here.eval_s = epoch_end_s();
  here.eval_interval_epochs = 1;
  here.checkpoint_write_s = kLocalCheckpointS;
  stages.push_back(here);
  for (size_t j = index_ + 1; j < stages_.size(); ++j) {
    try {
      const auto e = costmodel::estimate(local_catalog(), local_scenario(stages_[j], world_),
                                         calibration_.value_or(costmodel::Calibration{}));
      costmodel::SimStage later;
      later.id = stages_[j].id;
      later.gpus = world_;
      later.depends_on = {stages.size() - 1};
      later.startup_s = e.startup_s;
      later.warmup_s = 0;
      later.epochs = stages_[j].epochs;
      later.epoch_train_s = e.epoch_seconds - e.breakdown.eval_s / std::max(1, stages_[j].epochs);
      later.eval_s = e.breakdown.eval_s / std::max(1, stages_[j].epochs);
      later.eval_interval_epochs = 1;
      later.checkpoint_write_s = kLocalCheckpointS;
      stages.push_back(later);
    } catch (const std::exception&) {
    }
  }
  costmodel::SimulationOptions options;
  options.checkpoint.mode = costmodel::CheckpointMode::kEveryEpoch;
  std::vector<double> delays;
  try {
    const double failure_free = double(costmodel::simulate_timeline(stages, options).makespan_ns) / 1e9;
    options.mtbf_hours = deadline_.mtbf_hours;
    for (int run = 0; run < kFailureTimelines; ++run)
      delays.push_back(std::max(0.0, double(costmodel::simulate_timeline(stages, options, run).makespan_ns) / 1e9 -
                                         failure_free));
  } catch (const std::exception&) {
    // Failures so frequent that the work would never finish: the simulator refuses; the
    // forecast goes without them (the plan's own simulation says so before a run).
  }
  return delays;
}

nlohmann::ordered_json Forecaster::record_head(const std::string& kind, int64_t step) const {
  nlohmann::ordered_json r;
  r["kind"] = kind;
  r["time"] = now_s();
  r["elapsed_s"] = run_elapsed_s();
  r["stage"] = stages_[index_].id;
  r["step"] = step;
  r["steps"] = total_steps_;
  return r;
}

void Forecaster::decide(const std::string& action, const std::string& message) {
  std::fprintf(stderr, "\ntrainplan: deadline (%s): %s\n", action.c_str(), message.c_str());
  nlohmann::ordered_json r = record_head("decision", steps_done_);
  r["policy"] = deadline_.action;
  r["action"] = action;
  r["message"] = message;
  append_record(forecast_path_, r);
}

bool Forecaster::should_stop_for_deadline() const {
  if (!deadline_.deadline_s || deadline_.action != "stop") return false;
  const double left = *deadline_.deadline_s - run_elapsed_s();
  const double step = typical_step();
  // Stop when one more step and the epoch's end (evaluation, checkpoint) would pass it.
  if (left > step + epoch_end_s()) return false;
  const_cast<Forecaster*>(this)->decide(
      "stop", fmt::format("{} left before the deadline of {}: stopping at step {} of stage \"{}\" "
                          "to evaluate and checkpoint in time (the best checkpoint is kept)",
                          hours_text(std::max(0.0, left)), hours_text(*deadline_.deadline_s),
                          steps_done_, stages_[index_].id));
  return true;
}

std::optional<int> Forecaster::shortened_epochs(int epochs_done) {
  if (!deadline_.deadline_s || deadline_.action != "shorten" || !latest_) return std::nullopt;
  if (latest_->p50_s <= *deadline_.deadline_s || epochs_done >= epochs_) return std::nullopt;
  double later = 0;
  for (size_t j = index_ + 1; j < stages_.size(); ++j) later += later_stage(j).median_s;
  const double epoch_s =
      double(steps_per_epoch_) * typical_step() + epoch_end_s();
  const double budget = *deadline_.deadline_s - run_elapsed_s() - later;
  const int more = epoch_s > 0 ? int(std::floor(std::max(0.0, budget) / epoch_s)) : 0;
  const int keep = std::clamp(epochs_done + more, epochs_done, epochs_);
  if (keep >= epochs_) return std::nullopt;
  decide("shorten", fmt::format("stage \"{}\" keeps {} of its {} epochs (an epoch takes {}, {} "
                                "is left before the deadline of {} after the later stages' {})",
                                stages_[index_].id, keep, epochs_, hours_text(epoch_s),
                                hours_text(std::max(0.0, budget + later)),
                                hours_text(*deadline_.deadline_s), hours_text(later)));
  epochs_ = keep;
  total_steps_ = int64_t(keep) * steps_per_epoch_;
  return keep;
}

void Forecaster::end_stage(double measured_s) {
  StageForecasts& summary = summaries_.back();
  nlohmann::ordered_json r = record_head("stage_end", steps_done_);
  r["measured_s"] = measured_s;
  r["stage_first_forecast_s"] = summary.first_s;
  r["stage_refit_forecast_s"] = summary.refit_s > 0 ? nlohmann::json(summary.refit_s) : nlohmann::json(nullptr);
  r["stage_forecast_s"] = summary.last_s > 0 ? nlohmann::json(summary.last_s) : nlohmann::json(nullptr);
  append_record(forecast_path_, r);
}

}  // namespace trainplan::executor
