// The activation-pattern walk: every activation region of a network on a polytope of R^d, exactly.
//
// Depth first over layers and units. A node is a polytope P (the exact domain intersected with the
// half-spaces of the units that split an ancestor), its partial pattern, the float affine maps of the
// current layer's pre-activations (with a rigorous bound on their error against the exact maps), an
// interior point (the centre of a ball in P, certified strictly inside P exactly when possible) and a
// few points of P seen in LP solutions. A unit z is decided exactly: it is on iff {u in P : z(u) > 0}
// has interior and {z < 0} has not, a split iff both have (a region is any full-dimensional cell,
// however thin). Cheapest first:
//   1. identically zero: the float map within its error bound of zero and the exact map zero: off;
//   2. the node's rigorous bounding box (interval arithmetic with the error bound) shows a sign;
//   3. a side has interior when a point strictly inside P with that sign is found: the centre, a point
//      of the centre's ball beyond z = 0, a point between the centre and a pool point or LP vertex;
//      every such point is checked in floating point with a rigorous error bound;
//   4. a side has no interior when the LP max of s z over P, with its multipliers, gives a Farkas
//      certificate s z <= 0 on P that the error bound verifies;
//   5. otherwise the exact LP in rationals (exact_lp.hpp) on the exact rows decides (counted in
//      stats.exact_decisions).
// Each child gets a centre (see below for how without an LP). Leaves are the activation regions; a leaf's witness is
// checked strictly inside exactly, and repaired from the exact LP's interior point when it is not; a region with no
// float64 point found inside is flagged `thin` (and still counted).
//
// LPs that decide nothing are avoided (issue 10): a child's centre is the ball inscribed in the half of
// the parent's ball on its side, else the decision's witness with the float distance to its nearest
// row as radius (a radius only guides the search for points, each of which is certified); the
// Chebyshev LP runs only when neither is certified inside, and at a stored leaf (witnesses and radii
// are Chebyshev balls). A unit's sign proven by a certificate that only uses an ancestor's rows (and
// box) holds on that ancestor's whole subtree: later nodes of the same layer take it without a decision.
//
// Threads: the top of the tree (down to kFrontierDepth splits) is walked first on the calling thread;
// its open nodes become tasks for the workers, and results are concatenated in depth-first order, so
// they do not depend on the number of threads. Workers never run the Python poll callback: the calling
// thread polls while they run.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "control.hpp"
#include "exact.hpp"
#include "exact_lp.hpp"
#include "exact_walk.hpp"
#include "layer_map.hpp"
#include "lp.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "small_dim.hpp"
#include "tolerances.hpp"

namespace reluregions {

// The float domain in normalized coordinates u (the caller folds x = origin + scale * u into the
// network): lo <= u <= hi (infinite bounds allowed) and A u <= b. The walk's decisions are made on the
// exact domain (ExactWalkDomain); this one is what its LPs see.
struct WalkDomain {
  int d = 0;
  std::vector<double> lo, hi;
  std::vector<double> A, b;                                // rows x d, row-major
  double r_cap = std::numeric_limits<double>::infinity();  // Chebyshev radius cap (finite when unbounded)
  int rows() const { return static_cast<int>(b.size()); }
};

struct WalkStats {
  std::uint64_t nodes = 0;  // unit decisions
  std::uint64_t splits = 0;
  std::uint64_t zero = 0;       // decided as identically zero
  std::uint64_t by_box = 0;     // decided by the bounding box
  std::uint64_t by_points = 0;  // splits proven by points
  std::uint64_t by_row = 0;     // signs proven by the box and one split row (row_bound), without an LP
  std::uint64_t lps = 0;        // decision LPs
  std::uint64_t box_lps = 0;    // bounding-box LPs
  std::uint64_t chebyshev = 0;  // Chebyshev LPs
  std::uint64_t inherited = 0;  // units whose sign was proven on an ancestor (not counted in nodes)
  std::uint64_t pivots = 0;
  std::uint64_t exact_decisions = 0;  // decisions made by the exact fallback (rational LP or zero test)
  std::uint64_t exact_pivots = 0;     // pivots of the rational LPs
  std::uint64_t thin = 0;             // regions without a certified float64 witness
  void add(const WalkStats& o) {
    exact_decisions += o.exact_decisions;
    exact_pivots += o.exact_pivots;
    thin += o.thin;
    nodes += o.nodes;
    splits += o.splits;
    zero += o.zero;
    by_box += o.by_box;
    by_points += o.by_points;
    by_row += o.by_row;
    lps += o.lps;
    box_lps += o.box_lps;
    chebyshev += o.chebyshev;
    inherited += o.inherited;
    pivots += o.pivots;
  }
};

// Regions found by one task, in normalized coordinates.
struct WalkStore {
  std::uint64_t count = 0;
  std::vector<std::uint64_t> patterns;  // count x words
  std::vector<double> witness;          // count x d
  std::vector<double> witness_x;        // count x input dim (input-space frames only): the certified doubles
  std::vector<char> thin;               // count: no float64 point found strictly inside
  std::vector<double> radius;           // count
  std::vector<double> A, c, E;          // count x out x d, count x out, count x out (affine)
  std::vector<double> rows;             // split rows, (d + 1) each: a.u <= b  (H-representation candidates)
  std::vector<std::int32_t> row_units;  // hidden unit (flat index) of each split row
  std::vector<std::int64_t> row_offsets{0};

  void append(const WalkStore& o) {
    count += o.count;
    patterns.insert(patterns.end(), o.patterns.begin(), o.patterns.end());
    witness.insert(witness.end(), o.witness.begin(), o.witness.end());
    witness_x.insert(witness_x.end(), o.witness_x.begin(), o.witness_x.end());
    thin.insert(thin.end(), o.thin.begin(), o.thin.end());
    radius.insert(radius.end(), o.radius.begin(), o.radius.end());
    A.insert(A.end(), o.A.begin(), o.A.end());
    c.insert(c.end(), o.c.begin(), o.c.end());
    E.insert(E.end(), o.E.begin(), o.E.end());
    const std::int64_t base = static_cast<std::int64_t>(row_units.size());
    rows.insert(rows.end(), o.rows.begin(), o.rows.end());
    row_units.insert(row_units.end(), o.row_units.begin(), o.row_units.end());
    for (std::size_t k = 1; k < o.row_offsets.size(); ++k) row_offsets.push_back(base + o.row_offsets[k]);
  }
};

struct WalkOptions {
  int threads = 1;
  bool store = false;   // keep regions (else count only)
  bool affine = false;  // output affine map per region
  bool rows = false;    // split rows per region (for facets and adjacency)
};

// An open node handed to a worker.
struct WalkTask {
  int layer = 0, unit = 0;
  std::vector<std::uint64_t> pattern;
  std::vector<double> rows;
  std::vector<std::int32_t> row_units;
  std::vector<double> row_err;
  std::vector<char> row_on;
  std::vector<double> center, pool, box_lo, box_hi;
  char center_ok = 0;
  double radius = 0.0;
  int pool_n = 0;
};

namespace detail {

struct WalkStopped {};  // unwinds a worker after a partial stop or a cancel

class Walker {
 public:
  static constexpr int kPool = 16;  // points of P kept per node
  // Decision LPs on a node before its exact box (2d LPs): 16 measured best on ACAS Xu N1_1 and He
  // 4-16-16-1 (benchmarks/bench_walk_speed.py; 8 spent 0.6-0.7 box LPs per region for few decisions).
  static constexpr int kLpsBeforeBox = 16;
  // Split rows tried by row_bound, newest first: 2, 4, 6, 8 measured alike on ACAS Xu N1_1 and N3_3
  // (fewer LPs, more tries); most of its proofs use the newest row.
  static constexpr int kBoundRows = 6;

  Walker(const EngineNetwork& en, const WalkDomain& dom, const ExactWalkDomain& ed,
         const std::vector<std::vector<double>>& ceiling, Control& ctl, const WalkOptions& opt,
         const std::atomic<bool>* cancel, bool poll)
      : en_(en),
        net_(en.net),
        dom_(dom),
        ed_(ed),
        ctl_(ctl),
        opt_(opt),
        cancel_(cancel),
        poll_(poll),
        lay_(net_.layout()),
        d_(dom.d),
        H_(net_.num_hidden_layers()),
        lp_(dom.d),
        ceiling_(ceiling) {
    const Network& net = net_;
    const int max_depth = lay_.units() + 2;
    lp_.set_bounds(dom.lo.data(), dom.hi.data());
    for (int k = 0; k < dom.rows(); ++k)
      lp_.add_row(dom.A.data() + static_cast<std::size_t>(k) * d_, dom.b[static_cast<std::size_t>(k)]);
    base_rows_ = lp_.rows();
    lp_.reserve(base_rows_ + max_depth);
    maps_.resize(static_cast<std::size_t>(H_));
    mag_.resize(static_cast<std::size_t>(H_));
    mag_valid_.assign(static_cast<std::size_t>(H_), 0);
    for (int l = 0; l < H_; ++l) {
      maps_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)) * (d_ + 1), 0.0);
      mag_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)), 0.0);
    }
    // Error bounds of the maps' coefficients relative to their magnitude bound when every map is
    // recomputed from the rounded weights (as Layerwise's gamma_fresh); see next_map for updated maps.
    gamma_.assign(static_cast<std::size_t>(std::max(1, H_)), 0.0);
    double g = 2.0 * (d_ + 4) * kEps;
    for (int l = 0; l < H_; ++l) {
      if (l > 0) g += 2.0 * (net.in_dim(l) + 4) * kEps;
      gamma_[static_cast<std::size_t>(l)] = g;
    }
    err_mag_ = gamma_;
    err_ceil_.assign(static_cast<std::size_t>(std::max(1, H_)), 0.0);
    map_gen_.assign(static_cast<std::size_t>(std::max(1, H_)), 0);
    made_from_gen_.assign(static_cast<std::size_t>(std::max(1, H_)), 0);
    map_updates_.assign(static_cast<std::size_t>(std::max(1, H_)), 0);
    bits_stride_ = static_cast<std::size_t>(std::max(1, (net.max_width() + 63) / 64));
    made_from_bits_.assign(static_cast<std::size_t>(std::max(1, H_)) * bits_stride_, 0);
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    const auto ud = static_cast<std::size_t>(d_);
    center_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    center_ok_.assign(static_cast<std::size_t>(max_depth), 0);
    cheb_.assign(static_cast<std::size_t>(max_depth), 0);
    box_from_.assign(static_cast<std::size_t>(max_depth), 0);
    layer_from_.assign(static_cast<std::size_t>(std::max(1, H_)), 0);
    known_stride_ = static_cast<std::size_t>(net.max_width());
    radius_.assign(static_cast<std::size_t>(max_depth), 0.0);
    pool_.assign(static_cast<std::size_t>(max_depth) * kPool * ud, 0.0);
    pool_n_.assign(static_cast<std::size_t>(max_depth), 0);
    rows_.assign(static_cast<std::size_t>(max_depth) * (ud + 1), 0.0);
    row_err_.assign(static_cast<std::size_t>(max_depth), 0.0);
    row_on_.assign(static_cast<std::size_t>(max_depth), 0);
    box_lo_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    box_hi_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    box_exact_.assign(static_cast<std::size_t>(max_depth), 0);
    node_lps_.assign(static_cast<std::size_t>(max_depth), 0);
    row_units_.assign(static_cast<std::size_t>(max_depth), -1);
    x_.assign(ud + 1, 0.0);
    a_.assign(ud + 1, 0.0);
    q_.assign(ud, 0.0);
    slo_.assign(ud, 0.0);
    shi_.assign(ud, 0.0);
    dl_.assign(ud, 0.0);
    side_w_.assign(2 * ud, 0.0);
    ids_.assign(ud, 0);
    mult_row_.assign(ud, 0);
    mult_y_.assign(ud, 0.0);
    ys_.assign(ud, 0.0);
    rsum_.assign(ud, 0.0);
    ssum_.assign(ud, 0.0);
    factor_.assign(static_cast<std::size_t>(net.max_width()), 0.0);
    active_.assign(static_cast<std::size_t>(net.max_width()), 0);
    box_u_.assign(ud, 0.0);
    bp_y_.assign(ud, 0.0);
    bp_w_.assign(ud, 0.0);
    out_.assign(static_cast<std::size_t>(net.output_dim()) * (ud + 1), 0.0);
    out_mag_.assign(static_cast<std::size_t>(net.output_dim()), 0.0);
  }

  // The whole tree from the root; open nodes at `frontier_depth` splits go to `frontier` (if given),
  // and `order` records, in depth-first order, -1 for a region stored in `store` and t >= 0 for task t.
  void run_root(WalkStore* store, std::vector<WalkTask>* frontier, std::vector<std::int64_t>* order,
                int frontier_depth) {
    store_ = store;
    frontier_ = frontier;
    order_ = order;
    frontier_depth_ = frontier_depth;
    reset_row_bound_stats();
    lp_.truncate(base_rows_);
    layout_clear();
    init_first_map();
    std::copy(ed_.box_lo.begin(), ed_.box_lo.end(), box_lo_.begin());
    std::copy(ed_.box_hi.begin(), ed_.box_hi.end(), box_hi_.begin());
    node_lps_[0] = 0;
    pool_n_[0] = 0;
    double r = 0.0;
    const LPStatus st = lp_.chebyshev(dom_.r_cap, center_.data(), &r);
    ++stats.chebyshev;
    cheb_[0] = st == LPStatus::optimal;
    if (st == LPStatus::optimal && r > 0.0) {
      radius_[0] = r;
      center_ok_[0] = inside_float(center_.data(), 0, nullptr) == 1;
    } else {
      radius_[0] = 0.0;
      center_ok_[0] = 0;
    }
    if (!center_ok_[0] && !repair_center(0)) throw std::invalid_argument("the domain has no interior");
    // A domain with rows: its rigorous bounding box (2d LPs with certificates).
    box_exact_[0] = 0;
    if (ed_.m > 0) tighten_box(0);
    box_exact_[0] = 1;
    box_from_[0] = 0;
    visit(0, 0, 0);
    finish_stats();
  }

  // A task's subtree; with `frontier` (and `order`), open nodes at `frontier_depth` splits, or every open
  // node once the work budget is spent (set_work_budget), become new tasks as in run_root.
  void run_task(const WalkTask& t, WalkStore* store, std::vector<WalkTask>* frontier = nullptr,
                std::vector<std::int64_t>* order = nullptr, int frontier_depth = -1) {
    store_ = store;
    frontier_ = frontier;
    order_ = order;
    frontier_depth_ = frontier_depth;
    reset_row_bound_stats();
    const auto ud = static_cast<std::size_t>(d_);
    lp_.truncate(base_rows_);
    const int depth = static_cast<int>(t.row_units.size());
    for (int k = 0; k < depth; ++k) {
      const double* row = t.rows.data() + static_cast<std::size_t>(k) * (ud + 1);
      std::copy_n(row, ud + 1, rows_.data() + static_cast<std::size_t>(k) * (ud + 1));
      row_units_[static_cast<std::size_t>(k)] = t.row_units[static_cast<std::size_t>(k)];
      row_err_[static_cast<std::size_t>(k)] = t.row_err[static_cast<std::size_t>(k)];
      row_on_[static_cast<std::size_t>(k)] = t.row_on[static_cast<std::size_t>(k)];
      lp_.add_row(row, row[ud]);
    }
    std::copy(t.pattern.begin(), t.pattern.end(), pattern_.begin());
    init_first_map();
    for (int l = 0; l < t.layer; ++l) next_map(l);
    std::copy_n(t.center.data(), ud, center_.data() + static_cast<std::size_t>(depth) * ud);
    center_ok_[static_cast<std::size_t>(depth)] = t.center_ok;
    cheb_[static_cast<std::size_t>(depth)] = 0;  // not in the task: the leaves solve their own
    radius_[static_cast<std::size_t>(depth)] = t.radius;
    pool_n_[static_cast<std::size_t>(depth)] = t.pool_n;
    std::copy_n(t.pool.data(), static_cast<std::size_t>(t.pool_n) * ud,
                pool_.data() + static_cast<std::size_t>(depth) * kPool * ud);
    std::copy(t.box_lo.begin(), t.box_lo.end(),
              box_lo_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud));
    std::copy(t.box_hi.begin(), t.box_hi.end(),
              box_hi_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud));
    box_exact_[static_cast<std::size_t>(depth)] = 0;
    box_from_[static_cast<std::size_t>(depth)] = depth;
    node_lps_[static_cast<std::size_t>(depth)] = 0;
    known_.assign(static_cast<std::size_t>(depth + 2) * known_stride_, 0);
    start_layer(t.layer, depth);
    visit(t.layer, t.unit, depth);
    finish_stats();
  }

  // After `lp_solves` LPs (decisions, boxes, centres: a deterministic measure of work), every open node
  // becomes a task (with a frontier): a long task hands its remaining frontier back. 0: no budget.
  void set_work_budget(std::uint64_t lp_solves) { work_budget_ = lp_solves; }

  WalkStats stats;

 private:
  bool over_budget() const { return work_budget_ != 0 && stats.lps + stats.box_lps + stats.chebyshev >= work_budget_; }

  void layout_clear() { std::fill(pattern_.begin(), pattern_.end(), 0); }

  void finish_stats() {
    stats.pivots += static_cast<std::uint64_t>(lp_.pivots());
    lp_.reset_stats();
  }

  double* map_row(int l, int i) {
    return maps_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(i) * (d_ + 1);
  }
  double* center(int depth) { return center_.data() + static_cast<std::size_t>(depth) * static_cast<std::size_t>(d_); }
  const double* split_row(int k) const {
    return rows_.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(d_ + 1);
  }

  void init_first_map() {
    ++map_gen_[0];  // every later map is recomputed from it
    const int n = net_.out_dim(0);
    const double* b = net_.b(0);
    for (int i = 0; i < n; ++i) {
      double* row = map_row(0, i);
      net_.dense_row(0, i, row);
      double m = std::fabs(b[i]);
      for (int k = 0; k < d_; ++k) m += std::fabs(row[k]);
      row[d_] = b[i];
      mag_[0][static_cast<std::size_t>(i)] = m;
    }
    mag_valid_[0] = 1;
  }

  void fill_factors(int l) {
    const double* s = net_.slopes(l);
    for (int i = 0; i < net_.out_dim(l); ++i)
      factor_[static_cast<std::size_t>(i)] = lay_.get(pattern_.data(), l, i) ? 1.0 : s[i];
  }

  // Map of layer l + 1 (or of the output, into out_) from layer l's map and bits.
  void propagate(int l, double* dst) {
    fill_factors(l);
    const int in = net_.out_dim(l), out = net_.out_dim(l + 1);
    const auto cols = static_cast<std::size_t>(d_ + 1);
    const double* W = net_.W(l + 1);
    const double* b = net_.b(l + 1);
    const double* maps = maps_[static_cast<std::size_t>(l)].data();
    // The units that pass anything on (ReLU: the active ones), listed once rather than tested per row.
    int n_act = 0;
    for (int j = 0; j < in; ++j)
      if (factor_[static_cast<std::size_t>(j)] != 0.0) active_[static_cast<std::size_t>(n_act++)] = j;
    if (W && d_ <= 8)  // a row length known at compile time: the same sums, unrolled
      return with_small_dim(d_, [&](auto D) {
        if constexpr (decltype(D)::value > 0) dense_rows<decltype(D)::value + 1>(W, b, in, out, maps, n_act, dst);
      });
    for (int o = 0; o < out; ++o) {
      double* row = dst + static_cast<std::size_t>(o) * cols;
      std::fill(row, row + cols, 0.0);
      auto add = [&](int j, double w) {
        const double f = w * factor_[static_cast<std::size_t>(j)];
        if (f == 0.0) return;
        const double* src = maps + static_cast<std::size_t>(j) * cols;
        for (std::size_t k = 0; k < cols; ++k) row[k] += f * src[k];
      };
      if (W) {
        const double* w = W + static_cast<std::size_t>(o) * in;
        for (int t = 0; t < n_act; ++t) {
          const int j = active_[static_cast<std::size_t>(t)];
          add(j, w[j]);
        }
      } else {
        net_.for_row(l + 1, o, add);
      }
      row[d_] += b[o];
    }
  }

  // propagate's dense rows for d + 1 = C: each row is b + sum over the active units j (in order) of
  // (w_j f_j) map_j, exactly as the general loop sums it.
  template <int C>
  void dense_rows(const double* W, const double* b, int in, int out, const double* maps, int n_act, double* dst) const {
    for (int o = 0; o < out; ++o) {
      double acc[C] = {};
      const double* w = W + static_cast<std::size_t>(o) * static_cast<std::size_t>(in);
      for (int t = 0; t < n_act; ++t) {
        const int j = active_[static_cast<std::size_t>(t)];
        const double f = w[j] * factor_[static_cast<std::size_t>(j)];
        if (f == 0.0) continue;
        const double* src = maps + static_cast<std::size_t>(j) * C;
        for (int k = 0; k < C; ++k) acc[k] += f * src[k];
      }
      acc[C - 1] += b[o];
      std::copy_n(acc, C, dst + static_cast<std::size_t>(o) * C);
    }
  }

  // Map of layer l + 1 under the current pattern. While layer l's map is the one it was last made from,
  // only the units of layer l whose bit changed since then are added or removed (rank-1 updates: on ACAS
  // Xu, a layer's start nodes within one start node of the layer before differ in a few units) while
  // the updates since the last recompute stay within a quarter of layer l's width (so the error bound
  // grows by at most 2 eps of the ceiling per unit of width); else (and with may_update false) recomputed.
  // Errors: a coefficient of layer l's map is within err_mag_[l] of its magnitude bound (mag_) plus
  // err_ceil_[l] of its network-wide ceiling. Recomputed, layer l + 1 adds the rounding of its sums
  // relative to its magnitude (gamma_ step); updated, that rounding (of the sums it was made from, whose
  // magnitude only the ceiling bounds) and at most 8 eps of the ceiling per update (as Layerwise's
  // child_map: the terms and partial sums are bounded by twice the ceiling) go to err_ceil_.
  void next_map(int l, bool may_update = true) {
    const auto ul = static_cast<std::size_t>(l);
    double* dst = maps_[ul + 1].data();
    mag_valid_[ul + 1] = 0;
    ++map_gen_[ul + 1];
    const std::uint64_t* bits = pattern_.data() + lay_.word_offset(l);
    std::uint64_t* made = made_from_bits_.data() + ul * bits_stride_;
    const int words = lay_.layer_words(l), in = net_.out_dim(l);
    const double step = gamma_[ul + 1] - gamma_[ul];
    if (may_update && made_from_gen_[ul + 1] == map_gen_[ul]) {
      int h = 0;
      for (int w = 0; w < words; ++w) h += __builtin_popcountll(bits[w] ^ made[w]);
      int& upd = map_updates_[ul + 1];
      if (4 * h <= in && 4 * (upd + h) <= in) {
        upd += h;
        err_mag_[ul + 1] = err_mag_[ul];
        err_ceil_[ul + 1] = err_ceil_[ul] + step + 8.0 * kEps * upd;
        const int out = net_.out_dim(l + 1);
        const auto cols = static_cast<std::size_t>(d_ + 1);
        const double* maps = maps_[ul].data();
        const double* slopes = net_.slopes(l);
        for (int w = 0; w < words; ++w)
          for (std::uint64_t x = bits[w] ^ made[w]; x != 0; x &= x - 1) {
            const int j = w * 64 + __builtin_ctzll(x);
            const double f = 1.0 - slopes[j];
            const double delta = ((bits[w] >> (j & 63)) & 1u) ? f : -f;
            const double* src = maps + static_cast<std::size_t>(j) * cols;
            auto add = [&](int o, double wo) {  // the same operations for either storage of the weights
              const double c = wo * delta;
              if (c == 0.0) return;
              double* row = dst + static_cast<std::size_t>(o) * cols;
              for (std::size_t k = 0; k < cols; ++k) row[k] += c * src[k];
            };
            if (const double* Wt = net_.Wt(l + 1)) {
              const double* wcol = Wt + static_cast<std::size_t>(j) * static_cast<std::size_t>(out);
              for (int o = 0; o < out; ++o) add(o, wcol[o]);
            } else {
              const SparseLines& c = net_.cols(l + 1);
              for (std::size_t at = c.ptr[static_cast<std::size_t>(j)]; at < c.ptr[static_cast<std::size_t>(j) + 1];
                   ++at)
                add(c.idx[at], c.val[at]);
            }
          }
        std::copy_n(bits, words, made);
        return;
      }
    }
    propagate(l, dst);
    made_from_gen_[ul + 1] = map_gen_[ul];
    map_updates_[ul + 1] = 0;
    err_mag_[ul + 1] = err_mag_[ul] + step;
    err_ceil_[ul + 1] = err_ceil_[ul];
    std::copy_n(bits, words, made);
  }

  // Magnitude bound of layer l + 1's terms (into dst) from layer l's bound and bits.
  void propagate_mag(int l, double* dst) {
    ensure_mag(l);
    fill_factors(l);
    const int in = net_.out_dim(l), out = net_.out_dim(l + 1);
    const double* W = net_.W(l + 1);
    const double* b = net_.b(l + 1);
    const double* m = mag_[static_cast<std::size_t>(l)].data();
    for (int o = 0; o < out; ++o) {
      double acc = std::fabs(b[o]);
      if (W) {
        const double* w = W + static_cast<std::size_t>(o) * in;
        for (int j = 0; j < in; ++j) acc += std::fabs(w[j] * factor_[static_cast<std::size_t>(j)]) * m[j];
      } else {
        net_.for_row(l + 1, o,
                     [&](int j, double w) { acc += std::fabs(w * factor_[static_cast<std::size_t>(j)]) * m[j]; });
      }
      dst[o] = acc;
    }
  }

  void ensure_mag(int l) {
    if (mag_valid_[static_cast<std::size_t>(l)]) return;
    propagate_mag(l - 1, mag_[static_cast<std::size_t>(l)].data());
    mag_valid_[static_cast<std::size_t>(l)] = 1;
  }

  // Bound on the error of each float coefficient of unit i's map at layer l against the exact map.
  // Maps of layers up to l that were updated are recomputed first, since an update's bound grows with
  // the network-wide ceiling (the row of unit i may change in its last bits: callers read it after).
  double unit_err(int l, int i) {
    if (err_ceil_[static_cast<std::size_t>(l)] > 0.0) {
      int first = l;
      while (first > 1 && err_ceil_[static_cast<std::size_t>(first) - 1] > 0.0) --first;
      for (int k = first; k <= l; ++k) next_map(k - 1, false);
    }
    ensure_mag(l);
    const auto ul = static_cast<std::size_t>(l);
    return err_mag_[ul] * mag_[ul][static_cast<std::size_t>(i)] * 1.01 + kTiny;
  }

  // unit_err from the network-wide ceiling alone (no per-node magnitude): free.
  double ceiling_err(int l, int i) const {
    const auto ul = static_cast<std::size_t>(l);
    return (err_mag_[ul] + err_ceil_[ul]) * ceiling_[ul][static_cast<std::size_t>(i)] * 1.01 + kTiny;
  }

  double value(const double* row, const double* u) const {
    double v = row[d_];
    for (int k = 0; k < d_; ++k) v += row[k] * u[k];
    return v;
  }

  // Certified sign of an exact affine function at a point from its float row (coefficients, then the
  // constant; `rhs`: the last entry is a right-hand side b, the function a.u - b). `e` bounds every
  // coefficient's error; u is within delta[k] of the exact point (delta null: u is the point).
  // 0 when floating point cannot tell.
  int cert_sign(const double* row, double e, const double* u, bool rhs, const double* delta) const {
    double v = rhs ? -row[d_] : row[d_], terms = std::fabs(v), usum = 1.0, dl = 0.0;
    for (int k = 0; k < d_; ++k) {
      const double p = row[k] * u[k];
      v += p;
      terms += std::fabs(p);
      usum += std::fabs(u[k]);
      if (delta) dl += (std::fabs(row[k]) + e) * delta[k];
    }
    const double bound = (e * usum + (d_ + 2) * kEps * terms + dl) * 1.01 + (d_ + 2) * kTiny;
    if (!std::isfinite(v) || !std::isfinite(bound)) return 0;
    if (v > bound) return 1;
    if (v < -bound) return -1;
    return 0;
  }

  // Is u strictly inside the node at `depth` (the exact domain and the split rows above it)? 1: yes,
  // certainly; -1: certainly not; 0: floating point cannot tell.
  int inside_float(const double* u, int depth, const double* delta) const {
    int res = 1;
    for (int k = 0; k < d_; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      const double dk = delta ? 2.0 * delta[k] : 0.0;
      if (ed_.has_lo[uk]) {
        const double v = u[k] - dk, lu = ed_.lo_up[uk];
        const bool in = v > lu || (v == lu && ed_.lo_up_above[uk] && dk == 0.0);
        if (!in) {
          if (u[k] + dk < lu) return -1;
          res = 0;
        }
      }
      if (ed_.has_hi[uk]) {
        const double v = u[k] + dk, hd = ed_.hi_dn[uk];
        const bool in = v < hd || (v == hd && ed_.hi_dn_below[uk] && dk == 0.0);
        if (!in) {
          if (u[k] - dk > hd) return -1;
          res = 0;
        }
      }
    }
    const auto cols = static_cast<std::size_t>(d_ + 1);
    for (int j = 0; j < ed_.m; ++j) {
      const int s = cert_sign(ed_.rows_f.data() + static_cast<std::size_t>(j) * cols,
                              ed_.rows_err[static_cast<std::size_t>(j)], u, true, delta);
      if (s > 0) return -1;
      if (s == 0) res = 0;
    }
    for (int k = 0; k < depth; ++k) {
      const int s = cert_sign(split_row(k), row_err_[static_cast<std::size_t>(k)], u, true, delta);
      if (s > 0) return -1;
      if (s == 0) res = 0;
    }
    return res;
  }

  // The exact maps (built when a decision first needs them).
  ExactMaps& xm() {
    if (!xm_) xm_ = std::make_unique<ExactMaps>(en_, lay_);
    return *xm_;
  }

  // The exact map of the unit carrying split row k, on the current path.
  const Rational* exact_split(int k) {
    int l = 0, i = 0;
    lay_.locate(row_units_[static_cast<std::size_t>(k)], l, i);
    return xm().row(l, i, pattern_.data());
  }

  // The exact point is strictly inside the node at `depth` (exactly).
  // With `closed`: in the closed node (every constraint with equality allowed).
  bool inside_exact(const Rational* u, int depth, bool closed = false) {
    // sign(v) as the constraint needs it: v < 0 (v <= 0 when closed)
    auto below = [closed](const Rational& v) { return closed ? v <= 0 : v < 0; };
    for (int k = 0; k < d_; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (ed_.has_lo[uk] && !below(ed_.lo[uk] - u[k])) return false;
      if (ed_.has_hi[uk] && !below(u[k] - ed_.hi[uk])) return false;
    }
    const auto cols = static_cast<std::size_t>(d_ + 1);
    for (int j = 0; j < ed_.m; ++j) {
      const Rational* a = ed_.rows.data() + static_cast<std::size_t>(j) * cols;
      Rational v = -a[d_];
      for (int k = 0; k < d_; ++k)
        if (a[k] != 0) v += a[k] * u[k];
      if (!below(v)) return false;
    }
    for (int k = 0; k < depth; ++k) {
      const Rational v = exact_value(exact_split(k), u, d_);
      if (!below(row_on_[static_cast<std::size_t>(k)] ? Rational(-v) : v)) return false;
    }
    return true;
  }

  // The exact rows (a, b: a.u <= b) of the node at `depth`: bounds, domain rows, split rows.
  void exact_rows(int depth, std::vector<Rational>& rows, int& m) {
    const auto cols = static_cast<std::size_t>(d_ + 1);
    rows.clear();
    m = 0;
    for (int k = 0; k < d_; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      for (int side = 0; side < 2; ++side) {
        if (side == 0 ? !ed_.has_lo[uk] : !ed_.has_hi[uk]) continue;
        const std::size_t at = rows.size();
        rows.resize(at + cols);
        rows[at + uk] = side == 0 ? -1 : 1;
        rows[at + static_cast<std::size_t>(d_)] = side == 0 ? Rational(-ed_.lo[uk]) : ed_.hi[uk];
        ++m;
      }
    }
    rows.insert(rows.end(), ed_.rows.begin(), ed_.rows.end());
    m += ed_.m;
    for (int k = 0; k < depth; ++k) {
      const Rational* r = exact_split(k);
      const bool on = row_on_[static_cast<std::size_t>(k)];
      // on: z >= 0  <=>  -g.u <= c ; off: z <= 0  <=>  g.u <= -c
      for (int j = 0; j < d_; ++j) rows.push_back(on ? Rational(-r[j]) : r[j]);
      rows.push_back(on ? r[d_] : Rational(-r[d_]));
      ++m;
    }
  }

  // Is unit (l, i) identically zero on the node, exactly? Only asked when its float map is within its
  // error bound of zero.
  bool exact_zero(int l, int i) {
    if (structurally_zero(l, i)) return true;
    ++stats.exact_decisions;
    const Rational* row = xm().row(l, i, pattern_.data());
    for (int k = 0; k <= d_; ++k)
      if (row[k] != 0) return false;
    return true;
  }

  // Zero by structure: no rationals needed (see EngineNetwork::structurally_zero).
  bool structurally_zero(int l, int i) const { return en_.structurally_zero(l, i, pattern_.data(), lay_); }

  void checkpoint() {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw WalkStopped{};
    if (poll_)
      ctl_.checkpoint(0);
    else
      ctl_.check_limits(ticks_);
    if (ctl_.stopped()) throw WalkStopped{};
  }

  enum Decision { kOff = 0, kOn = 1, kSplit = 2, kUnknown = 3 };

  // Decides unit (l, i) with float map `row` (error ez per coefficient, gradient norm gn) on the node at
  // `depth`, exactly: on iff {z > 0} has interior in P and {z < 0} has not; a split iff both have.
  // On a split, side_w_ / side_ok_ hold a point strictly inside each side when one was found.
  // With `exact` false (the first tier, with the network-wide error bound), returns kUnknown instead of
  // using rationals; the caller then decides again with the node's tight bound and `exact` true.
  Decision decide(int l, int i, const double* row, double ez, double gn, int depth, bool exact) {
    side_ok_[0] = side_ok_[1] = 0;
    // 1. the node's rigorous box (inherited; made exact by 2d LPs when it does not decide)
    for (int pass = 0; pass < 2; ++pass) {
      double lo = 0.0, hi = 0.0;
      box_range(row, ez, depth, lo, hi);
      if (lo > 0.0 || hi < 0.0) {
        ++stats.by_box;
        valid_from_ = box_from_[static_cast<std::size_t>(depth)];
        return lo > 0.0 ? kOn : kOff;
      }
      if (pass == 1 || box_exact_[static_cast<std::size_t>(depth)] ||
          node_lps_[static_cast<std::size_t>(depth)] < kLpsBeforeBox || !tighten_box(depth))
        break;
    }
    // 2. the centre's side, then the other side
    const double* c = center(depth);
    const int sc = center_ok_[static_cast<std::size_t>(depth)] ? cert_sign(row, ez, c, false, nullptr) : 0;
    if (sc != 0) {
      std::copy_n(c, d_, side_w_.data() + (sc > 0 ? d_ : 0));
      side_ok_[sc > 0] = 1;
      const int other = side_interior(l, i, row, ez, gn, -sc, depth, exact);
      if (other < 0) return kUnknown;
      if (other) return kSplit;
      valid_from_ = empty_from_;
      return sc > 0 ? kOn : kOff;
    }
    const int pos = side_interior(l, i, row, ez, gn, 1, depth, exact);
    if (pos < 0) return kUnknown;
    const int pos_from = empty_from_;
    const int neg = side_interior(l, i, row, ez, gn, -1, depth, exact);
    if (neg < 0) return kUnknown;
    if (pos && neg) return kSplit;
    valid_from_ = pos ? empty_from_ : neg ? pos_from : std::max(pos_from, empty_from_);
    return pos ? kOn : kOff;  // neither: z is identically zero on P (off)
  }

  // Tries q as a point strictly inside P with s z(q) > 0 (certified in floating point).
  bool try_point(const double* row, double ez, int s, const double* q, int depth) {
    if (cert_sign(row, ez, q, false, nullptr) != s) return false;
    if (inside_float(q, depth, nullptr) != 1) return false;
    std::copy_n(q, d_, side_w_.data() + (s > 0 ? d_ : 0));
    side_ok_[s > 0] = 1;
    return true;
  }

  // q = c + tau (p - c) with tau past the crossing of z's zero (c strictly inside P, p in P, s z(p) > 0):
  // the fraction `f` of the way from the crossing to p.
  bool try_towards(const double* row, double ez, int s, const double* p, int depth, double f = 0.5) {
    const double* c = center(depth);
    const double vc = s * value(row, c), vp = s * value(row, p);
    if (!(vp > 0.0) || !(vp > vc)) return false;
    const double t0 = vc < 0.0 ? -vc / (vp - vc) : 0.0;
    const double tau = t0 + f * (1.0 - t0);
    for (int k = 0; k < d_; ++k) q_[static_cast<std::size_t>(k)] = c[k] + tau * (p[k] - c[k]);
    return try_point(row, ez, s, q_.data(), depth);
  }

  // Does {u in P : s z(u) > 0} have interior? Points strictly inside (certified) say yes, a dual
  // certificate from the LP says no; otherwise the exact LP decides.
  // 1 yes, 0 no, -1 unknown (only when `exact` is false: rationals would be needed).
  int side_interior(int l, int i, const double* row, double ez, double gn, int s, int depth, bool exact) {
    const bool cok = center_ok_[static_cast<std::size_t>(depth)];
    const double* c = center(depth);
    if (cok && gn > 0.0) {
      const double vc = s * value(row, c);
      const double r = radius_[static_cast<std::size_t>(depth)];
      // The centre's ball crosses the hyperplane: a point of the ball beyond it.
      if (r > 0.0 && vc < 0.0 && vc > -r * gn) {
        const double dd = (-vc / gn + r) * 0.5;
        for (int k = 0; k < d_; ++k) q_[static_cast<std::size_t>(k)] = c[k] + s * row[k] / gn * dd;
        if (try_point(row, ez, s, q_.data(), depth)) {
          ++stats.by_points;
          return true;
        }
      }
      // The pool point furthest on this side.
      const double* pool = pool_.data() + static_cast<std::size_t>(depth) * kPool * static_cast<std::size_t>(d_);
      const double* best = nullptr;
      double bv = 0.0;
      for (int p = 0; p < pool_n_[static_cast<std::size_t>(depth)]; ++p) {
        const double* x = pool + static_cast<std::size_t>(p) * static_cast<std::size_t>(d_);
        const double v = s * value(row, x);
        if (v > bv) {
          bv = v;
          best = x;
        }
      }
      if (best && try_towards(row, ez, s, best, depth)) {
        ++stats.by_points;
        return true;
      }
    }
    if (row_bound(l, row, ez, s, depth)) {
      ++stats.by_row;
      return false;
    }
    // The LP: max s z over P.
    ++node_lps_[static_cast<std::size_t>(depth)];
    ++stats.lps;
    for (int k = 0; k < d_; ++k) a_[static_cast<std::size_t>(k)] = s * row[k];
    double val = 0.0;
    const LPStatus st = lp_.maximize(a_.data(), x_.data(), &val);
    if (st == LPStatus::unbounded && cok && bounded_search(depth)) {
      // P reaches arbitrarily far on this side: a vertex of P within a large box around the centre.
      const LPStatus st2 = lp_.maximize(a_.data(), x_.data(), &val);
      lp_.set_bounds(dom_.lo.data(), dom_.hi.data());
      if (st2 == LPStatus::optimal && val + s * row[d_] > 0.0 && try_towards(row, ez, s, x_.data(), depth)) return true;
      lp_.maximize(a_.data(), x_.data(), &val);  // back to the node's own LP (for the multipliers below)
    }
    if (st == LPStatus::optimal) {
      add_to_pool(depth);
      const double reach = val + s * row[d_];
      if (reach > 0.0 && cok && try_towards(row, ez, s, x_.data(), depth)) return true;
      // Points nearer the vertex or the crossing before rationals (the midpoint may sit on a facet).
      if (reach > 0.0 && cok)
        for (const double f : {0.9, 0.1, 0.99, 0.01})
          if (try_towards(row, ez, s, x_.data(), depth, f)) return true;
      const double ub = certified_max(a_.data(), s * row[d_], ez, depth);
      if (ub <= 0.0) {
        // The certificate holds on the ancestor whose rows it uses (checked again with its box).
        const int from = std::max(cert_from_, layer_from_[static_cast<std::size_t>(l)]);
        empty_from_ = from < depth && certified_max(a_.data(), s * row[d_], ez, from) <= 0.0 ? from : depth;
        return false;
      }
      // The LP's basis re-solved in rationals, before a rational LP: its multipliers (s g = sum y_j a_j
      // exactly, y >= 0, sum y_j b_j + s c <= 0: no interior), else its vertex (in the closed node with
      // s z > 0: interior, the node being full-dimensional).
      if (!exact) return -1;
      ++stats.exact_decisions;
      const Rational* zp = xm().row(l, i, pattern_.data());
      std::vector<Rational> g(static_cast<std::size_t>(d_) + 1);
      for (int k = 0; k <= d_; ++k) g[static_cast<std::size_t>(k)] = s > 0 ? zp[k] : Rational(-zp[k]);
      Rational bound;
      empty_from_ = depth;
      if (basis_certificate(g.data(), bound) && bound + g[static_cast<std::size_t>(d_)] <= 0) return false;
      if (basis_vertex_on_side(g.data(), depth)) return true;
      --stats.exact_decisions;  // counted once below
    }
    if (!exact) return -1;
    empty_from_ = depth;
    return exact_side(l, i, s, depth);
  }

  // No interior on side s, proven without an LP: for one of the node's last kBoundRows split rows
  // a.u <= b, the Lagrangian bound  max s z <= min over y >= 0 of [s c + y b + max over the node's box of
  // (s g - y a).u]  (convex and piecewise linear in y: minimised by walking its breakpoints), certified as
  // certified_max does. Decides most of the stable units the box cannot (on ACAS Xu, 2 LPs in 3).
  bool row_bound(int l, const double* row, double ez, int s, int depth) {
    // In a layer where it seldom decides (e.g. wide shallow nets), tried on every 8th call only. The
    // counts restart with each task, so results do not depend on how tasks are shared among threads.
    RowBoundStats& rs = row_bound_stats_[static_cast<std::size_t>(l)];
    ++rs.calls;
    if (rs.tries >= 16 && rs.wins * 16 < rs.tries && (rs.calls & 7) != 0) return false;
    if (++rs.tries == 256) {  // recent tries weigh more
      rs.tries /= 2;
      rs.wins /= 2;
    }
    const auto ud = static_cast<std::size_t>(d_);
    const double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    for (std::size_t k = 0; k < ud; ++k)
      if (!std::isfinite(bl[k]) || !std::isfinite(bh[k])) return false;
    double* g = a_.data();
    for (std::size_t k = 0; k < ud; ++k) g[k] = s * row[k];
    const double cst = s * row[d_];
    for (int j = depth - 1; j >= std::max(0, depth - kBoundRows); --j) {
      const double* a = split_row(j);
      // The slope at y = 0+ (must be negative: at y = 0 the bound is the box's, which did not decide)
      // and the breakpoints y_k = g_k / a_k > 0, where the slope grows by |a_k| (bh_k - bl_k).
      double slope = a[d_];
      for (std::size_t k = 0; k < ud; ++k) {
        const bool pos = g[k] > 0.0 || (g[k] == 0.0 && a[k] < 0.0);  // sign of g_k - y a_k just above 0
        slope -= a[k] * (pos ? bh[k] : bl[k]);
      }
      if (!(slope < 0.0)) continue;
      int nb = 0;
      for (std::size_t k = 0; k < ud; ++k) {
        const double ak = a[k];
        if (ak == 0.0) continue;
        const double y = g[k] / ak;
        if (!(y > 0.0)) continue;
        int at = nb++;  // insertion sort by y
        for (; at > 0 && bp_y_[static_cast<std::size_t>(at - 1)] > y; --at) {
          bp_y_[static_cast<std::size_t>(at)] = bp_y_[static_cast<std::size_t>(at - 1)];
          bp_w_[static_cast<std::size_t>(at)] = bp_w_[static_cast<std::size_t>(at - 1)];
        }
        bp_y_[static_cast<std::size_t>(at)] = y;
        bp_w_[static_cast<std::size_t>(at)] = std::fabs(ak) * (bh[k] - bl[k]);
      }
      if (nb == 0) continue;
      double y = 0.0;
      for (int t = 0; t < nb && slope < 0.0; ++t) {
        y = bp_y_[static_cast<std::size_t>(t)];
        slope += bp_w_[static_cast<std::size_t>(t)];
      }
      double v = cst + y * a[d_];
      for (std::size_t k = 0; k < ud; ++k) {
        const double r = g[k] - y * a[k];
        v += std::max(r * bl[k], r * bh[k]);
      }
      if (!(v < 0.0)) continue;
      mult_row_[0] = base_rows_ + j;
      mult_y_[0] = y;
      if (certified_bound(g, cst, ez, depth, 1) <= 0.0) {
        // holds on the nodes with row j and this node's box
        empty_from_ =
            std::max({j + 1, box_from_[static_cast<std::size_t>(depth)], layer_from_[static_cast<std::size_t>(l)]});
        ++rs.wins;
        return true;
      }
    }
    return false;
  }

  // Sets the LP's bounds to the domain's, within a large box around the node's centre (restore them
  // with lp_.set_bounds(dom_.lo, dom_.hi)). False when that box would not be finite.
  bool bounded_search(int depth) {
    const double* c = center(depth);
    double cmax = 0.0;
    for (int k = 0; k < d_; ++k) cmax = std::max(cmax, std::fabs(c[k]));
    const double R = 1e4 * (1.0 + cmax);
    if (!std::isfinite(R)) return false;
    for (int k = 0; k < d_; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      slo_[uk] = std::max(dom_.lo[uk], c[k] - R);
      shi_[uk] = std::min(dom_.hi[uk], c[k] + R);
    }
    lp_.set_bounds(slo_.data(), shi_.data());
    return true;
  }

  // A rigorous upper bound of the exact function (obj, cst) (float, error e per coefficient) over the
  // exact node at `depth`, from the multipliers of the LP just solved for obj: for y >= 0 on rows
  // a_j.u <= b_j, obj.u + cst <= cst + sum y_j b_j + max over the node's box of (obj - sum y_j a_j).u,
  // plus the rounding and the rows' errors. +inf when it cannot be bounded (an unbounded box).
  double certified_max(const double* obj, double cst, double e, int depth) {
    lp_.multipliers(obj, ids_.data(), ys_.data());
    int n = 0;
    for (int k = 0; k < d_; ++k) {
      const int id = ids_[static_cast<std::size_t>(k)];
      if (id < 2 * d_) continue;  // free slot or a bound: the box takes care of bounds
      const int ri = id - 2 * d_;
      const double nrm = lp_.row_norm(ri);
      const double yk = ys_[static_cast<std::size_t>(k)];
      if (!(yk > 0.0) || !(nrm > 0.0)) continue;
      mult_row_[static_cast<std::size_t>(n)] = ri;
      mult_y_[static_cast<std::size_t>(n)] = yk / nrm;
      ++n;
    }
    return certified_bound(obj, cst, e, depth, n);
  }

  // As certified_max, with the multipliers given: mult_y_[j] >= 0 on the (unnormalized) LP row
  // mult_row_[j], j < n.
  double certified_bound(const double* obj, double cst, double e, int depth, int n) {
    const auto ud = static_cast<std::size_t>(d_);
    const auto cols = ud + 1;
    for (int k = 0; k < d_; ++k) {
      rsum_[static_cast<std::size_t>(k)] = obj[k];
      ssum_[static_cast<std::size_t>(k)] = std::fabs(obj[k]);
    }
    double rhs = cst, rabs = std::fabs(cst), eacc = e;
    int active = 0;
    cert_from_ = 0;
    for (int k = 0; k < n; ++k) {
      const int ri = mult_row_[static_cast<std::size_t>(k)];
      const double y = mult_y_[static_cast<std::size_t>(k)];
      const double* a;
      double re;
      if (ri < base_rows_) {
        a = ed_.rows_f.data() + static_cast<std::size_t>(ri) * cols;
        re = ed_.rows_err[static_cast<std::size_t>(ri)];
      } else {
        a = split_row(ri - base_rows_);
        re = row_err_[static_cast<std::size_t>(ri - base_rows_)];
        cert_from_ = std::max(cert_from_, ri - base_rows_ + 1);
      }
      for (int j = 0; j < d_; ++j) {
        const double t = y * a[j];
        rsum_[static_cast<std::size_t>(j)] -= t;
        ssum_[static_cast<std::size_t>(j)] += std::fabs(t);
      }
      rhs += y * a[d_];
      rabs += std::fabs(y * a[d_]);
      eacc += y * re;
      ++active;
    }
    const double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    double sum = rhs, U1 = 0.0, S = 0.0;
    for (int k = 0; k < d_; ++k) {
      const double U = std::max(std::fabs(bl[k]), std::fabs(bh[k]));
      if (!std::isfinite(U)) return std::numeric_limits<double>::infinity();
      const double r = rsum_[static_cast<std::size_t>(k)];
      sum += r > 0.0 ? r * bh[k] : r * bl[k];
      U1 += U;
      S += ssum_[static_cast<std::size_t>(k)] * U;
    }
    const double F = 2.0 * (active + d_ + 4) * kEps;
    const double err = (F * (S + rabs + std::fabs(sum)) + eacc * (1.0 + U1)) * 1.01 + (active + d_ + 4) * kTiny;
    const double ub = sum + err;
    return std::isfinite(ub) ? ub : std::numeric_limits<double>::infinity();
  }

  // The LP's basis re-solved exactly: y >= 0 with sum_j y_j a_j = g exactly over the basis' constraints
  // (exact rows of the node), so that g.u <= sum_j y_j b_j on P. Call after lp_.multipliers (ids_).
  // Writes that bound; false when the basis gives no such y.
  bool basis_certificate(const Rational* g, Rational& bound) {
    const auto ud = static_cast<std::size_t>(d_);
    const auto cols = ud + 1;
    const int n = basis_rows();
    const std::vector<Rational>& M = brows_;
    if (n == 0) {
      for (int j = 0; j < d_; ++j)
        if (g[j] != 0) return false;
      bound = 0;
      return true;
    }
    // Solve sum_j y_j a_j = g: d equations, n unknowns (Gauss-Jordan on the augmented d x (n + 1)).
    std::vector<std::vector<Rational>> S(ud, std::vector<Rational>(static_cast<std::size_t>(n) + 1));
    for (int i = 0; i < d_; ++i) {
      for (int j = 0; j < n; ++j)
        S[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
            M[static_cast<std::size_t>(j) * cols + static_cast<std::size_t>(i)];
      S[static_cast<std::size_t>(i)][static_cast<std::size_t>(n)] = g[i];
    }
    std::vector<int> pc;
    int r = 0;
    for (int c = 0; c < n && r < d_; ++c) {
      int p = -1;
      for (int i = r; i < d_ && p < 0; ++i)
        if (S[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)] != 0) p = i;
      if (p < 0) continue;
      std::swap(S[static_cast<std::size_t>(p)], S[static_cast<std::size_t>(r)]);
      const Rational pv = S[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
      for (auto& v : S[static_cast<std::size_t>(r)])
        if (v != 0) v /= pv;
      for (int i = 0; i < d_; ++i) {
        if (i == r) continue;
        const Rational f = S[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)];
        if (f == 0) continue;
        for (int q = 0; q <= n; ++q)
          if (S[static_cast<std::size_t>(r)][static_cast<std::size_t>(q)] != 0)
            S[static_cast<std::size_t>(i)][static_cast<std::size_t>(q)] -=
                f * S[static_cast<std::size_t>(r)][static_cast<std::size_t>(q)];
      }
      pc.push_back(c);
      ++r;
    }
    for (int i = r; i < d_; ++i)
      if (S[static_cast<std::size_t>(i)][static_cast<std::size_t>(n)] != 0) return false;  // inconsistent
    Rational b = 0;
    for (int k = 0; k < r; ++k) {
      const Rational& y = S[static_cast<std::size_t>(k)][static_cast<std::size_t>(n)];
      if (y < 0) return false;
      if (y != 0) b += y * M[static_cast<std::size_t>(pc[static_cast<std::size_t>(k)]) * cols + ud];
    }
    bound = b;
    return true;
  }

  // The exact rows a_j.u <= b_j of the last LP's basis (its bound and row slots; free slots and
  // infinite bounds left out) into brows_ (d + 1 entries each); returns their number.
  int basis_rows() {
    const auto ud = static_cast<std::size_t>(d_);
    const auto cols = ud + 1;
    std::vector<Rational>& M = brows_;
    M.clear();
    int n = 0;
    for (int k = 0; k < d_; ++k) {
      const int id = ids_[static_cast<std::size_t>(k)];
      if (id < 0) continue;
      if (id < 2 * d_) {
        const int v = id >> 1;
        const bool upper = (id & 1) == 0;
        if (upper ? !ed_.has_hi[static_cast<std::size_t>(v)] : !ed_.has_lo[static_cast<std::size_t>(v)]) continue;
        const std::size_t at = M.size();
        M.resize(at + cols);
        M[at + static_cast<std::size_t>(v)] = upper ? 1 : -1;
        M[at + ud] = upper ? ed_.hi[static_cast<std::size_t>(v)] : Rational(-ed_.lo[static_cast<std::size_t>(v)]);
      } else {
        const int ri = id - 2 * d_;
        if (ri < base_rows_) {
          const Rational* r = ed_.rows.data() + static_cast<std::size_t>(ri) * cols;
          M.insert(M.end(), r, r + cols);
        } else {
          const int sk = ri - base_rows_;
          const Rational* r = exact_split(sk);
          const bool on = row_on_[static_cast<std::size_t>(sk)];
          for (int j = 0; j < d_; ++j) M.push_back(on ? Rational(-r[j]) : r[j]);
          M.push_back(on ? r[d_] : Rational(-r[d_]));
        }
      }
      ++n;
    }
    return n;
  }

  // The vertex of the LP's basis (d constraints active), exactly: is it in the closed node with
  // g.u + g_d > 0? Call after lp_.multipliers (ids_).
  bool basis_vertex_on_side(const Rational* g, int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    const auto cols = ud + 1;
    if (basis_rows() != d_) return false;
    std::vector<std::vector<Rational>> S(ud, std::vector<Rational>(cols));
    for (std::size_t i = 0; i < ud; ++i)
      for (std::size_t j = 0; j < cols; ++j) S[i][j] = brows_[i * cols + j];
    for (std::size_t c = 0; c < ud; ++c) {  // Gauss-Jordan on [A_B | b_B]
      std::size_t p = c;
      while (p < ud && S[p][c] == 0) ++p;
      if (p == ud) return false;  // singular
      std::swap(S[p], S[c]);
      const Rational pv = S[c][c];
      for (auto& v : S[c])
        if (v != 0) v /= pv;
      for (std::size_t i = 0; i < ud; ++i) {
        if (i == c || S[i][c] == 0) continue;
        const Rational f = S[i][c];
        for (std::size_t q = c; q < cols; ++q)
          if (S[c][q] != 0) S[i][q] -= f * S[c][q];
      }
    }
    std::vector<Rational> x(ud);
    for (std::size_t k = 0; k < ud; ++k) x[k] = S[k][ud];
    if (!(exact_value(g, x.data(), d_) > 0)) return false;
    return inside_exact(x.data(), depth, true);
  }

  // The exact LP: does {u in P : s z(u) > 0} have interior? Keeps its optimal point as the side's
  // witness when that point, rounded, is strictly inside.
  bool exact_side(int l, int i, int s, int depth) {
    ++stats.exact_decisions;
    int m = 0;
    exact_rows(depth, erows_, m);
    const Rational* zp = xm().row(l, i, pattern_.data());
    const std::vector<Rational> z(zp, zp + d_ + 1);
    // s z(u) > 0  <=>  -s g.u < s c
    for (int k = 0; k < d_; ++k)
      erows_.push_back(s > 0 ? Rational(-z[static_cast<std::size_t>(k)]) : z[static_cast<std::size_t>(k)]);
    erows_.push_back(s > 0 ? z[static_cast<std::size_t>(d_)] : Rational(-z[static_cast<std::size_t>(d_)]));
    ++m;
    const ExactInteriorResult res = exact_interior(erows_, m, d_);
    stats.exact_pivots += static_cast<std::uint64_t>(res.pivots);
    if (!res.interior) return false;
    double* w = side_w_.data() + (s > 0 ? d_ : 0);
    for (int k = 0; k < d_; ++k) w[k] = to_double(res.u[static_cast<std::size_t>(k)]);
    side_ok_[s > 0] = point_in_side_exact(z.data(), s, w, depth);
    return true;
  }

  bool point_in_side_exact(const Rational* z, int s, const double* w, int depth) {
    for (int k = 0; k < d_; ++k)
      if (!std::isfinite(w[k])) return false;
    std::vector<Rational> u(w, w + d_);
    const Rational v = exact_value(z, u.data(), d_);
    if (s > 0 ? !(v > 0) : !(v < 0)) return false;
    return inside_exact(u.data(), depth);
  }

  // The error bound of an affine function's range over a box, from its coefficients' error ez, the box's
  // 1 + sum_k max |u_k| (U1) and the sum of the terms' magnitudes (box_range and predecide).
  double box_err(double ez, double U1, double terms) const {
    return (ez * U1 + 2.0 * (d_ + 2) * kEps * terms) * 1.01 + (d_ + 2) * kTiny;
  }

  // Rigorous range of the exact z over the node's box: [lo, hi] (infinite when the box is).
  void box_range(const double* row, double ez, int depth, double& lo, double& hi) const {
    const auto ud = static_cast<std::size_t>(d_);
    const double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    lo = hi = row[d_];
    double terms = std::fabs(row[d_]), U1 = 1.0;
    for (int k = 0; k < d_; ++k) {
      const double w = row[k];
      const double U = std::max(std::fabs(bl[k]), std::fabs(bh[k]));
      U1 += U;
      terms += std::fabs(w) * U;
      if (w > 0) {
        lo += w * bl[k];
        hi += w * bh[k];
      } else if (w < 0) {
        lo += w * bh[k];
        hi += w * bl[k];
      }
    }
    const double err = box_err(ez, U1, terms);
    if (!std::isfinite(err) || std::isnan(lo) || std::isnan(hi)) {
      lo = -std::numeric_limits<double>::infinity();
      hi = std::numeric_limits<double>::infinity();
      return;
    }
    lo -= err;
    hi += err;
  }

  // The node's bounding box by 2d LPs, each bound certified by the LP's multipliers (their solutions
  // join the pool). False if it did not change anything worth a retry.
  bool tighten_box(int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    box_exact_[static_cast<std::size_t>(depth)] = 1;
    box_from_[static_cast<std::size_t>(depth)] = depth;
    bool changed = false;
    for (int k = 0; k < d_; ++k)
      for (int sgn = -1; sgn <= 1; sgn += 2) {
        std::fill(a_.begin(), a_.end(), 0.0);
        a_[static_cast<std::size_t>(k)] = sgn;
        double val = 0.0;
        ++stats.box_lps;
        const LPStatus st = lp_.maximize(a_.data(), x_.data(), &val);
        if (st != LPStatus::optimal) continue;
        add_to_pool(depth);
        double ub = certified_max(a_.data(), 0.0, 0.0, depth);
        if (!std::isfinite(ub) && depth == 0) {  // the root's box: the LP's basis re-solved exactly
          std::vector<Rational> g(static_cast<std::size_t>(d_));
          g[static_cast<std::size_t>(k)] = sgn;
          Rational bound;
          if (basis_certificate(g.data(), bound)) ub = round_up(bound);
        }
        if (!std::isfinite(ub)) continue;
        const double cur = sgn > 0 ? bh[k] : -bl[k];
        if (ub < cur - tol::walk_box_progress * (std::fabs(cur) + 1e-300) || (!std::isfinite(cur) && std::isfinite(ub)))
          changed = true;
        if (sgn > 0 && ub < bh[k]) bh[k] = ub;
        if (sgn < 0 && -ub > bl[k]) bl[k] = -ub;
      }
    return changed;
  }

  void add_to_pool(int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    int& n = pool_n_[static_cast<std::size_t>(depth)];
    double* pool = pool_.data() + static_cast<std::size_t>(depth) * kPool * ud;
    const int slot = n < kPool ? n++ : static_cast<int>(pool_next_++ % kPool);
    std::copy_n(x_.data(), ud, pool + static_cast<std::size_t>(slot) * ud);
  }

  // The child (at depth + 1, its row already added) on side s of the unit: when the parent's ball
  // B(c, r) crosses the unit's hyperplane, the ball inscribed in B's half on side s (centre moved
  // away from the plane, radius (r + h) / 2 for the signed distance h of c) lies in the child: a
  // centre without an LP (not its Chebyshev ball; certified strictly inside like any centre).
  bool half_ball(const double* row, double gn, int s, int depth) {
    if (!center_ok_[static_cast<std::size_t>(depth)] || !(gn > 0.0)) return false;
    const double r = radius_[static_cast<std::size_t>(depth)];
    const double* c = center(depth);
    const double h = s * value(row, c) / gn;
    if (!(r > 0.0) || !(h > -r) || !(h < r)) return false;
    double* cc = center(depth + 1);
    const double shift = s * (r - h) * 0.5 / gn;
    for (int k = 0; k < d_; ++k) cc[k] = c[k] + shift * row[k];
    if (inside_float(cc, depth + 1, nullptr) != 1) return false;
    radius_[static_cast<std::size_t>(depth) + 1] = (r + h) * 0.5;
    center_ok_[static_cast<std::size_t>(depth) + 1] = 1;
    cheb_[static_cast<std::size_t>(depth) + 1] = 0;
    return true;
  }

  // The ball around w (certified strictly inside the node at `depth`) up to the nearest row, in floating
  // point (a centre's radius only guides the search for points, each of which is certified).
  bool witness_ball(const double* w, int depth) {
    const double r = ball_radius(w, depth);
    if (!(r > 0.0) || !std::isfinite(r)) return false;
    std::copy_n(w, d_, center(depth));
    radius_[static_cast<std::size_t>(depth)] = r;
    center_ok_[static_cast<std::size_t>(depth)] = 1;
    cheb_[static_cast<std::size_t>(depth)] = 0;
    return true;
  }

  // A ball around the witness inside the exact node at `depth`: min over its exact rows of
  // (b - a.w) / |a|_1 (rounded to double; 0 or less when w is not strictly inside), w = u, or for an
  // input-space frame the exact walk coordinates (x - origin) / scale of the witness x.
  double exact_ball_radius(const double* u, const double* x, int depth) {
    const auto cols = static_cast<std::size_t>(d_ + 1);
    std::vector<Rational> rows, w(static_cast<std::size_t>(d_));
    int m = 0;
    exact_rows(depth, rows, m);
    if (ed_.iso)
      exact_walk_point(x, w.data());
    else
      w.assign(u, u + d_);
    double r = std::numeric_limits<double>::infinity();
    for (int j = 0; j < m; ++j) {
      const Rational* a = rows.data() + static_cast<std::size_t>(j) * cols;
      Rational slack = a[d_];
      double n1 = 0.0;
      for (int k = 0; k < d_; ++k) {
        if (a[k] == 0) continue;
        slack -= a[k] * w[static_cast<std::size_t>(k)];
        n1 += std::fabs(to_double(a[k]));
      }
      if (n1 > 0.0) r = std::min(r, to_double(slack) / n1);
    }
    return r;
  }

  // Distance (in floating point) from w to the nearest bound or row of the node at `depth`.
  double ball_radius(const double* w, int depth) const {
    double r = std::numeric_limits<double>::infinity();
    for (int k = 0; k < d_; ++k) {
      r = std::min(r, w[k] - dom_.lo[static_cast<std::size_t>(k)]);
      r = std::min(r, dom_.hi[static_cast<std::size_t>(k)] - w[k]);
    }
    auto slack = [&](const double* a, double b) {
      double v = b, n = 0.0;
      for (int k = 0; k < d_; ++k) {
        v -= a[k] * w[k];
        n += a[k] * a[k];
      }
      if (n > 0.0) r = std::min(r, v / std::sqrt(n));
    };
    for (int j = 0; j < dom_.rows(); ++j)
      slack(dom_.A.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(d_),
            dom_.b[static_cast<std::size_t>(j)]);
    for (int k = 0; k < depth; ++k) slack(split_row(k), split_row(k)[d_]);
    return r;
  }

  // The Chebyshev ball of the node at `depth` by LP (its rows in the LP); `w` (may be null) a point
  // certified strictly inside, the centre when the LP's is not; `fallback` the centre when the LP
  // fails and there is no `w`.
  void chebyshev_ball(int depth, const double* w, const double* fallback) {
    const auto ud = static_cast<std::size_t>(d_);
    const auto dz = static_cast<std::size_t>(depth);
    double* cc = center(depth);
    double rc = 0.0;
    ++stats.chebyshev;
    const LPStatus st = lp_.chebyshev(dom_.r_cap, cc, &rc);
    char& ok = center_ok_[dz];
    ok = 0;
    cheb_[dz] = st == LPStatus::optimal;
    if (st == LPStatus::optimal && rc > 0.0) {
      radius_[dz] = rc;
      ok = inside_float(cc, depth, nullptr) == 1;
    } else {
      radius_[dz] = 0.0;
    }
    if (!ok && w) {  // the decision's witness: strictly inside P and on this side
      std::copy_n(w, ud, cc);
      ok = 1;
    } else if (!ok && !(st == LPStatus::optimal)) {
      std::copy_n(w ? w : fallback, ud, cc);
    }
  }

  // Opens the child of the node at `depth` on side `on` of unit row (the decision proved it has
  // interior): adds the row, finds its centre (certified strictly inside when possible), pool and box.
  void open_child(const double* row, double ez, double gn, bool on, int unit, int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    // on: z >= 0  <=>  -g.u <= c ; off: z <= 0  <=>  g.u <= -c
    double* dst = rows_.data() + static_cast<std::size_t>(depth) * (ud + 1);
    const double sg = on ? -1.0 : 1.0;
    for (int k = 0; k < d_; ++k) dst[k] = sg * row[k];
    dst[d_] = on ? row[d_] : -row[d_];
    row_units_[static_cast<std::size_t>(depth)] = unit;
    row_err_[static_cast<std::size_t>(depth)] = ez;
    row_on_[static_cast<std::size_t>(depth)] = on;
    lp_.add_row(dst, dst[d_]);
    const int s = on ? 1 : -1;
    const double* c = center(depth);
    double* cc = center(depth + 1);
    const double r = radius_[static_cast<std::size_t>(depth)];
    const double vc = value(row, c) * s;
    const double* w = side_w_.data() + (on ? ud : 0);
    const bool wok = side_ok_[on];
    char& ok = center_ok_[static_cast<std::size_t>(depth) + 1];
    const bool pok = center_ok_[static_cast<std::size_t>(depth)];
    if (gn > 0.0 && vc >= r * gn && pok && cert_sign(row, ez, c, false, nullptr) == s) {
      // the parent's ball lies on this side: it is the child's Chebyshev ball (when the parent's was)
      std::copy_n(c, ud, cc);
      radius_[static_cast<std::size_t>(depth) + 1] = r;
      cheb_[static_cast<std::size_t>(depth) + 1] = cheb_[static_cast<std::size_t>(depth)];
      ok = 1;
    } else if (!half_ball(row, gn, s, depth) && !(wok && witness_ball(w, depth + 1))) {
      chebyshev_ball(depth + 1, wok ? w : nullptr, c);
    }
    // The parent's points on this side (closed, up to rounding) stay points of the child.
    const double* src = pool_.data() + static_cast<std::size_t>(depth) * kPool * ud;
    double* pdst = pool_.data() + static_cast<std::size_t>(depth + 1) * kPool * ud;
    int n = 0;
    for (int p = 0; p < pool_n_[static_cast<std::size_t>(depth)]; ++p) {
      const double* x = src + static_cast<std::size_t>(p) * ud;
      if (s * value(row, x) >= -tol::walk_pool_slack * gn)
        std::copy_n(x, ud, pdst + static_cast<std::size_t>(n++) * ud);
    }
    pool_n_[static_cast<std::size_t>(depth) + 1] = n;
    // The child's box: the parent's, tightened by the new row (one pass of interval propagation).
    const double* pl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* ph = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    double* bl = box_lo_.data() + static_cast<std::size_t>(depth + 1) * ud;
    double* bh = box_hi_.data() + static_cast<std::size_t>(depth + 1) * ud;
    std::copy_n(pl, ud, bl);
    std::copy_n(ph, ud, bh);
    box_exact_[static_cast<std::size_t>(depth) + 1] = 0;
    node_lps_[static_cast<std::size_t>(depth) + 1] = 0;
    box_from_[static_cast<std::size_t>(depth) + 1] =
        tighten_by_row(dst, ez, bl, bh) ? depth + 1 : box_from_[static_cast<std::size_t>(depth)];
  }

  // a.u <= b (float, error e per entry, exact row unknown) with u in [bl, bh]: a_k u_k <= b - sum_{j != k}
  // min(a_j u_j) + (rounding and row error), rounded outward. Needs a bounded box.
  // True when a bound changed.
  bool tighten_by_row(const double* a, double e, double* bl, double* bh) const {
    double minsum = 0.0, U1 = 1.0, terms = std::fabs(a[d_]);
    for (int k = 0; k < d_; ++k) {
      const double U = std::max(std::fabs(bl[k]), std::fabs(bh[k]));
      if (!std::isfinite(U)) return false;
      U1 += U;
      terms += std::fabs(a[k]) * U;
      minsum += a[k] > 0 ? a[k] * bl[k] : (a[k] < 0 ? a[k] * bh[k] : 0.0);
    }
    const double slack = (e * U1 + 4.0 * (d_ + 2) * kEps * (terms + std::fabs(minsum))) * 1.01 + (d_ + 2) * kTiny;
    if (!std::isfinite(slack)) return false;
    const double b = a[d_];
    bool changed = false;
    for (int k = 0; k < d_; ++k) {
      if (!(std::fabs(a[k]) > 2.0 * e)) continue;
      const double own = a[k] > 0 ? a[k] * bl[k] : a[k] * bh[k];
      // (a_k +- e) u_k <= N: the coefficient error is in the slack (e |u_k| <= e U1).
      const double N = b - (minsum - own) + slack;
      double bound = N / a[k];
      if (a[k] > 0) {
        bound = std::nextafter(bound, std::numeric_limits<double>::infinity());
        bound = std::nextafter(bound, std::numeric_limits<double>::infinity());
        if (bound < bh[k]) {
          bh[k] = bound;
          changed = true;
        }
      } else {
        bound = std::nextafter(bound, -std::numeric_limits<double>::infinity());
        bound = std::nextafter(bound, -std::numeric_limits<double>::infinity());
        if (bound > bl[k]) {
          bl[k] = bound;
          changed = true;
        }
      }
    }
    return changed;
  }

  void visit(int l, int i, int depth) {
    checkpoint();
    const int width = net_.out_dim(l);
    if (known_.size() < static_cast<std::size_t>(depth + 2) * known_stride_)
      known_.resize(static_cast<std::size_t>(depth + 2) * known_stride_ * 2, 0);
    if (i == 0) {
      start_layer(l, depth);
      predecide(l, depth);
    }
    const signed char* kn = known(depth);
    const bool at_start = depth == layer_from_[static_cast<std::size_t>(l)];
    for (; i < width; ++i) {
      if (net_.is_linear(l, i)) continue;  // no boundary: bit stays clear, factor 1
      if (kn[i] != 0) {                    // decided on an ancestor in this layer (or here, by predecide)
        if (!at_start || (kn[i] != 2 && kn[i] != -2)) ++stats.inherited;
        if (kn[i] > 0) lay_.set(pattern_.data(), l, i);
        continue;
      }
      ++stats.nodes;
      const double* row = map_row(l, i);
      // Error bound of the float map: network-wide first (free), the node's own when that is not enough.
      double ez = ceiling_err(l, i);
      double smax = 0.0;
      for (int k = 0; k <= d_; ++k) smax = std::max(smax, std::fabs(row[k]));
      if (!std::isfinite(smax)) throw std::overflow_error("walk: a unit's affine map overflows float64");
      if (smax <= ez && smax <= (ez = unit_err(l, i)) && exact_zero(l, i)) {
        ++stats.zero;
        remember(i, layer_from_[static_cast<std::size_t>(l)], depth, -1);
        continue;  // off: bit stays clear
      }
      double gn = 0.0;
      for (int k = 0; k < d_; ++k) gn += row[k] * row[k];
      gn = std::sqrt(gn);
      Decision dec = decide(l, i, row, ez, gn, depth, false);
      if (dec == kUnknown) {
        ez = unit_err(l, i);
        dec = decide(l, i, row, ez, gn, depth, true);
      }
      if (dec == kOn || dec == kOff)
        remember(i, std::max(valid_from_, layer_from_[static_cast<std::size_t>(l)]), depth, dec == kOn ? 1 : -1);
      if (dec == kOn) {
        lay_.set(pattern_.data(), l, i);
        continue;
      }
      if (dec == kOff) continue;
      ++stats.splits;
      const int unit = lay_.unit_offset(l) + i;
      // Off child first, then on: the pattern's bit is the last thing to change.
      const std::vector<double> sw(side_w_);
      const char sok[2] = {side_ok_[0], side_ok_[1]};
      for (int side = 0; side < 2; ++side) {
        const bool on = side == 1;
        clear_from(l, i);  // units i, i + 1, ... are decided again in this child
        std::copy(sw.begin(), sw.end(), side_w_.begin());
        side_ok_[0] = sok[0];
        side_ok_[1] = sok[1];
        std::copy_n(known(depth), width, known(depth + 1));
        open_child(row, ez, gn, on, unit, depth);
        if (on) lay_.set(pattern_.data(), l, i);
        if (frontier_ && (depth + 1 == frontier_depth_ || over_budget()))
          push_task(l, i + 1, depth + 1);
        else
          visit(l, i + 1, depth + 1);
        lp_.truncate(lp_.rows() - 1);
      }
      return;
    }
    // Layer finished.
    if (l + 1 < H_) {
      next_map(l);
      visit(l + 1, 0, depth);
      clear_layer(l + 1);
      return;
    }
    leaf(depth);
  }

  signed char* known(int depth) { return known_.data() + static_cast<std::size_t>(depth) * known_stride_; }

  // The units of layer l that the box of the node at `depth` (where the layer starts) decides, with the
  // network-wide error bound: known (+-2) on the node's whole subtree, so no descendant decides them again.
  void predecide(int l, int depth) {
    const int width = net_.out_dim(l);
    signed char* kn = known(depth);
    const auto ud = static_cast<std::size_t>(d_);
    const double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    double U1 = 1.0;  // box_range's bound, its per-node parts computed once
    for (std::size_t k = 0; k < ud; ++k) {
      box_u_[k] = std::max(std::fabs(bl[k]), std::fabs(bh[k]));
      U1 += box_u_[k];
    }
    if (!std::isfinite(U1)) return;  // an unbounded box decides nothing
    for (int i = 0; i < width; ++i) {
      if (net_.is_linear(l, i) || kn[i] != 0) continue;
      const double* row = map_row(l, i);
      double lo = row[d_], hi = row[d_], terms = std::fabs(row[d_]);
      for (std::size_t k = 0; k < ud; ++k) {
        const double a = row[k] * bl[k], b = row[k] * bh[k];
        lo += std::min(a, b);
        hi += std::max(a, b);
        terms += std::fabs(row[k]) * box_u_[k];
      }
      const double ez = ceiling_err(l, i);
      const double err = box_err(ez, U1, terms);
      if (!std::isfinite(err) || std::isnan(lo) || std::isnan(hi)) continue;
      if (lo - err > 0.0)
        kn[i] = 2;
      else if (hi + err < 0.0)
        kn[i] = -2;
      else
        continue;
      ++stats.nodes;
      ++stats.by_box;
    }
  }

  // Layer l starts at the node at `depth`: nothing of it is known there yet.
  void start_layer(int l, int depth) {
    layer_from_[static_cast<std::size_t>(l)] = depth;
    std::fill_n(known(depth), net_.out_dim(l), static_cast<signed char>(0));
  }

  // Unit i's sign (1 on, -1 off) holds on the node at depth `from` (an ancestor in the current layer)
  // and so on all its descendants: the nodes between `from` and `depth` pass it on to their children.
  void remember(int i, int from, int depth, signed char sign) {
    for (int t = from; t < depth; ++t) known(t)[i] = sign;
  }

  void clear_from(int l, int i) {
    for (int k = i; k < net_.out_dim(l); ++k)
      pattern_[static_cast<std::size_t>(lay_.word_offset(l) + (k >> 6))] &= ~(std::uint64_t{1} << (k & 63));
  }

  void clear_layer(int l) {
    for (int w = 0; w < lay_.layer_words(l); ++w) pattern_[static_cast<std::size_t>(lay_.word_offset(l) + w)] = 0;
  }

  void push_task(int l, int i, int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    WalkTask t;
    t.layer = l;
    t.unit = i;
    t.pattern = pattern_;
    // Bits of units after i in layer l must be clear in a task (they are decided there).
    t.rows.assign(rows_.begin(),
                  rows_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * (ud + 1)));
    t.row_units.assign(row_units_.begin(), row_units_.begin() + depth);
    t.row_err.assign(row_err_.begin(), row_err_.begin() + depth);
    t.row_on.assign(row_on_.begin(), row_on_.begin() + depth);
    t.center.assign(center_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud),
                    center_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth + 1) * ud));
    t.center_ok = center_ok_[static_cast<std::size_t>(depth)];
    t.radius = radius_[static_cast<std::size_t>(depth)];
    t.pool_n = pool_n_[static_cast<std::size_t>(depth)];
    const double* pool = pool_.data() + static_cast<std::size_t>(depth) * kPool * ud;
    t.pool.assign(pool, pool + static_cast<std::size_t>(t.pool_n) * ud);
    t.box_lo.assign(box_lo_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud),
                    box_lo_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth + 1) * ud));
    t.box_hi.assign(box_hi_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud),
                    box_hi_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth + 1) * ud));
    order_->push_back(static_cast<std::int64_t>(frontier_->size()));
    frontier_->push_back(std::move(t));
  }

  // Is the float point u (walk coordinates) a witness of the node at `depth`: strictly inside, exactly?
  // For an input-space frame the witness is the double x = fl(origin + scale u): certified as that point.
  bool certify_witness(const double* u, int depth, double* x_out) {
    for (int k = 0; k < d_; ++k)
      if (!std::isfinite(u[k])) return false;
    if (!ed_.iso) {
      const int f = inside_float(u, depth, nullptr);
      if (f != 0) return f == 1;
      std::vector<Rational> ur(u, u + d_);
      return inside_exact(ur.data(), depth);
    }
    for (int k = 0; k < d_; ++k) x_out[k] = ed_.origin[static_cast<std::size_t>(k)] + ed_.scale * u[k];
    return certify_x(x_out, depth, nullptr, -1);
  }

  // Is the input-space double x (iso frames) strictly inside the node, exactly? Its exact walk
  // coordinates (x - origin) / scale are within dl_ of q_; u_out (if given) gets q_. `exact_budget`:
  // rational checks left (< 0: unlimited); an undecided point costs one.
  bool certify_x(const double* x, int depth, double* u_out, int exact_budget) {
    const double s = ed_.scale;
    for (int k = 0; k < d_; ++k) {
      if (!std::isfinite(x[k])) return false;
      const double o = ed_.origin[static_cast<std::size_t>(k)];
      q_[static_cast<std::size_t>(k)] = (x[k] - o) / s;
      dl_[static_cast<std::size_t>(k)] = (std::fabs(q_[static_cast<std::size_t>(k)]) * kEps + 2.0 * kTiny / s) * 1.01;
    }
    if (u_out) std::copy_n(q_.data(), d_, u_out);
    const int f = inside_float(q_.data(), depth, dl_.data());
    if (f != 0) return f == 1;
    if (exact_budget == 0) return false;
    std::vector<Rational> ur(static_cast<std::size_t>(d_));
    exact_walk_point(x, ur.data());
    return inside_exact(ur.data(), depth);
  }

  // The exact walk coordinates (x - origin) / scale of the input-space double x (iso frames).
  void exact_walk_point(const double* x, Rational* u) const {
    for (int k = 0; k < d_; ++k)
      u[k] = (Rational(x[k]) - Rational(ed_.origin[static_cast<std::size_t>(k)])) / Rational(ed_.scale);
  }

  // Offsets (in ulps) of the repair search around a rounded point, nearest rings first.
  const std::vector<int>& repair_offsets() {
    if (!offsets_.empty()) return offsets_;
    const int K = d_ == 1 ? 512 : d_ == 2 ? 48 : d_ == 3 ? 8 : d_ == 4 ? 3 : d_ == 5 ? 2 : 1;
    const int side = 2 * K + 1;
    long total = 1;
    for (int k = 0; k < d_ && total <= 10000; ++k) total *= side;
    std::vector<std::vector<int>> pts;
    if (total <= 10000) {
      for (long c = 0; c < total; ++c) {
        std::vector<int> o(static_cast<std::size_t>(d_));
        long code = c;
        for (int k = 0; k < d_; ++k) {
          o[static_cast<std::size_t>(k)] = static_cast<int>(code % side) - K;
          code /= side;
        }
        pts.push_back(o);
      }
    } else {  // high dimension: the point and its axis neighbours
      pts.emplace_back(static_cast<std::size_t>(d_), 0);
      for (int k = 0; k < d_; ++k)
        for (int sg = -1; sg <= 1; sg += 2) {
          std::vector<int> o(static_cast<std::size_t>(d_), 0);
          o[static_cast<std::size_t>(k)] = sg;
          pts.push_back(o);
        }
    }
    auto ring = [](const std::vector<int>& o) {
      int m = 0, t = 0;
      for (int v : o) {
        m = std::max(m, std::abs(v));
        t += std::abs(v);
      }
      return std::make_pair(m, t);
    };
    std::stable_sort(pts.begin(), pts.end(),
                     [&](const std::vector<int>& a, const std::vector<int>& b) { return ring(a) < ring(b); });
    offsets_.reserve(pts.size() * static_cast<std::size_t>(d_));
    for (const auto& o : pts) offsets_.insert(offsets_.end(), o.begin(), o.end());
    return offsets_;
  }

  // A witness for the node at `depth` when its centre is not one: the exact LP's interior point,
  // rounded (in input space for input-space frames), and the doubles around it, nearest first (up to
  // 512 ulps in 1-D, 48 in 2-D, 8 in 3-D, 3 in 4-D, 2 in 5-D, 1 beyond). False when none is strictly
  // inside (a region too thin to hold a float64 point, as far as this search finds).
  bool repair_witness(int depth, double* u, double* x) {
    ++stats.exact_decisions;
    int m = 0;
    exact_rows(depth, erows_, m);
    const ExactInteriorResult res = exact_interior(erows_, m, d_);
    stats.exact_pivots += static_cast<std::uint64_t>(res.pivots);
    if (!res.interior) return false;  // cannot happen for a region found by exact decisions
    const auto ud = static_cast<std::size_t>(d_);
    std::vector<double> base(ud);
    for (int k = 0; k < d_; ++k) {
      const Rational& uk = res.u[static_cast<std::size_t>(k)];
      base[static_cast<std::size_t>(k)] =
          ed_.iso ? to_double(Rational(ed_.origin[static_cast<std::size_t>(k)]) + Rational(ed_.scale) * uk)
                  : to_double(uk);
    }
    // Coordinates rounded one at a time, each after the exact LP of the slice through the ones fixed
    // before it (a thin region's position in the later coordinates depends on the earlier ones).
    {
      std::vector<Rational> fixed;
      std::vector<double> cx(ud);
      std::vector<Rational> rows2;
      bool ok = true;
      for (int k = 0; k < d_ && ok; ++k) {
        const int rest = d_ - k;
        rows2.clear();
        int m2 = 0;
        for (int j = 0; j < m && ok; ++j) {
          const Rational* r = erows_.data() + static_cast<std::size_t>(j) * (ud + 1);
          Rational rhs = r[d_];
          for (int q = 0; q < k; ++q)
            if (r[q] != 0) rhs -= r[q] * fixed[static_cast<std::size_t>(q)];
          bool any = false;
          for (int q = k; q < d_; ++q) any = any || r[q] != 0;
          if (!any) {
            ok = rhs > 0;  // 0 < rhs: strictly satisfied by the slice
            continue;
          }
          rows2.insert(rows2.end(), r + k, r + d_);
          rows2.push_back(rhs);
          ++m2;
        }
        if (!ok) break;
        const ExactInteriorResult sl = exact_interior(rows2, m2, rest);
        if (!sl.interior) {
          ok = false;
          break;
        }
        const Rational& uk = sl.u[0];
        if (ed_.iso) {
          const double o = ed_.origin[static_cast<std::size_t>(k)];
          cx[static_cast<std::size_t>(k)] = to_double(Rational(o) + Rational(ed_.scale) * uk);
          fixed.push_back((Rational(cx[static_cast<std::size_t>(k)]) - Rational(o)) / Rational(ed_.scale));
        } else {
          cx[static_cast<std::size_t>(k)] = to_double(uk);
          fixed.push_back(Rational(cx[static_cast<std::size_t>(k)]));
        }
      }
      if (ok) {
        if (ed_.iso) {
          if (certify_x(cx.data(), depth, u, -1)) {
            std::copy(cx.begin(), cx.end(), x);
            return true;
          }
        } else if (inside_exact(fixed.data(), depth)) {
          std::copy(cx.begin(), cx.end(), u);
          return true;
        }
      }
    }
    const std::vector<int>& off = repair_offsets();
    const std::size_t npts = off.size() / ud;
    int K = 0;
    for (int v : off) K = std::max(K, std::abs(v));
    // The doubles -K..K steps from each coordinate of the base point.
    std::vector<double> steps(ud * static_cast<std::size_t>(2 * K + 1));
    for (int k = 0; k < d_; ++k) {
      double* st = steps.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(2 * K + 1);
      st[K] = base[static_cast<std::size_t>(k)];
      for (int j = 1; j <= K; ++j) {
        st[K + j] = std::nextafter(st[K + j - 1], HUGE_VAL);
        st[K - j] = std::nextafter(st[K - j + 1], -HUGE_VAL);
      }
    }
    std::vector<double> cand(ud);
    int budget = 64;  // rational checks of undecided candidates
    for (std::size_t p = 0; p < npts; ++p) {
      for (int k = 0; k < d_; ++k)
        cand[static_cast<std::size_t>(k)] =
            steps[static_cast<std::size_t>(k) * static_cast<std::size_t>(2 * K + 1) +
                  static_cast<std::size_t>(off[p * ud + static_cast<std::size_t>(k)] + K)];
      bool ok;
      if (ed_.iso) {
        const int before = budget;
        ok = certify_x_budget(cand.data(), depth, u, budget);
        (void)before;
        if (ok) std::copy(cand.begin(), cand.end(), x);
      } else {
        const int f = inside_float(cand.data(), depth, nullptr);
        ok = f == 1;
        if (f == 0 && budget > 0) {
          --budget;
          std::vector<Rational> ur(cand.begin(), cand.end());
          ok = inside_exact(ur.data(), depth);
        }
        if (ok) std::copy(cand.begin(), cand.end(), u);
      }
      if (ok) return true;
    }
    if (ed_.iso) {
      std::copy(base.begin(), base.end(), x);
      for (int k = 0; k < d_; ++k)
        u[k] = (base[static_cast<std::size_t>(k)] - ed_.origin[static_cast<std::size_t>(k)]) / ed_.scale;
    } else {
      std::copy(base.begin(), base.end(), u);
    }
    return false;
  }

  bool certify_x_budget(const double* x, int depth, double* u_out, int& budget) {
    // Float filter first; a rational check only while the budget lasts.
    const bool ok = certify_x(x, depth, u_out, budget > 0 ? 1 : 0);
    if (!ok && budget > 0 && inside_float(q_.data(), depth, dl_.data()) == 0) --budget;
    return ok;
  }

  // The root's centre when the Chebyshev LP's is not certified.
  bool repair_center(int depth) {
    std::vector<double> x(static_cast<std::size_t>(d_));
    int m = 0;
    exact_rows(depth, erows_, m);
    const ExactInteriorResult res = exact_interior(erows_, m, d_);
    if (!res.interior) return false;
    double* c = center(depth);
    for (int k = 0; k < d_; ++k) c[k] = to_double(res.u[static_cast<std::size_t>(k)]);
    center_ok_[static_cast<std::size_t>(depth)] = inside_float(c, depth, nullptr) == 1;
    cheb_[static_cast<std::size_t>(depth)] = 0;
    return true;
  }

  // A stored region's witness and radius are its Chebyshev ball's: solved at the leaf when the walk
  // reached it with another ball (kept when the LP's centre is not certified inside).
  void leaf_chebyshev(int depth) {
    const auto dz = static_cast<std::size_t>(depth);
    const std::vector<double> c(center(depth), center(depth) + d_);
    const double r = radius_[dz];
    const char ok = center_ok_[dz];
    chebyshev_ball(depth, nullptr, c.data());
    if (!center_ok_[dz] && ok) {
      std::copy(c.begin(), c.end(), center(depth));
      radius_[dz] = r;
      center_ok_[dz] = 1;
    }
  }

  void leaf(int depth) {
    if (!ctl_.add_region()) throw WalkStopped{};
    if (order_) order_->push_back(-1);
    WalkStore& s = *store_;
    ++s.count;
    if (!opt_.store) return;
    const auto ud = static_cast<std::size_t>(d_);
    s.patterns.insert(s.patterns.end(), pattern_.begin(), pattern_.begin() + lay_.words());
    if (!cheb_[static_cast<std::size_t>(depth)]) leaf_chebyshev(depth);
    std::vector<double> u(center(depth), center(depth) + d_), x(ud, 0.0);
    bool ok = center_ok_[static_cast<std::size_t>(depth)] && certify_witness(u.data(), depth, x.data());
    if (!ok) ok = repair_witness(depth, u.data(), x.data());
    if (!ok) ++stats.thin;
    if (ok && !(radius_[static_cast<std::size_t>(depth)] > 0.0)) {
      // Thinner than the float LP resolves (e.g. 1e-17 wide near 0): the ball around the witness, from
      // the exact rows when the float ones cannot tell.
      double r = ball_radius(u.data(), depth);
      if (!(r > 0.0)) r = exact_ball_radius(u.data(), x.data(), depth);
      r = std::min(r, dom_.r_cap);
      if (r > 0.0 && std::isfinite(r)) radius_[static_cast<std::size_t>(depth)] = r;
    }
    s.witness.insert(s.witness.end(), u.begin(), u.end());
    if (ed_.iso) s.witness_x.insert(s.witness_x.end(), x.begin(), x.end());
    s.thin.push_back(ok ? 0 : 1);
    s.radius.push_back(radius_[static_cast<std::size_t>(depth)]);
    if (opt_.affine) {
      const int out = net_.output_dim();
      propagate(H_ - 1, out_.data());
      propagate_mag(H_ - 1, out_mag_.data());
      for (int o = 0; o < out; ++o) {
        const double* row = out_.data() + static_cast<std::size_t>(o) * (ud + 1);
        s.A.insert(s.A.end(), row, row + ud);
        s.c.push_back(row[ud]);
        s.E.push_back(out_mag_[static_cast<std::size_t>(o)]);
      }
    }
    if (opt_.rows) {
      s.rows.insert(s.rows.end(), rows_.begin(),
                    rows_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * (ud + 1)));
      s.row_units.insert(s.row_units.end(), row_units_.begin(), row_units_.begin() + depth);
      s.row_offsets.push_back(static_cast<std::int64_t>(s.row_units.size()));
    }
  }

  const EngineNetwork& en_;
  const Network& net_;
  const WalkDomain& dom_;
  const ExactWalkDomain& ed_;
  Control& ctl_;
  const WalkOptions& opt_;
  const std::atomic<bool>* cancel_;
  bool poll_;
  const PatternLayout& lay_;
  const int d_, H_;
  LPSolver lp_;
  std::unique_ptr<ExactMaps> xm_;                    // exact maps along the path, built on first use
  const std::vector<std::vector<double>>& ceiling_;  // network-wide magnitude bounds (magnitude_ceiling)
  int base_rows_ = 0;
  std::vector<double> gamma_;
  std::vector<double> err_mag_, err_ceil_;  // the maps' error bounds (next_map)
  // How each layer's map was made: the generation of the map before it (bumped when that is rewritten),
  // rank-1 updates since it was recomputed, and the layer bits it was last made for.
  std::vector<std::uint64_t> map_gen_, made_from_gen_;
  std::vector<int> map_updates_;
  std::vector<std::uint64_t> made_from_bits_;
  std::size_t bits_stride_ = 1;
  std::vector<std::vector<double>> maps_, mag_;
  std::vector<char> mag_valid_;
  std::vector<std::uint64_t> pattern_;
  std::vector<double> center_, radius_, pool_, rows_, row_err_, box_lo_, box_hi_;
  std::vector<char> center_ok_, row_on_, box_exact_;
  std::vector<char> cheb_;
  std::vector<int> box_from_;       // the node's box is that of its ancestor at this depth
  std::vector<int> layer_from_;     // depth of the node where each layer of the current path started
  std::vector<signed char> known_;  // per depth, per unit of the current layer: 1 on, -1 off, 0 undecided
  std::size_t known_stride_ = 0;
  int valid_from_ = 0;  // decide(): the depth from which its on/off decision holds
  int empty_from_ = 0;  // side_interior(): the depth from which its "no interior" holds
  int cert_from_ = 0;   // certified_max(): the depth of the node whose rows its multipliers use  // the node's ball is
                        // its Chebyshev ball (else a ball inside it, e.g. a half ball)
  std::vector<int> node_lps_;  // decision LPs spent on each node of the path
  std::vector<int> pool_n_;
  std::vector<std::int32_t> row_units_;
  std::vector<double> x_, a_, q_, slo_, shi_, dl_, side_w_, ys_, rsum_, ssum_, factor_, out_, out_mag_;
  std::vector<int> ids_, offsets_, mult_row_, active_;
  std::vector<double> mult_y_, box_u_, bp_y_, bp_w_;
  char side_ok_[2] = {0, 0};
  std::vector<Rational> erows_, brows_;
  std::uint32_t ticks_ = 0;
  std::uint64_t pool_next_ = 0;
  WalkStore* store_ = nullptr;
  std::vector<WalkTask>* frontier_ = nullptr;
  std::vector<std::int64_t>* order_ = nullptr;
  int frontier_depth_ = -1;
  std::uint64_t work_budget_ = 0;
  struct RowBoundStats {
    std::uint32_t calls = 0, tries = 0, wins = 0;
  };
  std::vector<RowBoundStats> row_bound_stats_;  // per layer, for the current task
  void reset_row_bound_stats() { row_bound_stats_.assign(static_cast<std::size_t>(std::max(1, H_)), RowBoundStats{}); }
};

}  // namespace detail

// Splits down to this many levels of the tree make the tasks of the threads (at most 2^depth).
inline constexpr int kFrontierDepth = 7;

// Walks the whole tree: returns the regions (all of them in `result`, in depth-first order) and
// statistics. `threads` workers; the calling thread polls `ctl` (Ctrl-C, progress) meanwhile.
// The float domain the walk's LPs use for an exact domain: outward-rounded bounds, rounded rows.
inline WalkDomain float_walk_domain(const ExactWalkDomain& ed, double r_cap) {
  WalkDomain dom;
  dom.d = ed.d;
  dom.lo = ed.box_lo;
  dom.hi = ed.box_hi;
  const auto cols = static_cast<std::size_t>(ed.d + 1);
  for (int j = 0; j < ed.m; ++j) {
    const double* r = ed.rows_f.data() + static_cast<std::size_t>(j) * cols;
    dom.A.insert(dom.A.end(), r, r + ed.d);
    dom.b.push_back(r[ed.d]);
  }
  dom.r_cap = r_cap;
  return dom;
}

// The walk on the exact network `en` (its float network en.net is the fast path's) over the exact
// domain `ed`, whose float version (float_walk_domain) is `dom`.
inline WalkStats walk(const EngineNetwork& en, const WalkDomain& dom, const ExactWalkDomain& ed, Control& ctl,
                      const WalkOptions& opt, WalkStore& result) {
  const Network& net = en.net;
  if (net.num_hidden_layers() < 1) throw std::invalid_argument("the walk needs at least one hidden layer");
  if (dom.d != net.input_dim() || ed.d != dom.d) throw std::invalid_argument("domain and network dimensions differ");
  const std::vector<std::vector<double>> ceiling = magnitude_ceiling(net, dom.d);
  WalkStats total;
  std::vector<WalkTask> tasks;
  std::vector<std::int64_t> order;
  WalkStore root;
  {
    detail::Walker w(en, dom, ed, ceiling, ctl, opt, nullptr, true);
    try {
      w.run_root(&root, &tasks, &order, kFrontierDepth);
    } catch (const detail::WalkStopped&) {
    }
    total.add(w.stats);
  }
  std::vector<WalkStore> stores(tasks.size());
  if (!tasks.empty() && !ctl.stopped()) {
    std::vector<WalkStats> stats(static_cast<std::size_t>(batch_workers(tasks.size(), opt.threads)));
    std::atomic<std::size_t> started{0};
    parallel_for(
        tasks.size(), opt.threads,
        [&](std::size_t k, int worker, std::atomic<bool>& cancel) {
          started.fetch_add(1);
          // A fresh walker (and LP warm start) per task: the results do not depend on which thread ran
          // which tasks before.
          detail::Walker w(en, dom, ed, ceiling, ctl, opt, &cancel, false);
          try {
            w.run_task(tasks[k], &stores[k]);
          } catch (const detail::WalkStopped&) {
            cancel.store(true);
          }
          stats[static_cast<std::size_t>(worker)].add(w.stats);
        },
        [&] {
          ctl.check_time();
          ctl.poll_now(tasks.size() - std::min(tasks.size(), started.load()));
        },
        50);
    for (const WalkStats& s : stats) total.add(s);
  }
  // A last report with the final count (progress bars end at the total; short runs report once).
  ctl.poll_now(0);
  // Depth-first order: the root's regions and the tasks' regions interleaved as they were met.
  std::size_t r = 0;
  const int words = net.layout().words();
  const auto ud = static_cast<std::size_t>(dom.d);
  const int out = net.output_dim();
  for (std::int64_t item : order) {
    if (item >= 0) {
      result.append(stores[static_cast<std::size_t>(item)]);
      continue;
    }
    if (!opt.store) {
      ++result.count;
      continue;
    }
    WalkStore one;  // a region of the root phase (only near the top of small trees)
    one.count = 1;
    one.patterns.assign(root.patterns.begin() + static_cast<std::ptrdiff_t>(r * static_cast<std::size_t>(words)),
                        root.patterns.begin() + static_cast<std::ptrdiff_t>((r + 1) * static_cast<std::size_t>(words)));
    one.witness.assign(root.witness.begin() + static_cast<std::ptrdiff_t>(r * ud),
                       root.witness.begin() + static_cast<std::ptrdiff_t>((r + 1) * ud));
    one.radius.assign(1, root.radius[r]);
    one.thin.assign(1, root.thin[r]);
    if (!root.witness_x.empty())
      one.witness_x.assign(root.witness_x.begin() + static_cast<std::ptrdiff_t>(r * ud),
                           root.witness_x.begin() + static_cast<std::ptrdiff_t>((r + 1) * ud));
    if (opt.affine) {
      const auto uo = static_cast<std::size_t>(out);
      one.A.assign(root.A.begin() + static_cast<std::ptrdiff_t>(r * uo * ud),
                   root.A.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo * ud));
      one.c.assign(root.c.begin() + static_cast<std::ptrdiff_t>(r * uo),
                   root.c.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo));
      one.E.assign(root.E.begin() + static_cast<std::ptrdiff_t>(r * uo),
                   root.E.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo));
    }
    if (opt.rows) {
      const auto b = static_cast<std::size_t>(root.row_offsets[r]),
                 e = static_cast<std::size_t>(root.row_offsets[r + 1]);
      one.rows.assign(root.rows.begin() + static_cast<std::ptrdiff_t>(b * (ud + 1)),
                      root.rows.begin() + static_cast<std::ptrdiff_t>(e * (ud + 1)));
      one.row_units.assign(root.row_units.begin() + static_cast<std::ptrdiff_t>(b),
                           root.row_units.begin() + static_cast<std::ptrdiff_t>(e));
      one.row_offsets.push_back(static_cast<std::int64_t>(e - b));
    }
    result.append(one);
    ++r;
  }
  return total;
}

// The walk of a float network on a float domain, both taken as exact (for direct use of the core).
inline WalkStats walk(const Network& net, const WalkDomain& dom, Control& ctl, const WalkOptions& opt,
                      WalkStore& result) {
  if (net.num_hidden_layers() < 1) throw std::invalid_argument("the walk needs at least one hidden layer");
  if (dom.d != net.input_dim()) throw std::invalid_argument("domain and network dimensions differ");
  const ExactWalkDomain ed =
      exact_walk_domain_of(dom.d, dom.lo.data(), dom.hi.data(), dom.A.data(), dom.b.data(), dom.rows());
  const WalkDomain fdom = float_walk_domain(ed, dom.r_cap);
  const EngineNetwork en(net);
  return walk(en, fdom, ed, ctl, opt, result);
}

}  // namespace reluregions
