// A timeline in the Chrome trace event format ("Trace Event Format", Google, the document
// chrome://tracing and Perfetto read): a JSON object with "traceEvents" and
// "displayTimeUnit". Complete events ("ph": "X") carry "ts" and "dur" in microseconds;
// events on one thread (tid) must nest, which holds because a track is one GPU set and the
// stages on a GPU set never overlap (docs/simulator.md section 7).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "trainplan/atomic_file.hpp"
#include "trainplan/costmodel/simulation.hpp"

namespace trainplan::costmodel {

namespace {

using ojson = nlohmann::ordered_json;
constexpr int kPid = 1;

const char* category(SpanKind kind) {
  switch (kind) {
    case SpanKind::kStage:
      return "stage";
    case SpanKind::kStartup:
      return "startup";
    case SpanKind::kWarmup:
      return "warmup";
    case SpanKind::kEpoch:
      return "epoch";
    case SpanKind::kEvaluation:
      return "evaluation";
    case SpanKind::kCheckpoint:
      return "checkpoint";
    case SpanKind::kRestart:
      return "restart";
    case SpanKind::kFailure:
      return "failure";
  }
  return "stage";
}

std::string span_name(const Span& span, const std::vector<SimStage>& stages) {
  switch (span.kind) {
    case SpanKind::kStage:
      return stages[span.stage].id;
    case SpanKind::kStartup:
      return "start-up";
    case SpanKind::kWarmup:
      return "loader warm-up";
    case SpanKind::kEpoch:
      return fmt::format("epoch {}", span.epoch);
    case SpanKind::kFailure:
      return "GPU failure";
    default:
      // Evaluation, checkpoint, restart: the category says it all.
      return category(span.kind);
  }
}

// Microseconds from integer nanoseconds: exact to the nanosecond in a double for any run
// shorter than a century, so parents and children keep their order after conversion.
double micros(TimeNs ns) { return double(ns) / 1000.0; }

// Sort key: track, start, longer first (a parent before its children), then parent kinds
// first for equal spans.
int rank(SpanKind kind) {
  switch (kind) {
    case SpanKind::kStage:
      return 0;
    case SpanKind::kEpoch:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

std::string trace_json(const std::vector<SimStage>& stages, const Timeline& timeline,
                       const std::string& title) {
  // One track per distinct GPU set, in the order stages first use them.
  std::map<std::pair<int, int>, int> track_of_set;
  std::vector<int> track(stages.size());
  ojson events = ojson::array();
  events.push_back({{"name", "process_name"},
                    {"ph", "M"},
                    {"pid", kPid},
                    {"tid", 0},
                    {"args", {{"name", title}}}});
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const auto key = std::pair{stages[s].gpu_offset, stages[s].gpus};
    auto [it, added] = track_of_set.emplace(key, int(track_of_set.size()) + 1);
    track[s] = it->second;
    if (!added) continue;
    const int first = key.first, last = key.first + key.second - 1;
    const std::string name =
        first == last ? fmt::format("GPU {}", first) : fmt::format("GPUs {}-{}", first, last);
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", kPid},
                      {"tid", it->second},
                      {"args", {{"name", name}}}});
    events.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", kPid},
                      {"tid", it->second},
                      {"args", {{"sort_index", it->second}}}});
  }

  std::vector<const Span*> order;
  for (const auto& span : timeline.spans) order.push_back(&span);
  std::stable_sort(order.begin(), order.end(), [&](const Span* a, const Span* b) {
    return std::make_tuple(track[a->stage], a->start_ns, -a->duration_ns, rank(a->kind)) <
           std::make_tuple(track[b->stage], b->start_ns, -b->duration_ns, rank(b->kind));
  });
  for (const Span* span : order) {
    ojson args = {{"stage", stages[span->stage].id}};
    if (span->epoch > 0) args["epoch"] = span->epoch;
    if (!span->completed) args["completed"] = false;
    ojson e = {{"name", span_name(*span, stages)}, {"cat", category(span->kind)}};
    if (span->kind == SpanKind::kFailure) {
      args["lost_work_s"] = span->lost_work_s;
      e["ph"] = "i";
      e["s"] = "t";  // an instant on its thread
      e["ts"] = micros(span->start_ns);
    } else {
      e["ph"] = "X";
      e["ts"] = micros(span->start_ns);
      e["dur"] = micros(span->duration_ns);
    }
    e["pid"] = kPid;
    e["tid"] = track[span->stage];
    e["args"] = std::move(args);
    events.push_back(std::move(e));
  }
  ojson doc;
  doc["traceEvents"] = std::move(events);
  doc["displayTimeUnit"] = "ms";
  doc["otherData"] = {{"title", title}, {"makespan_s", ns_to_seconds(timeline.makespan_ns)}};
  return doc.dump(1) + "\n";
}

void write_trace(const std::string& path, const std::vector<SimStage>& stages,
                 const Timeline& timeline, const std::string& title) {
  write_file_atomically(path, trace_json(stages, timeline, title));
}

}  // namespace trainplan::costmodel
