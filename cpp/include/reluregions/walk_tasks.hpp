// The walk as independent tasks for other processes and machines (Dask, process pools).
//
// A task is an open node of the walk's tree, serialised exactly: its split rows (doubles, bit for bit),
// their units, sides and error bounds, the partial pattern, and the node's centre, point pool and box.
// Expanding it with a fresh walker gives the same regions, witnesses and statistics in any process,
// so a task is a pure function of its bytes and of the problem (network and domain).
//
// The root is expanded down to kFrontierDepth splits, as the threads do; a task stops expanding once it
// has spent a budget of LP solves and returns its remaining open nodes as new tasks. Both cuts are
// deterministic (no clocks), so the tree of tasks, and the results, do not depend on the executor, the
// number of workers or the order in which tasks finish. With no budget the tasks are the threads' tasks
// and the results those of walk().
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "walk.hpp"

namespace reluregions {

namespace detail {

inline constexpr std::uint32_t kTaskMagic = 0x4b534154;  // "TASK", little-endian
inline constexpr std::uint32_t kTaskVersion = 1;

class TaskWriter {
 public:
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
    bytes.insert(bytes.end(), p, p + v.size() * sizeof(T));
  }
  std::vector<std::uint8_t> bytes;
};

class TaskReader {
 public:
  TaskReader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_vector(std::size_t expected) {
    const auto n = get<std::uint64_t>();
    if (n != expected) throw std::invalid_argument("walk task: an array has the wrong length for this problem");
    need(n * sizeof(T));
    std::vector<T> v(n);
    if (n != 0) std::memcpy(v.data(), p_, n * sizeof(T));
    p_ += n * sizeof(T);
    return v;
  }
  bool done() const { return p_ == end_; }

 private:
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n) throw std::invalid_argument("walk task: truncated bytes");
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace detail

// The bytes of a task (native byte order: every machine of a cluster must share it; x86 and ARM do).
inline std::vector<std::uint8_t> serialize_task(const WalkTask& t) {
  detail::TaskWriter w;
  w.put(detail::kTaskMagic);
  w.put(detail::kTaskVersion);
  w.put(static_cast<std::int32_t>(t.layer));
  w.put(static_cast<std::int32_t>(t.unit));
  w.put(static_cast<std::int32_t>(t.row_units.size()));  // depth
  w.put(static_cast<std::int32_t>(t.center.size()));     // d
  w.put(static_cast<std::int32_t>(t.pool_n));
  w.put(t.center_ok);
  w.put(t.radius);
  w.put_vector(t.pattern);
  w.put_vector(t.rows);
  w.put_vector(t.row_units);
  w.put_vector(t.row_err);
  w.put_vector(t.row_on);
  w.put_vector(t.center);
  w.put_vector(t.pool);
  w.put_vector(t.box_lo);
  w.put_vector(t.box_hi);
  return std::move(w.bytes);
}

// A task from its bytes, checked against the problem: `d` walk dimensions, `words` pattern words, `layers`
// hidden layers of `widths` (`units` in all). Throws std::invalid_argument on bytes that are not such a task.
inline WalkTask deserialize_task(const std::uint8_t* data, std::size_t size, int d, int words,
                                 const std::vector<int>& widths, int units) {
  const int max_depth = units + 2;
  detail::TaskReader r(data, size);
  if (r.get<std::uint32_t>() != detail::kTaskMagic) throw std::invalid_argument("walk task: not a task");
  if (r.get<std::uint32_t>() != detail::kTaskVersion) throw std::invalid_argument("walk task: unknown version");
  WalkTask t;
  t.layer = r.get<std::int32_t>();
  t.unit = r.get<std::int32_t>();
  const int depth = r.get<std::int32_t>();
  const int dim = r.get<std::int32_t>();
  t.pool_n = r.get<std::int32_t>();
  t.center_ok = r.get<char>();
  t.radius = r.get<double>();
  if (dim != d) throw std::invalid_argument("walk task: made for a " + std::to_string(dim) + "-dimensional domain");
  if (t.layer < 0 || t.layer >= static_cast<int>(widths.size()) || t.unit < 0 ||
      t.unit > widths[static_cast<std::size_t>(t.layer)] || depth < 0 || depth > max_depth || t.pool_n < 0 ||
      t.pool_n > detail::Walker::kPool)
    throw std::invalid_argument("walk task: layer, unit, depth or pool out of range for this network");
  const auto ud = static_cast<std::size_t>(d), udepth = static_cast<std::size_t>(depth);
  t.pattern = r.get_vector<std::uint64_t>(static_cast<std::size_t>(words));
  t.rows = r.get_vector<double>(udepth * (ud + 1));
  t.row_units = r.get_vector<std::int32_t>(udepth);
  t.row_err = r.get_vector<double>(udepth);
  t.row_on = r.get_vector<char>(udepth);
  t.center = r.get_vector<double>(ud);
  t.pool = r.get_vector<double>(static_cast<std::size_t>(t.pool_n) * ud);
  t.box_lo = r.get_vector<double>(ud);
  t.box_hi = r.get_vector<double>(ud);
  if (!r.done()) throw std::invalid_argument("walk task: trailing bytes");
  for (const std::int32_t u : t.row_units)
    if (u < 0 || u >= units) throw std::invalid_argument("walk task: a split row names no hidden unit");
  return t;
}

// What a task gives back: its own regions, in depth-first order interleaved with its new tasks (`order`:
// -1 for the next region of `store`, k >= 0 for subtasks[k]), and its statistics.
struct TaskResult {
  WalkStore store;
  WalkStats stats;
  std::vector<std::int64_t> order;
  std::vector<WalkTask> subtasks;
};

// A problem that expands tasks: the exact network and domain, as walk() takes them.
class WalkTaskRunner {
 public:
  WalkTaskRunner(EngineNetwork en, ExactWalkDomain ed, WalkDomain dom)
      : en_(std::move(en)), ed_(std::move(ed)), dom_(std::move(dom)) {
    const Network& net = en_.net;
    if (net.num_hidden_layers() < 1) throw std::invalid_argument("the walk needs at least one hidden layer");
    if (dom_.d != net.input_dim() || ed_.d != dom_.d)
      throw std::invalid_argument("domain and network dimensions differ");
    ceiling_ = magnitude_ceiling(net, dom_.d);
    for (int l = 0; l < net.num_hidden_layers(); ++l) widths_.push_back(net.out_dim(l));
  }

  const EngineNetwork& engine_network() const { return en_; }
  const ExactWalkDomain& exact_domain() const { return ed_; }
  int dim() const { return dom_.d; }

  // Expands the root (`task` null) or a task. The root stops at kFrontierDepth splits; both stop after
  // `work_budget` LP solves (0: never) and hand back their open nodes.
  TaskResult expand(const WalkTask* task, const WalkOptions& opt, std::uint64_t work_budget) const {
    Control ctl;  // no limits: the caller enforces them between tasks
    TaskResult res;
    detail::Walker w(en_, dom_, ed_, ceiling_, ctl, opt, nullptr, false);
    w.set_work_budget(work_budget);
    if (task == nullptr)
      w.run_root(&res.store, &res.subtasks, &res.order, kFrontierDepth);
    else
      w.run_task(*task, &res.store, &res.subtasks, &res.order, -1);
    res.stats = w.stats;
    return res;
  }

  WalkTask parse(const std::uint8_t* data, std::size_t size) const {
    return deserialize_task(data, size, dom_.d, en_.net.layout().words(), widths_, en_.net.layout().units());
  }

 private:
  EngineNetwork en_;
  ExactWalkDomain ed_;
  WalkDomain dom_;
  std::vector<std::vector<double>> ceiling_;
  std::vector<int> widths_;
};

}  // namespace reluregions
