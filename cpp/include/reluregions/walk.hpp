// The activation-pattern walk: every activation region of a network on a polytope of R^d.
//
// Depth first over layers and units. A node is a polytope P (the domain intersected with the
// half-spaces of the units that split an ancestor), its partial pattern, the affine maps of the current
// layer's pre-activations, an interior point (the Chebyshev centre of P, radius r) and a few points of
// P seen in LP solutions. Each unit is decided by a cascade, cheapest first:
//   1. identically zero on P (coefficient test, as in the other engines): off, no split;
//   2. sign-definite on the domain's bounding box (interval arithmetic on the unit's map);
//   3. points of P on both sides beyond the margin: a split, no LP needed;
//   4. an LP: minimize s * z over P, s the sign at the centre; below -margin a split, else definite.
// A unit splits P only when both sides reach beyond tol::walk_margin (distance in normalized
// coordinates): both children then have interior. Each child gets its Chebyshev centre (an LP only when
// the parent's ball crosses the unit's hyperplane). Leaves are the activation regions.
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
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "control.hpp"
#include "layer_map.hpp"
#include "lp.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "tolerances.hpp"

namespace reluregions {

// The domain in normalized coordinates u (the caller folds x = origin + scale * u into the network):
// lo <= u <= hi (infinite bounds allowed) and A u <= b.
struct WalkDomain {
  int d = 0;
  std::vector<double> lo, hi;
  std::vector<double> A, b;  // rows x d, row-major
  double r_cap = std::numeric_limits<double>::infinity();  // Chebyshev radius cap (finite when unbounded)
  int rows() const { return static_cast<int>(b.size()); }
};

struct WalkStats {
  std::uint64_t nodes = 0;        // unit decisions
  std::uint64_t splits = 0;
  std::uint64_t zero = 0;         // decided as identically zero
  std::uint64_t by_box = 0;       // decided by the bounding box
  std::uint64_t by_points = 0;    // splits proven by points
  std::uint64_t lps = 0;          // decision LPs
  std::uint64_t box_lps = 0;      // bounding-box LPs
  std::uint64_t chebyshev = 0;    // Chebyshev LPs
  std::uint64_t pivots = 0;
  void add(const WalkStats& o) {
    nodes += o.nodes;
    splits += o.splits;
    zero += o.zero;
    by_box += o.by_box;
    by_points += o.by_points;
    lps += o.lps;
    box_lps += o.box_lps;
    chebyshev += o.chebyshev;
    pivots += o.pivots;
  }
};

// Regions found by one task, in normalized coordinates.
struct WalkStore {
  std::uint64_t count = 0;
  std::vector<std::uint64_t> patterns;  // count x words
  std::vector<double> witness;          // count x d
  std::vector<double> radius;           // count
  std::vector<double> A, c, E;          // count x out x d, count x out, count x out (affine)
  std::vector<double> rows;             // split rows, (d + 1) each: a.u <= b  (H-representation candidates)
  std::vector<std::int32_t> row_units;  // hidden unit (flat index) of each split row
  std::vector<std::int64_t> row_offsets{0};

  void append(const WalkStore& o) {
    count += o.count;
    patterns.insert(patterns.end(), o.patterns.begin(), o.patterns.end());
    witness.insert(witness.end(), o.witness.begin(), o.witness.end());
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
  std::vector<double> center, pool, box_lo, box_hi;
  double radius = 0.0;
  int pool_n = 0;
};

namespace detail {

struct WalkStopped {};  // unwinds a worker after a partial stop or a cancel

class Walker {
 public:
  static constexpr int kPool = 16;  // points of P kept per node
  static constexpr int kLpsBeforeBox = 8;  // decision LPs on a node before its exact box (tuned on ACAS-size nets)

  Walker(const Network& net, const WalkDomain& dom, Control& ctl, const WalkOptions& opt,
         const std::atomic<bool>* cancel, bool poll)
      : net_(net),
        dom_(dom),
        ctl_(ctl),
        opt_(opt),
        cancel_(cancel),
        poll_(poll),
        lay_(net.layout()),
        d_(dom.d),
        H_(net.num_hidden_layers()),
        lp_(dom.d),
        ceiling_(magnitude_ceiling(net, dom.d)) {
    const int max_depth = lay_.units() + 2;
    lp_.set_bounds(dom.lo.data(), dom.hi.data());
    for (int k = 0; k < dom.rows(); ++k) lp_.add_row(dom.A.data() + static_cast<std::size_t>(k) * d_, dom.b[static_cast<std::size_t>(k)]);
    base_rows_ = lp_.rows();
    lp_.reserve(base_rows_ + max_depth);
    maps_.resize(static_cast<std::size_t>(H_));
    mag_.resize(static_cast<std::size_t>(H_));
    mag_valid_.assign(static_cast<std::size_t>(H_), 0);
    for (int l = 0; l < H_; ++l) {
      maps_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)) * (d_ + 1), 0.0);
      mag_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)), 0.0);
    }
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    const auto ud = static_cast<std::size_t>(d_);
    center_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    radius_.assign(static_cast<std::size_t>(max_depth), 0.0);
    pool_.assign(static_cast<std::size_t>(max_depth) * kPool * ud, 0.0);
    pool_n_.assign(static_cast<std::size_t>(max_depth), 0);
    rows_.assign(static_cast<std::size_t>(max_depth) * (ud + 1), 0.0);
    box_lo_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    box_hi_.assign(static_cast<std::size_t>(max_depth) * ud, 0.0);
    box_exact_.assign(static_cast<std::size_t>(max_depth), 0);
    node_lps_.assign(static_cast<std::size_t>(max_depth), 0);
    row_units_.assign(static_cast<std::size_t>(max_depth), -1);
    x_.assign(ud + 1, 0.0);
    a_.assign(ud + 1, 0.0);
    factor_.assign(static_cast<std::size_t>(net.max_width()), 0.0);
    out_.assign(static_cast<std::size_t>(net.output_dim()) * (ud + 1), 0.0);
    out_mag_.assign(static_cast<std::size_t>(net.output_dim()), 0.0);
    bounded_box_ = true;
    for (int j = 0; j < d_; ++j)
      if (!std::isfinite(dom.lo[static_cast<std::size_t>(j)]) || !std::isfinite(dom.hi[static_cast<std::size_t>(j)]))
        bounded_box_ = false;
  }

  // The whole tree from the root; open nodes at `frontier_depth` splits go to `frontier` (if given),
  // and `order` records, in depth-first order, -1 for a region stored in `store` and t >= 0 for task t.
  void run_root(WalkStore* store, std::vector<WalkTask>* frontier, std::vector<std::int64_t>* order,
                int frontier_depth) {
    store_ = store;
    frontier_ = frontier;
    order_ = order;
    frontier_depth_ = frontier_depth;
    lp_.truncate(base_rows_);
    layout_clear();
    init_first_map();
    double r = 0.0;
    const LPStatus st = lp_.chebyshev(dom_.r_cap, center_.data(), &r);
    ++stats.chebyshev;
    if (st != LPStatus::optimal || !(r > 0.0)) throw std::invalid_argument("the domain has no interior");
    radius_[0] = r;
    pool_n_[0] = 0;
    std::copy(dom_.lo.begin(), dom_.lo.end(), box_lo_.begin());
    std::copy(dom_.hi.begin(), dom_.hi.end(), box_hi_.begin());
    box_exact_[0] = dom_.rows() == 0;
    node_lps_[0] = 0;
    visit(0, 0, 0);
    finish_stats();
  }

  void run_task(const WalkTask& t, WalkStore* store) {
    store_ = store;
    frontier_ = nullptr;
    order_ = nullptr;
    frontier_depth_ = -1;
    const auto ud = static_cast<std::size_t>(d_);
    lp_.truncate(base_rows_);
    const int depth = static_cast<int>(t.row_units.size());
    for (int k = 0; k < depth; ++k) {
      const double* row = t.rows.data() + static_cast<std::size_t>(k) * (ud + 1);
      std::copy_n(row, ud + 1, rows_.data() + static_cast<std::size_t>(k) * (ud + 1));
      row_units_[static_cast<std::size_t>(k)] = t.row_units[static_cast<std::size_t>(k)];
      lp_.add_row(row, row[ud]);
    }
    std::copy(t.pattern.begin(), t.pattern.end(), pattern_.begin());
    init_first_map();
    for (int l = 0; l < t.layer; ++l) next_map(l);
    std::copy_n(t.center.data(), ud, center_.data() + static_cast<std::size_t>(depth) * ud);
    radius_[static_cast<std::size_t>(depth)] = t.radius;
    pool_n_[static_cast<std::size_t>(depth)] = t.pool_n;
    std::copy_n(t.pool.data(), static_cast<std::size_t>(t.pool_n) * ud,
                pool_.data() + static_cast<std::size_t>(depth) * kPool * ud);
    std::copy(t.box_lo.begin(), t.box_lo.end(), box_lo_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud));
    std::copy(t.box_hi.begin(), t.box_hi.end(), box_hi_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud));
    box_exact_[static_cast<std::size_t>(depth)] = 0;
    node_lps_[static_cast<std::size_t>(depth)] = 0;
    visit(t.layer, t.unit, depth);
    finish_stats();
  }

  WalkStats stats;

 private:
  void layout_clear() { std::fill(pattern_.begin(), pattern_.end(), 0); }

  void finish_stats() {
    stats.pivots += static_cast<std::uint64_t>(lp_.pivots());
    lp_.reset_stats();
  }

  double* map_row(int l, int i) {
    return maps_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(i) * (d_ + 1);
  }

  void init_first_map() {
    const int n = net_.out_dim(0);
    const double* W = net_.W(0);
    const double* b = net_.b(0);
    for (int i = 0; i < n; ++i) {
      double* row = map_row(0, i);
      double m = std::fabs(b[i]);
      for (int k = 0; k < d_; ++k) {
        row[k] = W[static_cast<std::size_t>(i) * d_ + k];
        m += std::fabs(row[k]);
      }
      row[d_] = b[i];
      mag_[0][static_cast<std::size_t>(i)] = m;
    }
    mag_valid_[0] = 1;
  }

  void fill_factors(int l) {
    const double s = net_.slope(l);
    for (int i = 0; i < net_.out_dim(l); ++i) factor_[static_cast<std::size_t>(i)] = lay_.get(pattern_.data(), l, i) ? 1.0 : s;
  }

  // Map of layer l + 1 (or of the output, into out_) from layer l's map and bits.
  void propagate(int l, double* dst) {
    fill_factors(l);
    const int in = net_.out_dim(l), out = net_.out_dim(l + 1);
    const auto cols = static_cast<std::size_t>(d_ + 1);
    const double* W = net_.W(l + 1);
    const double* b = net_.b(l + 1);
    for (int o = 0; o < out; ++o) {
      double* row = dst + static_cast<std::size_t>(o) * cols;
      std::fill(row, row + cols, 0.0);
      const double* w = W + static_cast<std::size_t>(o) * in;
      for (int j = 0; j < in; ++j) {
        const double f = w[j] * factor_[static_cast<std::size_t>(j)];
        if (f == 0.0) continue;
        const double* src = maps_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(j) * cols;
        for (std::size_t k = 0; k < cols; ++k) row[k] += f * src[k];
      }
      row[d_] += b[o];
    }
  }

  void next_map(int l) {
    propagate(l, maps_[static_cast<std::size_t>(l) + 1].data());
    mag_valid_[static_cast<std::size_t>(l) + 1] = 0;
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
      const double* w = W + static_cast<std::size_t>(o) * in;
      for (int j = 0; j < in; ++j) acc += std::fabs(w[j] * factor_[static_cast<std::size_t>(j)]) * m[j];
      dst[o] = acc;
    }
  }

  void ensure_mag(int l) {
    if (mag_valid_[static_cast<std::size_t>(l)]) return;
    propagate_mag(l - 1, mag_[static_cast<std::size_t>(l)].data());
    mag_valid_[static_cast<std::size_t>(l)] = 1;
  }

  bool is_zero(int l, int i, const double* row) {
    double s = 0.0;
    for (int k = 0; k <= d_; ++k) s += std::fabs(row[k]);
    if (s > tol::zero * ceiling_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]) return false;
    ensure_mag(l);
    return s <= tol::zero * mag_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)];
  }

  double value(const double* row, const double* u) const {
    double v = row[d_];
    for (int k = 0; k < d_; ++k) v += row[k] * u[k];
    return v;
  }

  void checkpoint() {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw WalkStopped{};
    if (poll_) ctl_.checkpoint(0);
    else ctl_.check_limits(ticks_);
    if (ctl_.stopped()) throw WalkStopped{};
  }

  enum Decision { kOff = 0, kOn = 1, kSplit = 2 };

  // Decides unit (l, i) with map `row` (gradient g, norm gn) on the node at `depth`.
  Decision decide(const double* row, double gn, int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    const double margin = tol::walk_margin * gn;
    const double* c = center_.data() + static_cast<std::size_t>(depth) * ud;
    const double vc = value(row, c);
    // 2. the node's bounding box (inherited; made exact by 2d LPs when it does not decide)
    for (int pass = 0; pass < 2; ++pass) {
      double lo = 0.0, hi = 0.0;
      box_range(row, depth, lo, hi);
      if (lo >= -margin || hi <= margin) {
        ++stats.by_box;
        if (lo >= -margin && hi <= margin) return vc > 0 ? kOn : kOff;  // thinner than the margin
        return lo >= -margin ? kOn : kOff;
      }
      // The exact box costs 2d LPs: worth it once a few units of this node needed a decision LP.
      if (pass == 1 || box_exact_[static_cast<std::size_t>(depth)] || node_lps_[static_cast<std::size_t>(depth)] < kLpsBeforeBox ||
          !tighten_box(depth))
        break;
    }
    // 3. points of P on both sides
    bool pos = vc > margin, neg = vc < -margin;
    const double* pool = pool_.data() + static_cast<std::size_t>(depth) * kPool * ud;
    for (int p = 0; p < pool_n_[static_cast<std::size_t>(depth)] && !(pos && neg); ++p) {
      const double v = value(row, pool + static_cast<std::size_t>(p) * ud);
      pos = pos || v > margin;
      neg = neg || v < -margin;
    }
    if (pos && neg) {
      ++stats.by_points;
      return kSplit;
    }
    // 4. LPs: how far does P reach on the side opposite to what we have seen?
    const double s = pos ? 1.0 : (neg ? -1.0 : (vc > 0 ? 1.0 : -1.0));
    ++node_lps_[static_cast<std::size_t>(depth)];
    const double reach_other = lp_reach(row, -s, depth);  // max of -s * z over P
    if (reach_other > margin) return kSplit;
    if (pos || neg) return s > 0 ? kOn : kOff;
    // The centre is within the margin: does P reach beyond it on the centre's side?
    const double reach_same = lp_reach(row, s, depth);
    if (reach_same > margin) return s > 0 ? kOn : kOff;
    return vc > 0 ? kOn : kOff;  // P is thinner than the margin across this unit
  }

  // Range of z = row over the node's box (infinite when the box is).
  void box_range(const double* row, int depth, double& lo, double& hi) const {
    const auto ud = static_cast<std::size_t>(d_);
    const double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    const double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    lo = hi = row[d_];
    for (int k = 0; k < d_; ++k) {
      const double w = row[k];
      if (w > 0) {
        lo += w * bl[k];
        hi += w * bh[k];
      } else if (w < 0) {
        lo += w * bh[k];
        hi += w * bl[k];
      }
    }
    if (std::isnan(lo)) lo = -std::numeric_limits<double>::infinity();
    if (std::isnan(hi)) hi = std::numeric_limits<double>::infinity();
  }

  // The exact bounding box of the node by 2d LPs (their solutions join the pool). False if it did
  // not change anything worth a retry.
  bool tighten_box(int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    double* bl = box_lo_.data() + static_cast<std::size_t>(depth) * ud;
    double* bh = box_hi_.data() + static_cast<std::size_t>(depth) * ud;
    box_exact_[static_cast<std::size_t>(depth)] = 1;
    bool changed = false;
    for (int k = 0; k < d_; ++k)
      for (int sgn = -1; sgn <= 1; sgn += 2) {
        std::fill(a_.begin(), a_.end(), 0.0);
        a_[static_cast<std::size_t>(k)] = sgn;
        double val = 0.0;
        ++stats.box_lps;
        const LPStatus st = lp_.maximize(a_.data(), x_.data(), &val);
        if (st == LPStatus::unbounded) continue;
        if (st != LPStatus::optimal) throw std::runtime_error(std::string("walk: LP failed (") + lp_status_name(st) + ")");
        add_to_pool(depth);
        // Outward by the LP's feasibility tolerance, so the box stays a superset of P.
        const double slack = 2 * tol::lp_feasibility * (1.0 + std::fabs(val));
        if (sgn > 0 && val + slack < bh[k]) {
          bh[k] = val + slack;
          changed = true;
        }
        if (sgn < 0 && -val - slack > bl[k]) {
          bl[k] = -val - slack;
          changed = true;
        }
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

  // max over P of sgn * z (z = row), +inf when unbounded; records the optimal vertex in the pool.
  double lp_reach(const double* row, double sgn, int depth) {
    for (int k = 0; k < d_; ++k) a_[static_cast<std::size_t>(k)] = sgn * row[k];
    double val = 0.0;
    ++stats.lps;
    const LPStatus st = lp_.maximize(a_.data(), x_.data(), &val);
    if (st == LPStatus::unbounded) return std::numeric_limits<double>::infinity();
    if (st != LPStatus::optimal)
      throw std::runtime_error(std::string("walk: LP failed (") + lp_status_name(st) + ")");
    add_to_pool(depth);
    return val + sgn * row[d_];
  }

  // Opens the child of the node at `depth` on side `on` of unit row: adds the row, finds its centre
  // and its pool. Returns false (row removed) when the child turns out to have no interior.
  bool open_child(const double* row, double gn, bool on, int unit, int depth) {
    const auto ud = static_cast<std::size_t>(d_);
    // on: z >= 0  <=>  -g.u <= c ; off: z <= 0  <=>  g.u <= -c
    double* dst = rows_.data() + static_cast<std::size_t>(depth) * (ud + 1);
    const double sg = on ? -1.0 : 1.0;
    for (int k = 0; k < d_; ++k) dst[k] = sg * row[k];
    dst[d_] = on ? row[d_] : -row[d_];
    row_units_[static_cast<std::size_t>(depth)] = unit;
    lp_.add_row(dst, dst[d_]);
    const double* c = center_.data() + static_cast<std::size_t>(depth) * ud;
    double* cc = center_.data() + static_cast<std::size_t>(depth + 1) * ud;
    const double r = radius_[static_cast<std::size_t>(depth)];
    const double vc = value(row, c) * (on ? 1.0 : -1.0);
    if (vc >= r * gn) {  // the parent's ball lies on this side: it is the child's Chebyshev ball
      std::copy_n(c, ud, cc);
      radius_[static_cast<std::size_t>(depth) + 1] = r;
    } else {
      double rc = 0.0;
      ++stats.chebyshev;
      const LPStatus st = lp_.chebyshev(dom_.r_cap, cc, &rc);
      if (st != LPStatus::optimal || !(rc > 0.0)) {
        lp_.truncate(lp_.rows() - 1);
        return false;
      }
      radius_[static_cast<std::size_t>(depth) + 1] = rc;
    }
    // The parent's points on this side (closed) stay points of the child.
    const double* src = pool_.data() + static_cast<std::size_t>(depth) * kPool * ud;
    double* pdst = pool_.data() + static_cast<std::size_t>(depth + 1) * kPool * ud;
    int n = 0;
    const double tolv = tol::walk_margin * gn;
    for (int p = 0; p < pool_n_[static_cast<std::size_t>(depth)]; ++p) {
      const double* x = src + static_cast<std::size_t>(p) * ud;
      if ((on ? 1.0 : -1.0) * value(row, x) >= -tolv) std::copy_n(x, ud, pdst + static_cast<std::size_t>(n++) * ud);
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
    tighten_by_row(dst, bl, bh);
    return true;
  }

  // a.u <= b with u in [bl, bh]: a_k u_k <= b - sum_{j != k} min(a_j u_j), kept outward by a margin.
  void tighten_by_row(const double* a, double* bl, double* bh) const {
    double minsum = 0.0;
    int inf_count = 0, inf_at = -1;
    for (int k = 0; k < d_; ++k) {
      const double m = a[k] > 0 ? a[k] * bl[k] : (a[k] < 0 ? a[k] * bh[k] : 0.0);
      if (std::isinf(m)) {
        ++inf_count;
        inf_at = k;
      } else {
        minsum += m;
      }
    }
    if (inf_count > 1) return;
    const double b = a[d_];
    double scale = std::fabs(b) + std::fabs(minsum);
    for (int k = 0; k < d_; ++k) {
      if (a[k] == 0.0 || (inf_count == 1 && k != inf_at)) continue;
      const double own = a[k] > 0 ? a[k] * bl[k] : a[k] * bh[k];
      const double rest = inf_count == 1 ? minsum : minsum - own;
      const double slack = 1e-9 * (scale + 1.0);
      const double bound = (b - rest + slack) / a[k];
      if (a[k] > 0) {
        if (bound < bh[k]) bh[k] = bound;
      } else if (bound > bl[k]) {
        bl[k] = bound;
      }
    }
  }

  void visit(int l, int i, int depth) {
    checkpoint();
    const int width = net_.out_dim(l);
    for (; i < width; ++i) {
      ++stats.nodes;
      const double* row = map_row(l, i);
      if (is_zero(l, i, row)) {
        ++stats.zero;
        continue;  // off: bit stays clear
      }
      double gn = 0.0;
      for (int k = 0; k < d_; ++k) gn += row[k] * row[k];
      gn = std::sqrt(gn);
      Decision dec;
      if (!(gn > 0.0)) dec = row[d_] > 0 ? kOn : kOff;  // constant
      else dec = decide(row, gn, depth);
      if (dec == kOn) {
        lay_.set(pattern_.data(), l, i);
        continue;
      }
      if (dec == kOff) continue;
      ++stats.splits;
      const int unit = lay_.unit_offset(l) + i;
      // Off child first, then on: the pattern's bit is the last thing to change.
      for (int side = 0; side < 2; ++side) {
        const bool on = side == 1;
        clear_from(l, i);  // units i, i + 1, ... are decided again in this child
        if (!open_child(row, gn, on, unit, depth)) continue;
        if (on) lay_.set(pattern_.data(), l, i);
        if (frontier_ && depth + 1 == frontier_depth_) push_task(l, i + 1, depth + 1);
        else visit(l, i + 1, depth + 1);
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
    t.rows.assign(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * (ud + 1)));
    t.row_units.assign(row_units_.begin(), row_units_.begin() + depth);
    t.center.assign(center_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * ud),
                    center_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth + 1) * ud));
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

  void leaf(int depth) {
    if (!ctl_.add_region()) throw WalkStopped{};
    if (order_) order_->push_back(-1);
    WalkStore& s = *store_;
    ++s.count;
    if (!opt_.store) return;
    const auto ud = static_cast<std::size_t>(d_);
    s.patterns.insert(s.patterns.end(), pattern_.begin(), pattern_.begin() + lay_.words());
    const double* c = center_.data() + static_cast<std::size_t>(depth) * ud;
    s.witness.insert(s.witness.end(), c, c + ud);
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
      s.rows.insert(s.rows.end(), rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(depth) * (ud + 1)));
      s.row_units.insert(s.row_units.end(), row_units_.begin(), row_units_.begin() + depth);
      s.row_offsets.push_back(static_cast<std::int64_t>(s.row_units.size()));
    }
  }

  const Network& net_;
  const WalkDomain& dom_;
  Control& ctl_;
  const WalkOptions& opt_;
  const std::atomic<bool>* cancel_;
  bool poll_;
  const PatternLayout& lay_;
  const int d_, H_;
  LPSolver lp_;
  int base_rows_ = 0;
  std::vector<std::vector<double>> ceiling_;
  std::vector<std::vector<double>> maps_, mag_;
  std::vector<char> mag_valid_;
  std::vector<std::uint64_t> pattern_;
  std::vector<double> center_, radius_, pool_, rows_, box_lo_, box_hi_;
  std::vector<char> box_exact_;
  std::vector<int> node_lps_;  // decision LPs spent on each node of the path
  std::vector<int> pool_n_;
  std::vector<std::int32_t> row_units_;
  std::vector<double> x_, a_, factor_, out_, out_mag_;
  bool bounded_box_ = false;
  std::uint32_t ticks_ = 0;
  std::uint64_t pool_next_ = 0;
  WalkStore* store_ = nullptr;
  std::vector<WalkTask>* frontier_ = nullptr;
  std::vector<std::int64_t>* order_ = nullptr;
  int frontier_depth_ = -1;
};

}  // namespace detail

// Splits down to this many levels of the tree make the tasks of the threads (at most 2^depth).
inline constexpr int kFrontierDepth = 7;

// Walks the whole tree: returns the regions (all of them in `result`, in depth-first order) and
// statistics. `threads` workers; the calling thread polls `ctl` (Ctrl-C, progress) meanwhile.
inline WalkStats walk(const Network& net, const WalkDomain& dom, Control& ctl, const WalkOptions& opt, WalkStore& result) {
  if (net.num_hidden_layers() < 1) throw std::invalid_argument("the walk needs at least one hidden layer");
  if (dom.d != net.input_dim()) throw std::invalid_argument("domain and network dimensions differ");
  WalkStats total;
  std::vector<WalkTask> tasks;
  std::vector<std::int64_t> order;
  WalkStore root;
  {
    detail::Walker w(net, dom, ctl, opt, nullptr, true);
    try {
      w.run_root(&root, &tasks, &order, kFrontierDepth);
    } catch (const detail::WalkStopped&) {
    }
    total.add(w.stats);
  }
  std::vector<WalkStore> stores(tasks.size());
  if (!tasks.empty() && !ctl.stopped()) {
    const int T = std::max(1, std::min<int>(opt.threads, static_cast<int>(tasks.size())));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> cancel{false};
    std::atomic<int> running{T};
    std::mutex mu;
    std::condition_variable cv;
    std::exception_ptr error;
    std::vector<WalkStats> stats(static_cast<std::size_t>(T));
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(T));
    for (int t = 0; t < T; ++t) {
      workers.emplace_back([&, t] {
        try {
          for (;;) {
            const std::size_t k = next.fetch_add(1);
            if (k >= tasks.size() || cancel.load()) break;
            // A fresh walker (and LP warm start) per task: the results do not depend on which
            // thread ran which tasks before.
            detail::Walker w(net, dom, ctl, opt, &cancel, false);
            try {
              w.run_task(tasks[k], &stores[k]);
            } catch (const detail::WalkStopped&) {
              cancel.store(true);
            }
            stats[static_cast<std::size_t>(t)].add(w.stats);
            if (cancel.load()) break;
          }
        } catch (...) {
          std::lock_guard<std::mutex> lock(mu);
          if (!error) error = std::current_exception();
          cancel.store(true);
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          --running;
        }
        cv.notify_all();
      });
    }
    // Poll on this thread until the workers are done; an exception from the poll cancels them.
    {
      std::unique_lock<std::mutex> lock(mu);
      while (running.load() > 0) {
        cv.wait_for(lock, std::chrono::milliseconds(50));
        if (running.load() == 0) break;
        lock.unlock();
        try {
          const std::size_t k = next.load();
          ctl.check_time();
          ctl.poll_now(k < tasks.size() ? tasks.size() - k : 0);
        } catch (...) {
          std::lock_guard<std::mutex> guard(mu);
          if (!error) error = std::current_exception();
          cancel.store(true);
        }
        lock.lock();
      }
    }
    for (std::thread& th : workers) th.join();
    for (const WalkStats& s : stats) total.add(s);
    if (error) std::rethrow_exception(error);
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
    one.witness.assign(root.witness.begin() + static_cast<std::ptrdiff_t>(r * ud), root.witness.begin() + static_cast<std::ptrdiff_t>((r + 1) * ud));
    one.radius.assign(1, root.radius[r]);
    if (opt.affine) {
      const auto uo = static_cast<std::size_t>(out);
      one.A.assign(root.A.begin() + static_cast<std::ptrdiff_t>(r * uo * ud), root.A.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo * ud));
      one.c.assign(root.c.begin() + static_cast<std::ptrdiff_t>(r * uo), root.c.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo));
      one.E.assign(root.E.begin() + static_cast<std::ptrdiff_t>(r * uo), root.E.begin() + static_cast<std::ptrdiff_t>((r + 1) * uo));
    }
    if (opt.rows) {
      const auto b = static_cast<std::size_t>(root.row_offsets[r]), e = static_cast<std::size_t>(root.row_offsets[r + 1]);
      one.rows.assign(root.rows.begin() + static_cast<std::ptrdiff_t>(b * (ud + 1)), root.rows.begin() + static_cast<std::ptrdiff_t>(e * (ud + 1)));
      one.row_units.assign(root.row_units.begin() + static_cast<std::ptrdiff_t>(b), root.row_units.begin() + static_cast<std::ptrdiff_t>(e));
      one.row_offsets.push_back(static_cast<std::int64_t>(e - b));
    }
    result.append(one);
    ++r;
  }
  return total;
}

}  // namespace reluregions
