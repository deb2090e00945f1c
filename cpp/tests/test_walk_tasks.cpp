// Unit tests of the walk's serialisable tasks (walk_tasks.hpp), without Python: the tasks' regions,
// concatenated in depth-first order, are walk()'s, with or without the work budget, through bytes.
#include <reluregions/walk_tasks.hpp>

#include <cstdio>
#include <random>

#include "check.hpp"

using namespace reluregions;

namespace {

Network two_layers(int d, int n, std::mt19937_64& g) {
  std::normal_distribution<double> N(0, 1);
  std::vector<double> W0(static_cast<std::size_t>(d * n)), b0(static_cast<std::size_t>(n)),
      W1(static_cast<std::size_t>(n * n)), b1(static_cast<std::size_t>(n)), W2(static_cast<std::size_t>(n)), b2(1, 0.0);
  for (double& x : W0) x = N(g);
  for (double& x : b0) x = 0.3 * N(g);
  for (double& x : W1) x = N(g);
  for (double& x : b1) x = 0.3 * N(g);
  for (double& x : W2) x = N(g);
  return Network({d, n, n, 1}, {W0, W1, W2}, {b0, b1, b2}, {0.0, 0.0});
}

// The tasks' regions in depth-first order: `order` interleaves regions (-1) and subtasks (k).
void expand_all(const WalkTaskRunner& runner, const WalkTask* task, const WalkOptions& opt, std::uint64_t budget,
                bool through_bytes, WalkStore& out, WalkStats& stats, int& tasks) {
  ++tasks;
  TaskResult res = runner.expand(task, opt, budget);
  stats.add(res.stats);
  const auto words = static_cast<std::size_t>(runner.engine_network().net.layout().words());
  const auto d = static_cast<std::size_t>(runner.dim());
  std::size_t r = 0;
  for (const std::int64_t item : res.order) {
    if (item >= 0) {
      const WalkTask& sub = res.subtasks[static_cast<std::size_t>(item)];
      if (through_bytes) {
        const std::vector<std::uint8_t> bytes = serialize_task(sub);
        const WalkTask back = runner.parse(bytes.data(), bytes.size());
        CHECK(serialize_task(back) == bytes);
        expand_all(runner, &back, opt, budget, through_bytes, out, stats, tasks);
      } else {
        expand_all(runner, &sub, opt, budget, through_bytes, out, stats, tasks);
      }
      continue;
    }
    WalkStore one;
    one.count = 1;
    one.patterns.assign(res.store.patterns.begin() + static_cast<std::ptrdiff_t>(r * words),
                        res.store.patterns.begin() + static_cast<std::ptrdiff_t>((r + 1) * words));
    one.witness.assign(res.store.witness.begin() + static_cast<std::ptrdiff_t>(r * d),
                       res.store.witness.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
    out.append(one);
    ++r;
  }
  CHECK(r == res.store.count);
}

}  // namespace

int main() {
  std::mt19937_64 g(7);
  for (int d = 3; d <= 5; ++d) {
    Network net = two_layers(d, 9, g);
    WalkDomain box;
    box.d = d;
    box.lo.assign(static_cast<std::size_t>(d), -1.0);
    box.hi.assign(static_cast<std::size_t>(d), 1.0);
    const ExactWalkDomain ed = exact_walk_domain_of(d, box.lo.data(), box.hi.data(), nullptr, nullptr, 0);
    const WalkDomain dom = float_walk_domain(ed, box.r_cap);
    WalkOptions opt;
    opt.store = true;
    opt.threads = 2;
    WalkStore ref;
    Control ctl;
    const WalkStats ref_stats = walk(EngineNetwork(net), dom, ed, ctl, opt, ref);
    const WalkTaskRunner runner(EngineNetwork(net), ed, dom);
    for (const std::uint64_t budget : {std::uint64_t{0}, std::uint64_t{40}}) {
      for (const bool bytes : {false, true}) {
        WalkStore got;
        WalkStats stats;
        int tasks = 0;
        expand_all(runner, nullptr, opt, budget, bytes, got, stats, tasks);
        CHECK(got.count == ref.count);
        CHECK(got.patterns == ref.patterns);
        if (budget == 0) {  // the threads' tasks: the same witnesses and statistics
          CHECK(got.witness == ref.witness);
          CHECK(stats.lps == ref_stats.lps && stats.pivots == ref_stats.pivots && stats.nodes == ref_stats.nodes);
        } else {
          CHECK(tasks > 20);
        }
      }
    }
  }
  // Bytes that are not a task of this problem are refused.
  {
    Network net = two_layers(3, 4, g);
    WalkDomain box;
    box.d = 3;
    box.lo.assign(3, -1.0);
    box.hi.assign(3, 1.0);
    const ExactWalkDomain ed = exact_walk_domain_of(3, box.lo.data(), box.hi.data(), nullptr, nullptr, 0);
    const WalkTaskRunner runner(EngineNetwork(net), ed, float_walk_domain(ed, box.r_cap));
    WalkOptions opt;
    const TaskResult root = runner.expand(nullptr, opt, 0);
    if (!root.subtasks.empty()) {
      std::vector<std::uint8_t> bytes = serialize_task(root.subtasks[0]);
      bool refused = false;
      try {
        bytes.pop_back();
        (void)runner.parse(bytes.data(), bytes.size());
      } catch (const std::invalid_argument&) {
        refused = true;
      }
      CHECK(refused);
    }
  }
  if (check_failures() == 0) std::printf("walk tasks: ok\n");
  return check_failures() == 0 ? 0 : 1;
}
