#include "trainplan/planner/plan_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <map>

#include "trainplan/error.hpp"

namespace trainplan::planner {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

std::map<std::string, size_t> index_by_id(const Plan& plan, const std::string& origin) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    if (!index.emplace(plan.stages[i].id, i).second)
      throw InputError(fmt::format("{}: $.stages[{}].id: duplicate stage id \"{}\"", origin, i,
                                   plan.stages[i].id));
  }
  return index;
}

// Edges run from a dependency to the stage that needs it; `init: stage:X` is a dependency too.
Graph build_graph(const Plan& plan, const std::string& origin) {
  const auto index = index_by_id(plan, origin);
  Graph g(plan.stages.size());
  auto known = [&](const std::string& id, size_t stage, const std::string& path) {
    auto it = index.find(id);
    if (it == index.end()) {
      std::string ids;
      for (const auto& [k, v] : index) ids += (ids.empty() ? "" : ", ") + k;
      throw InputError(fmt::format("{}: $.stages[{}].{}: unknown stage \"{}\"; the plan's stages "
                                   "are: {}",
                                   origin, stage, path, id, ids));
    }
    if (it->second == stage)
      throw InputError(fmt::format("{}: $.stages[{}].{}: stage \"{}\" depends on itself", origin,
                                   stage, path, id));
    return it->second;
  };
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& s = plan.stages[i];
    for (size_t d = 0; d < s.depends_on.size(); ++d)
      boost::add_edge(known(s.depends_on[d], i, fmt::format("depends_on[{}]", d)), i, g);
    if (s.init.rfind("stage:", 0) == 0) {
      size_t from = known(s.init.substr(6), i, "init");
      if (std::find(s.depends_on.begin(), s.depends_on.end(), s.init.substr(6)) ==
          s.depends_on.end())
        boost::add_edge(from, i, g);
    }
  }
  return g;
}

// Finds one cycle by depth-first search, for the message.
bool find_cycle(const Graph& g, size_t v, std::vector<int>& state, std::vector<size_t>& stack,
                std::vector<size_t>& cycle) {
  state[v] = 1;
  stack.push_back(v);
  for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
    size_t w = boost::target(*e, g);
    if (state[w] == 1) {
      auto start = std::find(stack.begin(), stack.end(), w);
      cycle.assign(start, stack.end());
      cycle.push_back(w);
      return true;
    }
    if (state[w] == 0 && find_cycle(g, w, state, stack, cycle)) return true;
  }
  stack.pop_back();
  state[v] = 2;
  return false;
}

std::vector<size_t> order_of(const Plan& plan, const Graph& g, const std::string& origin) {
  std::vector<size_t> reversed;
  try {
    boost::topological_sort(g, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    std::vector<int> state(plan.stages.size(), 0);
    std::vector<size_t> stack, cycle;
    for (size_t v = 0; v < plan.stages.size() && cycle.empty(); ++v)
      if (state[v] == 0) find_cycle(g, v, state, stack, cycle);
    std::string names;
    for (size_t v : cycle) names += (names.empty() ? "" : " -> ") + plan.stages[v].id;
    throw InputError(fmt::format("{}: $.stages: the dependencies form a cycle: {}", origin, names));
  }
  return {reversed.rbegin(), reversed.rend()};
}

}  // namespace

void check_stage_graph(const Plan& plan, const std::string& origin) {
  order_of(plan, build_graph(plan, origin), origin);
}

std::vector<size_t> topological_order(const Plan& plan) {
  // Kahn's order with the lowest index first keeps file order among independent stages, so
  // the schedule is deterministic.
  const Graph g = build_graph(plan, "plan");
  order_of(plan, g, "plan");
  std::vector<int> indegree(plan.stages.size(), 0);
  for (auto [e, end] = boost::edges(g); e != end; ++e) ++indegree[boost::target(*e, g)];
  std::vector<size_t> order;
  std::vector<bool> done(plan.stages.size(), false);
  while (order.size() < plan.stages.size()) {
    for (size_t v = 0; v < plan.stages.size(); ++v) {
      if (done[v] || indegree[v] != 0) continue;
      done[v] = true;
      order.push_back(v);
      for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) --indegree[boost::target(*e, g)];
      break;
    }
  }
  return order;
}

void schedule_stages(Plan& plan) {
  const Graph g = build_graph(plan, "plan");
  const int pool = std::max(1, plan.question.gpus);
  // Each GPU's time when it becomes free.
  std::vector<double> free_at(pool, 0.0);
  double makespan = 0;
  for (size_t v : topological_order(plan)) {
    PlanStage& s = plan.stages[v];
    double ready = 0;
    for (size_t u = 0; u < plan.stages.size(); ++u)
      if (boost::edge(u, v, g).second) ready = std::max(ready, plan.stages[u].prediction.end_seconds);
    const int need = std::min(pool, std::max(1, s.gpus));
    // The earliest time a window of `need` consecutive GPUs is free, lowest window first.
    double best_start = 1e300;
    int best_offset = 0;
    for (int offset = 0; offset + need <= pool; ++offset) {
      double start = ready;
      for (int k = offset; k < offset + need; ++k) start = std::max(start, free_at[k]);
      if (start < best_start) {
        best_start = start;
        best_offset = offset;
      }
    }
    s.prediction.start_seconds = best_start;
    s.prediction.end_seconds = best_start + s.prediction.total_seconds;
    s.prediction.gpu_offset = best_offset;
    for (int k = best_offset; k < best_offset + need; ++k) free_at[k] = s.prediction.end_seconds;
    makespan = std::max(makespan, s.prediction.end_seconds);
  }
  plan.summary.makespan_seconds = makespan;
  // One cost model predicts every stage of one model family: their errors move together, so
  // the makespan's likely range is its value scaled by the stages' summed range.
  double total = 0, low = 0, high = 0;
  for (const auto& s : plan.stages) {
    total += s.prediction.total_seconds;
    low += s.prediction.total_seconds_p10;
    high += s.prediction.total_seconds_p90;
  }
  plan.summary.makespan_p10_seconds = total > 0 ? makespan * low / total : makespan;
  plan.summary.makespan_p90_seconds = total > 0 ? makespan * high / total : makespan;
}

std::vector<size_t> critical_path(const Plan& plan) {
  const Graph g = build_graph(plan, "plan");
  const size_t n = plan.stages.size();
  std::vector<double> finish(n, 0);
  std::vector<long> previous(n, -1);
  for (size_t v : topological_order(plan)) {
    double start = 0;
    for (size_t u = 0; u < n; ++u)
      if (boost::edge(u, v, g).second && finish[u] > start) {
        start = finish[u];
        previous[v] = long(u);
      }
    finish[v] = start + plan.stages[v].prediction.total_seconds;
  }
  size_t last = size_t(std::max_element(finish.begin(), finish.end()) - finish.begin());
  std::vector<size_t> path;
  for (long v = long(last); v >= 0; v = previous[v]) path.push_back(size_t(v));
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace trainplan::planner
