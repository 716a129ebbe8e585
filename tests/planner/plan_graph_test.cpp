// The stage graph: topological order, schedule on a GPU pool and critical path, on a small
// hand-made plan with exact durations.
#include <doctest/doctest.h>

#include "trainplan/planner/plan_graph.hpp"

using namespace trainplan::planner;

namespace {

PlanStage stage(const std::string& id, std::vector<std::string> deps, int gpus, double seconds) {
  PlanStage s;
  s.id = id;
  s.kind = "finetune";
  s.depends_on = std::move(deps);
  s.init = "scratch";
  s.gpus = gpus;
  s.prediction.total_seconds = seconds;
  return s;
}

// pretrain (8 GPUs, 100 s) -> two fine-tunes (4 GPUs, 30 s and 50 s) -> merge (8 GPUs, 10 s)
Plan diamond(int pool) {
  Plan p;
  p.question.gpus = pool;
  p.stages = {stage("pretrain", {}, 8, 100), stage("ft-a", {"pretrain"}, 4, 30),
              stage("ft-b", {"pretrain"}, 4, 50), stage("merge", {"ft-a", "ft-b"}, 8, 10)};
  return p;
}

}  // namespace

TEST_CASE("topological order keeps file order among independent stages") {
  Plan p = diamond(8);
  CHECK(topological_order(p) == std::vector<size_t>{0, 1, 2, 3});
}

TEST_CASE("independent stages run at the same time on disjoint GPUs when the pool allows") {
  Plan p = diamond(8);
  schedule_stages(p);
  CHECK(p.stages[1].prediction.start_seconds == 100);
  CHECK(p.stages[2].prediction.start_seconds == 100);
  CHECK(p.stages[1].prediction.gpu_offset == 0);
  CHECK(p.stages[2].prediction.gpu_offset == 4);
  CHECK(p.stages[3].prediction.start_seconds == 150);
  CHECK(p.summary.makespan_seconds == 160);
  // Critical path: pretrain -> ft-b -> merge, 160 s: the makespan when GPUs suffice.
  CHECK(critical_path(p) == std::vector<size_t>{0, 2, 3});
}

TEST_CASE("with too few GPUs independent stages queue") {
  Plan p = diamond(4);  // every stage is clipped to the 4-GPU pool
  schedule_stages(p);
  CHECK(p.stages[1].prediction.start_seconds == 100);
  CHECK(p.stages[2].prediction.start_seconds == 130);
  CHECK(p.summary.makespan_seconds == 190);
}
