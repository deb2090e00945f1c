// The dense LP kernel: small dense linear programs
//
//     maximize c.x   subject to   lo <= x <= hi,   a_i.x <= b_i  (i < m),
//
// solved exactly (up to the tolerances in tolerances.hpp) and warm-started, for the region walk.
//
// Method: a simplex method in inequality form ("active-set" simplex). The basis is a set of n slots,
// each holding a constraint (a row, or one side of a variable's bound) assumed active, or a "free"
// direction u (an artificial equality u.x = const that no constraint backs). The n x n basis matrix
// A_B (row k = the constraint or free direction of slot k) is kept as its explicit inverse, stored by
// columns: d_k = A_B^{-1} e_k is the edge direction that leaves slot k (a_k.d_k = 1, a_j.d_k = 0).
// The vertex is x = A_B^{-1} b_B and the multipliers are y_k = c.d_k (c = sum_k y_k a_k). A pivot
// replaces one slot by one constraint and updates the inverse by a rank-one (product form) update,
// O(n^2); it is refactorized from scratch (Gauss-Jordan, partial pivoting) every kRefactorEvery updates,
// and x is recomputed from the basis with iterative refinement before an answer is returned.
// Every constraint is visited once per pivot, so a pivot costs O((m + n) n).
//
//  * Primal simplex (x feasible): a slot k with y_k < 0 (or a free slot with y_k != 0) is left along
//    -d_k (sign(y_k) d_k for a free slot), which increases c.x; the ratio test over the inactive
//    constraints picks the first one hit. None hit: unbounded. Pricing: steepest edge (|y_k| / ||d_k||),
//    free slots first. Free slots never re-enter, so free variables need no phase 1 of their own.
//  * Dual simplex (y feasible: y_k >= 0 on constraints, y_k = 0 on free slots): the most violated
//    constraint r enters; the ratio test on y_k / w_k, w = A_B^{-T} a_r, picks the slot that leaves.
//    No candidate: a_r is a nonnegative combination of active rows that the current point cannot
//    satisfy (a Farkas certificate): infeasible.
//  * A solve: if x violates a constraint, run the dual simplex, with the objective itself when the
//    basis is dual feasible for it (the usual case after adding a row and re-solving the same LP),
//    otherwise with a shifted objective c' = sum_k max(y_k, delta) a_k over the constrained slots, for
//    which the basis is dual feasible by construction (phase 1). Then run the primal simplex for c (the
//    usual case after changing the objective: the previous vertex is feasible).
//  * Ratio tests are Harris' two-pass tests (the largest pivot among the near-ties allowed by the
//    tolerances). Anti-cycling: after kBlandAfter consecutive degenerate pivots (no move in x for the
//    primal simplex, no change in the dual objective for the dual simplex) both choices switch to
//    Bland's rule (smallest constraint index: bounds of x_0, x_1, ... first, then rows in order; free
//    slots before everything) until a nondegenerate pivot. The primal simplex here is the dual simplex
//    of the standard-form dual  min b.y, A^T y = c, y >= 0, and vice versa, so this is Bland's rule
//    for that problem and terminates. A free slot leaves at most once. An iteration limit bounds
//    everything else (LPStatus::iteration_limit).
//  * Rows are normalized to unit norm when added (b scaled alike), so slacks are distances and one
//    tolerance fits rows of any scale; a row with (near) zero norm never enters a basis: it is either
//    always satisfied or makes the LP infeasible.
//  * Warm start: the basis survives every call. add_row leaves it alone (dual feasible for the last
//    objective); truncate turns the slots of removed rows into free slots with the same direction, so
//    neither x nor the basis inverse changes; set_bounds keeps the basis when rows are active in it,
//    and otherwise rebuilds it from the bounds (x_j at its lower, else upper, bound, else free).
//  * No allocation in steady state: storage grows with the rows (reserve() preallocates) and nothing
//    is allocated by a solve.
//
// LPSolver adds the Chebyshev centre: a second instance, in (x, r), with the rows a_i.x/||a_i|| + r <=
// b_i/||a_i||, the finite bounds as rows x_j + r <= hi_j and -x_j + r <= -lo_j, and 0 <= r <= r_cap. Its
// rows mirror the main rows lazily (synchronized at each chebyshev() call), so it is warm-started too.
#pragma once
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "small_dim.hpp"
#include "tolerances.hpp"

namespace reluregions {

enum class LPStatus { optimal, infeasible, unbounded, iteration_limit };

inline const char* lp_status_name(LPStatus s) noexcept {
  switch (s) {
    case LPStatus::optimal:
      return "optimal";
    case LPStatus::infeasible:
      return "infeasible";
    case LPStatus::unbounded:
      return "unbounded";
    case LPStatus::iteration_limit:
      return "iteration_limit";
  }
  return "unknown";
}

namespace detail {

// One LP  max c.x  s.t.  lo <= x <= hi,  a_i.x <= b_i,  with its warm basis. See the top of the file.
class DenseSimplex {
 public:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr int kFree = -1;           // slot_ value of a free slot
  static constexpr int kRefactorEvery = 24;  // rank-one updates between refactorizations
  static constexpr int kBlandAfter = 50;     // consecutive degenerate pivots before Bland's rule
  static constexpr int kMaxRounds = 4;       // re-solves when the recomputed vertex is not feasible

  // Row kinds.
  static constexpr unsigned char kLive = 0;        // a normal row
  static constexpr unsigned char kVoid = 1;        // always satisfied (zero row with b >= 0, or b = +inf)
  static constexpr unsigned char kImpossible = 2;  // never satisfied (zero row with b < 0, or b = -inf)

  explicit DenseSimplex(int n) : n_(n) {
    if (n < 1) throw std::invalid_argument("LPSolver: need at least one variable");
    const auto nn = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    const auto un = static_cast<std::size_t>(n);
    lo_.assign(un, -kInf);
    hi_.assign(un, kInf);
    slot_.assign(un, kFree);
    U_.assign(nn, 0.0);
    frhs_.assign(un, 0.0);
    D_.assign(nn, 0.0);
    M_.assign(nn, 0.0);
    Minv_.assign(nn, 0.0);
    x_.assign(un, 0.0);
    y_.assign(un, 0.0);
    w_.assign(un, 0.0);
    dn_.assign(un, 0.0);
    dir_.assign(un, 0.0);
    c2_.assign(un, 0.0);
    rb_.assign(un, 0.0);
    res_.assign(un, 0.0);
    const auto nb = 2 * un;
    rhs_.assign(nb, kInf);
    ftol_.assign(nb, 0.0);
    live_.assign(nb, 0);
    pos_.assign(nb, -1);
    s_.assign(nb, 0.0);
    alpha_.assign(nb, 0.0);
    hits_.assign(nb, 0);
    free_basis();
  }

  int n() const { return n_; }
  int rows() const { return m_; }
  long long pivots() const { return pivots_; }
  // The basis after a solve: the constraint id of each slot (kFree; a bound id < 2n: variable id >> 1,
  // its upper bound when even; else row id - 2n) and its multiplier y_k = c.d_k for the objective c,
  // so that c = sum_k y_k a_k (a_k the slot's normalized row).
  void basis_multipliers(const double* c, int* ids, double* y) const {
    for (int k = 0; k < n_; ++k) {
      ids[k] = slot_[static_cast<std::size_t>(k)];
      y[k] = dot(c, D_.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(n_));
    }
  }
  void reset_stats() { pivots_ = 0; }
  void set_iteration_limit(long long limit) { iteration_limit_ = limit; }
  long long iteration_limit() const { return iteration_limit_; }
  const double* x() const { return x_.data(); }

  // Normalized row i (unit norm, or zeros), its right-hand side and kind, and the norm it had.
  const double* row(int i) const { return A_.data() + static_cast<std::size_t>(i) * n_; }
  double row_rhs(int i) const { return rhs_[static_cast<std::size_t>(2 * n_ + i)]; }
  unsigned char row_kind(int i) const { return kind_[static_cast<std::size_t>(i)]; }
  double row_norm(int i) const { return norm_[static_cast<std::size_t>(i)]; }

  void reserve(int m) {
    const auto um = static_cast<std::size_t>(std::max(m, 0));
    const auto nb = static_cast<std::size_t>(2 * n_);
    A_.reserve(um * static_cast<std::size_t>(n_));
    kind_.reserve(um);
    norm_.reserve(um);
    for (auto* v : {&rhs_, &ftol_, &s_, &alpha_}) v->reserve(nb + um);
    live_.reserve(nb + um);
    hits_.reserve(nb + um);
    pos_.reserve(nb + um);
  }

  void set_bounds(const double* lo, const double* hi) {
    verified_rows_ = -1;
    bounds_bad_ = false;
    for (int j = 0; j < n_; ++j) {
      if (std::isnan(lo[j]) || std::isnan(hi[j])) throw std::invalid_argument("LPSolver: NaN bound");
      if (lo[j] > hi[j] || lo[j] == kInf || hi[j] == -kInf) bounds_bad_ = true;
      lo_[j] = lo[j];
      hi_[j] = hi[j];
    }
    for (int j = 0; j < n_; ++j) {
      for (int side = 0; side < 2; ++side) {
        const auto id = static_cast<std::size_t>(2 * j + side);
        const double r = side == 0 ? hi_[j] : -lo_[j];
        rhs_[id] = r;
        live_[id] = std::isfinite(r) ? 1 : 0;
        ftol_[id] = tol::lp_feasibility * (1.0 + std::fabs(r));
      }
    }
    bool rows_in_basis = false;
    for (int k = 0; k < n_; ++k) rows_in_basis = rows_in_basis || slot_[k] >= 2 * n_;
    if (!rows_in_basis) {
      crash_bounds();
      return;
    }
    // Keep the basis: a bound slot whose bound vanished becomes a free slot through the same point.
    for (int k = 0; k < n_; ++k) {
      const int id = slot_[k];
      if (id >= 0 && id < 2 * n_ && !live_[static_cast<std::size_t>(id)]) make_free(k, dot_con(id, x_.data()));
    }
    recompute_x();
  }

  // a.x <= b; returns the row index.
  int add_row(const double* a, double b) {
    if (std::isnan(b)) throw std::invalid_argument("LPSolver: NaN right-hand side");
    double amax = 0.0;
    for (int j = 0; j < n_; ++j) {
      if (!std::isfinite(a[j])) throw std::invalid_argument("LPSolver: row entries must be finite");
      amax = std::max(amax, std::fabs(a[j]));
    }
    double norm = 0.0;
    if (amax > 0.0) {
      double ss = 0.0;
      for (int j = 0; j < n_; ++j) ss += (a[j] / amax) * (a[j] / amax);
      norm = amax * std::sqrt(ss);
    }
    unsigned char kind = kLive;
    double r = b;
    if (norm < tol::lp_zero_row || !std::isfinite(b)) {
      kind = (b >= -tol::lp_feasibility) ? kVoid : kImpossible;
      if (kind == kImpossible) ++impossible_;
      if (norm < tol::lp_zero_row) {
        A_.insert(A_.end(), static_cast<std::size_t>(n_), 0.0);
      } else {
        for (int j = 0; j < n_; ++j) A_.push_back(a[j] / norm);
      }
    } else {
      for (int j = 0; j < n_; ++j) A_.push_back(a[j] / norm);
      r = b / norm;
      if (!std::isfinite(r)) {  // |b| / ||a|| overflowed
        kind = r > 0 ? kVoid : kImpossible;
        if (kind == kImpossible) ++impossible_;
      }
    }
    kind_.push_back(kind);
    norm_.push_back(norm);
    rhs_.push_back(r);
    ftol_.push_back(tol::lp_feasibility * (1.0 + (std::isfinite(r) ? std::fabs(r) : 0.0)));
    live_.push_back(kind == kLive ? 1 : 0);
    pos_.push_back(-1);
    s_.push_back(0.0);
    alpha_.push_back(0.0);
    hits_.push_back(0);
    return m_++;
  }

  // Removes the rows >= k. Their basis slots become free slots with the same direction and value, so
  // the vertex and the basis inverse are unchanged (and x stays feasible).
  void truncate(int k) {
    if (k < 0 || k > m_) throw std::invalid_argument("LPSolver: truncate to a row count outside [0, rows]");
    verified_rows_ = std::min(verified_rows_, k);  // x does not move
    for (int i = k; i < m_; ++i) {
      const auto id = static_cast<std::size_t>(2 * n_ + i);
      if (pos_[id] >= 0) make_free(pos_[id], rhs_[id]);
      if (kind_[static_cast<std::size_t>(i)] == kImpossible) --impossible_;
    }
    m_ = k;
    const auto um = static_cast<std::size_t>(k);
    const auto ids = static_cast<std::size_t>(2 * n_) + um;
    A_.resize(um * static_cast<std::size_t>(n_));
    kind_.resize(um);
    norm_.resize(um);
    rhs_.resize(ids);
    ftol_.resize(ids);
    live_.resize(ids);
    pos_.resize(ids);
    s_.resize(ids);
    alpha_.resize(ids);
    hits_.resize(ids);
  }

  // Maximizes c.x. x (n values) and value are set when optimal.
  LPStatus solve(const double* c, double* x, double* value) {
    for (int j = 0; j < n_; ++j)
      if (!std::isfinite(c[j])) throw std::invalid_argument("LPSolver: objective entries must be finite");
    if (bounds_bad_ || impossible_ > 0) return LPStatus::infeasible;
    const double cn = norm2(c);
    const long long limit =
        iteration_limit_ > 0 ? iteration_limit_ : 10000 + 100LL * (static_cast<long long>(m_) + 2LL * n_);
    long long iter = 0;
    // Rows that the last solve's vertex was checked against need no new check (x has not moved since).
    const int first = verified_rows_ >= 0 ? 2 * n_ + verified_rows_ : 0;
    verified_rows_ = -1;
    for (int round = 0;; ++round) {
      if (scan_violation(false, round == 0 ? first : 0) >= 0) {
        LPStatus st = dual_phase(c, cn, iter, limit);
        if (st != LPStatus::optimal) return st;
      }
      LPStatus st = primal_phase(c, cn, iter, limit);
      if (st != LPStatus::optimal) return st;
      recompute_x();
      if (scan_violation() < 0) {
        verified_rows_ = m_;
        break;
      }
      if (round + 1 >= kMaxRounds) break;
    }
    double v = 0.0;
    for (int j = 0; j < n_; ++j) {
      x[j] = x_[j];
      v += c[j] * x_[j];
    }
    *value = v;
    return LPStatus::optimal;
  }

 private:
  // ---- small dense helpers
  // f(std::integral_constant<int, N>), N = n_ for n_ <= 8, else 0 (see with_small_dim).
  template <class F>
  decltype(auto) with_n(F&& f) const {
    return with_small_dim(n_, std::forward<F>(f));
  }
  double dot(const double* a, const double* b) const {
    double s = 0.0;
    for (int j = 0; j < n_; ++j) s += a[j] * b[j];
    return s;
  }
  double norm2(const double* a) const { return std::sqrt(dot(a, a)); }
  double* dcol(int k) { return D_.data() + static_cast<std::size_t>(k) * n_; }
  const double* dcol(int k) const { return D_.data() + static_cast<std::size_t>(k) * n_; }
  double* urow(int k) { return U_.data() + static_cast<std::size_t>(k) * n_; }

  // a_id . v for a constraint id: 2j = (x_j <= hi_j), 2j+1 = (-x_j <= -lo_j), 2n+i = row i.
  double dot_con(int id, const double* v) const {
    if (id < 2 * n_) return (id & 1) ? -v[id >> 1] : v[id >> 1];
    return dot(row(id - 2 * n_), v);
  }
  // The row vector of slot k into out.
  void slot_row(int k, double* out) const {
    const int id = slot_[k];
    if (id == kFree) {
      std::copy_n(U_.data() + static_cast<std::size_t>(k) * n_, n_, out);
    } else if (id < 2 * n_) {
      std::fill_n(out, n_, 0.0);
      out[id >> 1] = (id & 1) ? -1.0 : 1.0;
    } else {
      std::copy_n(row(id - 2 * n_), n_, out);
    }
  }
  double slot_rhs(int k) const { return slot_[k] == kFree ? frhs_[k] : rhs_[static_cast<std::size_t>(slot_[k])]; }

  void make_free(int k, double value) {
    slot_row(k, urow(k));
    frhs_[k] = value;
    if (slot_[k] >= 0) pos_[static_cast<std::size_t>(slot_[k])] = -1;
    slot_[k] = kFree;
  }

  // All slots free along the axes, through the current x.
  void free_basis() {
    verified_rows_ = -1;
    for (int k = 0; k < n_; ++k) {
      if (slot_[k] >= 0) pos_[static_cast<std::size_t>(slot_[k])] = -1;
      slot_[k] = kFree;
      double* u = urow(k);
      double* d = dcol(k);
      std::fill_n(u, n_, 0.0);
      std::fill_n(d, n_, 0.0);
      u[k] = 1.0;
      d[k] = 1.0;
      frhs_[k] = x_[k];
    }
    updates_ = 0;
  }

  // The bound basis: x_j at its lower bound, else its upper bound, else free at its current value.
  void crash_bounds() {
    verified_rows_ = -1;
    free_basis();
    for (int j = 0; j < n_; ++j) {
      int id = -1;
      if (live_[static_cast<std::size_t>(2 * j + 1)])
        id = 2 * j + 1;
      else if (live_[static_cast<std::size_t>(2 * j)])
        id = 2 * j;
      if (id < 0) continue;
      slot_[j] = id;
      pos_[static_cast<std::size_t>(id)] = j;
      dcol(j)[j] = (id & 1) ? -1.0 : 1.0;
    }
    recompute_x();
  }

  // Gauss-Jordan inverse of the basis matrix into D_. False when (numerically) singular.
  bool refactor() {
    const std::size_t un = static_cast<std::size_t>(n_);
    for (int k = 0; k < n_; ++k) slot_row(k, M_.data() + static_cast<std::size_t>(k) * un);
    std::fill(Minv_.begin(), Minv_.end(), 0.0);
    for (std::size_t i = 0; i < un; ++i) Minv_[i * un + i] = 1.0;
    for (std::size_t col = 0; col < un; ++col) {
      std::size_t p = col;
      for (std::size_t i = col + 1; i < un; ++i)
        if (std::fabs(M_[i * un + col]) > std::fabs(M_[p * un + col])) p = i;
      const double pv = M_[p * un + col];
      if (!(std::fabs(pv) > tol::lp_singular)) return false;
      if (p != col)
        for (std::size_t j = 0; j < un; ++j) {
          std::swap(M_[p * un + j], M_[col * un + j]);
          std::swap(Minv_[p * un + j], Minv_[col * un + j]);
        }
      const double inv = 1.0 / pv;
      for (std::size_t j = 0; j < un; ++j) {
        M_[col * un + j] *= inv;
        Minv_[col * un + j] *= inv;
      }
      for (std::size_t i = 0; i < un; ++i) {
        if (i == col) continue;
        const double f = M_[i * un + col];
        if (f == 0.0) continue;
        for (std::size_t j = 0; j < un; ++j) {
          M_[i * un + j] -= f * M_[col * un + j];
          Minv_[i * un + j] -= f * Minv_[col * un + j];
        }
      }
    }
    // Column k of A_B^{-1} is d_k.
    for (std::size_t k = 0; k < un; ++k)
      for (std::size_t i = 0; i < un; ++i) D_[k * un + i] = Minv_[i * un + k];
    updates_ = 0;
    return true;
  }

  void refactor_or_reset() {
    if (!refactor()) free_basis();  // keeps x; the solve goes on from there
    recompute_x();
  }

  // x = A_B^{-1} b_B with two steps of iterative refinement.
  void recompute_x() {
    verified_rows_ = -1;
    with_n([&](auto N) { recompute_x_n<decltype(N)::value>(); });
  }
  template <int N>
  void recompute_x_n() {
    const int n = N > 0 ? N : n_;
    for (int k = 0; k < n; ++k) rb_[k] = slot_rhs(k);
    std::fill(x_.begin(), x_.end(), 0.0);
    for (int k = 0; k < n; ++k) {
      const double* d = dcol(k);
      for (int j = 0; j < n; ++j) x_[j] += rb_[k] * d[j];
    }
    for (int step = 0; step < 2; ++step) {
      for (int k = 0; k < n; ++k) {
        const int id = slot_[k];
        const double ax = id == kFree ? dot_n<N>(U_.data() + static_cast<std::size_t>(k) * n, x_.data())
                                      : dot_con_n<N>(id, x_.data());
        res_[k] = rb_[k] - ax;
      }
      for (int k = 0; k < n; ++k) {
        const double* d = dcol(k);
        for (int j = 0; j < n; ++j) x_[j] += res_[k] * d[j];
      }
    }
  }

  // Slot k leaves, constraint r enters; w_j = a_r . d_j for all slots (w_k is the pivot).
  void pivot(int k, int r) {
    with_n([&](auto N) { pivot_n<decltype(N)::value>(k, r); });
  }
  template <int N>
  void pivot_n(int k, int r) {
    const int n = N > 0 ? N : n_;
    double* dk = dcol(k);
    const double inv = 1.0 / w_[k];
    for (int j = 0; j < n; ++j) dk[j] *= inv;
    for (int l = 0; l < n; ++l) {
      if (l == k || w_[l] == 0.0) continue;
      double* dl = dcol(l);
      const double f = w_[l];
      for (int j = 0; j < n; ++j) dl[j] -= f * dk[j];
    }
    if (slot_[k] >= 0) pos_[static_cast<std::size_t>(slot_[k])] = -1;
    slot_[k] = r;
    pos_[static_cast<std::size_t>(r)] = k;
    ++updates_;
    ++pivots_;
  }

  bool candidate(std::size_t id) const { return live_[id] && pos_[id] < 0; }

  template <int N>
  double dot_n(const double* a, const double* b) const {
    const int n = N > 0 ? N : n_;
    double s = 0.0;
    for (int j = 0; j < n; ++j) s += a[j] * b[j];
    return s;
  }
  template <int N>
  double dot_con_n(int id, const double* v) const {
    if (id < 2 * n_) return (id & 1) ? -v[id >> 1] : v[id >> 1];
    return dot_n<N>(row(id - 2 * n_), v);
  }

  // Slacks of the live nonbasic constraints into s_. Returns the most violated one (largest
  // violation beyond its tolerance; with bland, the smallest index) or -1.
  // `from`: the first constraint id looked at.
  int scan_violation(bool bland = false, int from = 0) {
    return with_n([&](auto N) { return scan_violation_n<decltype(N)::value>(bland, from); });
  }
  template <int N>
  int scan_violation_n(bool bland, int from) {
    int worst = -1;
    double wv = 0.0;
    const int total = 2 * n_ + m_;
    for (int id = from; id < total; ++id) {
      const auto uid = static_cast<std::size_t>(id);
      if (!candidate(uid)) continue;
      const double s = rhs_[uid] - dot_con_n<N>(id, x_.data());
      s_[uid] = s;
      if (s < -ftol_[uid]) {
        if (bland) return id;
        if (-s > wv) {
          wv = -s;
          worst = id;
        }
      }
    }
    return worst;
  }

  // y_k = cost . d_k and dn_k = ||d_k||.
  void duals(const double* cost) {
    with_n([&](auto N) {
      constexpr int kN = decltype(N)::value;
      for (int k = 0; k < n_; ++k) {
        const double* d = dcol(k);
        y_[k] = dot_n<kN>(cost, d);
        dn_[k] = std::sqrt(dot_n<kN>(d, d));
      }
    });
  }

  bool dual_feasible(double otol) const {
    for (int k = 0; k < n_; ++k) {
      if (slot_[k] == kFree ? std::fabs(y_[k]) > otol : y_[k] < -otol) return false;
    }
    return true;
  }

  // c2_ = sum over constrained slots of max(y_k, delta) a_k: the basis is dual feasible for it.
  void shifted_cost() {
    double ymax = 1e-300;
    for (int k = 0; k < n_; ++k) ymax = std::max(ymax, std::fabs(y_[k]));
    const double delta = tol::lp_cost_shift * ymax;
    std::fill(c2_.begin(), c2_.end(), 0.0);
    for (int k = 0; k < n_; ++k) {
      const int id = slot_[k];
      if (id == kFree) continue;
      const double yk = std::max(y_[k], delta);
      if (id < 2 * n_) {
        c2_[id >> 1] += (id & 1) ? -yk : yk;
      } else {
        const double* a = row(id - 2 * n_);
        for (int j = 0; j < n_; ++j) c2_[j] += yk * a[j];
      }
    }
  }

  int free_slots() const {
    int f = 0;
    for (int k = 0; k < n_; ++k) f += slot_[k] == kFree;
    return f;
  }

  // Dual simplex until x is feasible (optimal), or infeasible / iteration_limit. Uses c when the basis
  // is dual feasible for it, else a shifted objective (rebuilt when a free slot leaves).
  LPStatus dual_phase(const double* c, double cn, long long& iter, long long limit) {
    const double* cost = c;
    double otol = tol::lp_optimality * cn;
    duals(c);
    bool shifted = false;
    if (!dual_feasible(otol)) {
      shifted_cost();
      cost = c2_.data();
      otol = tol::lp_optimality * norm2(cost);
      shifted = true;
    }
    bool bland = false;
    int degenerate = 0;
    for (;;) {
      if (updates_ >= kRefactorEvery) refactor_or_reset();
      const int r = scan_violation(bland);
      if (r < 0) return LPStatus::optimal;
      if (iter >= limit) return LPStatus::iteration_limit;
      const double sr = s_[static_cast<std::size_t>(r)];
      duals(cost);
      for (int k = 0; k < n_; ++k) w_[k] = dot_con(r, dcol(k));
      // Harris pass 1: the largest dual step that keeps every multiplier within its tolerance.
      double tmax = kInf;
      bool any = false;
      for (int k = 0; k < n_; ++k) {
        const double ptol = tol::lp_pivot * dn_[k];
        if (slot_[k] == kFree) {
          if (std::fabs(w_[k]) <= ptol) continue;
          const double yk = w_[k] > 0 ? y_[k] : -y_[k];
          tmax = std::min(tmax, std::max(otol + yk, 0.0) / std::fabs(w_[k]));
        } else {
          if (w_[k] <= ptol) continue;
          tmax = std::min(tmax, std::max(otol + y_[k], 0.0) / w_[k]);
        }
        any = true;
      }
      if (!any) return LPStatus::infeasible;
      // Pass 2: among the ratios within tmax, the largest relative pivot (Bland: smallest index).
      int k = -1;
      double best = -1.0, tbest = 0.0;
      int best_id = INT_MAX;
      for (int l = 0; l < n_; ++l) {
        const double ptol = tol::lp_pivot * dn_[l];
        const bool fr = slot_[l] == kFree;
        if (fr ? std::fabs(w_[l]) <= ptol : w_[l] <= ptol) continue;
        const double aw = std::fabs(w_[l]);
        const double t = std::max(0.0, (fr && w_[l] < 0 ? -y_[l] : y_[l]) / aw);
        if (t > tmax) continue;
        if (bland) {
          const int id = fr ? -1 : slot_[l];
          if (id < best_id) {
            best_id = id;
            k = l;
            tbest = t;
          }
        } else if (aw / dn_[l] > best) {
          best = aw / dn_[l];
          k = l;
          tbest = t;
        }
      }
      const bool left_free = slot_[k] == kFree;
      const double step = sr / w_[k];
      const double* dk = dcol(k);
      for (int j = 0; j < n_; ++j) x_[j] += step * dk[j];
      pivot(k, r);
      ++iter;
      if (tbest <= (otol > 0 ? otol : 0.0)) {
        if (++degenerate >= kBlandAfter) bland = true;
      } else {
        degenerate = 0;
        bland = false;
      }
      if (shifted && left_free) {  // a new constrained slot: rebuild the shift (finitely often)
        duals(c);
        if (dual_feasible(tol::lp_optimality * cn)) {
          cost = c;
          otol = tol::lp_optimality * cn;
          shifted = false;
        } else {
          shifted_cost();
          otol = tol::lp_optimality * norm2(cost);
        }
        degenerate = 0;
        bland = false;
      }
    }
  }

  // The primal ratio test's pass 1 along dir_: alpha_ and s_ of the constraints the step moves towards
  // (listed in hits_[0, nh)), and the largest step keeping every constraint within its tolerance.
  // A step is divided out only when it may lower the minimum (the same minimum as dividing each).
  template <int N>
  double ratio_pass1(int total, double ptol, int& nh) {
    double tmax = kInf;
    for (int id = 0; id < total; ++id) {
      const auto uid = static_cast<std::size_t>(id);
      if (!candidate(uid)) continue;
      const double a = dot_con_n<N>(id, dir_.data());
      alpha_[uid] = a;
      if (a <= ptol) continue;
      hits_[static_cast<std::size_t>(nh++)] = id;
      const double s = rhs_[uid] - dot_con_n<N>(id, x_.data());
      s_[uid] = s;
      const double num = std::max(s + ftol_[uid], 0.0), ta = tmax * a;
      if (ta >= std::numeric_limits<double>::min() && num > ta * (1.0 + 1e-12)) continue;  // num / a > tmax
      tmax = std::min(tmax, num / a);
    }
    return tmax;
  }

  // Primal simplex from a feasible x until optimal, unbounded or iteration_limit.
  LPStatus primal_phase(const double* c, double cn, long long& iter, long long limit) {
    const double otol = tol::lp_optimality * cn;
    bool bland = false;
    int degenerate = 0;
    const int total = 2 * n_ + m_;
    for (;;) {
      if (updates_ >= kRefactorEvery) refactor_or_reset();
      duals(c);
      // Pricing: free slots first; steepest edge (Bland: smallest index).
      int k = -1;
      bool kfree = false;
      double best = 0.0;
      int best_id = INT_MAX;
      for (int l = 0; l < n_; ++l) {
        const bool fr = slot_[l] == kFree;
        const double yl = y_[l];
        if (fr ? std::fabs(yl) <= otol : yl >= -otol) continue;
        if (kfree && !fr) continue;
        const double score = std::fabs(yl) / dn_[l];
        const int id = fr ? -1 : slot_[l];
        const bool better = (fr && !kfree) || (bland ? id < best_id : score > best);
        if (better) {
          k = l;
          kfree = fr;
          best = score;
          best_id = id;
        }
      }
      if (k < 0) return LPStatus::optimal;
      if (iter >= limit) return LPStatus::iteration_limit;
      const double sigma = kfree ? (y_[k] > 0 ? 1.0 : -1.0) : -1.0;
      const double* dk = dcol(k);
      for (int j = 0; j < n_; ++j) dir_[j] = sigma * dk[j];
      const double dirn = dn_[k];
      const double ptol = tol::lp_pivot * dirn;
      // Ratio test, pass 1: slacks and steps; the largest step that keeps every constraint within tolerance.
      int nh = 0;
      const double tmax = with_n([&](auto N) { return ratio_pass1<decltype(N)::value>(total, ptol, nh); });
      if (tmax == kInf) return LPStatus::unbounded;
      // Pass 2: the largest pivot among steps within tmax (Bland: the smallest index among the first hit).
      int r = -1;
      double abest = 0.0, step = 0.0;
      if (bland) {
        double tmin = kInf;
        for (int h = 0; h < nh; ++h) {
          const auto uid = static_cast<std::size_t>(hits_[static_cast<std::size_t>(h)]);
          tmin = std::min(tmin, std::max(s_[uid], 0.0) / alpha_[uid]);
        }
        for (int h = 0; h < nh && r < 0; ++h) {
          const int id = hits_[static_cast<std::size_t>(h)];
          const auto uid = static_cast<std::size_t>(id);
          if (std::max(s_[uid], 0.0) - tmin * alpha_[uid] <= ftol_[uid]) r = id;
        }
        step = tmin;
      } else {
        for (int h = 0; h < nh; ++h) {
          const int id = hits_[static_cast<std::size_t>(h)];
          const auto uid = static_cast<std::size_t>(id);
          if (!(alpha_[uid] > abest)) continue;
          const double t = std::max(s_[uid], 0.0) / alpha_[uid];
          if (t <= tmax) {
            abest = alpha_[uid];
            r = id;
            step = t;
          }
        }
      }
      for (int j = 0; j < n_; ++j) x_[j] += step * dir_[j];
      for (int l = 0; l < n_; ++l) w_[l] = dot_con(r, dcol(l));
      pivot(k, r);
      ++iter;
      if (step * dirn <= tol::lp_feasibility) {
        if (++degenerate >= kBlandAfter) bland = true;
      } else {
        degenerate = 0;
        bland = false;
      }
    }
  }

  int n_;
  int m_ = 0;
  // Problem data. Constraint ids: 2j (x_j <= hi_j), 2j+1 (-x_j <= -lo_j), 2n+i (row i).
  std::vector<double> lo_, hi_;
  std::vector<double> A_;            // m x n normalized rows
  std::vector<unsigned char> kind_;  // per row
  std::vector<double> norm_;         // per row, the norm it was given with
  std::vector<double> rhs_;          // per constraint id (normalized)
  std::vector<double> ftol_;         // per constraint id
  std::vector<unsigned char> live_;  // per constraint id: can be violated / enter a basis
  bool bounds_bad_ = false;
  int impossible_ = 0;
  // Basis.
  std::vector<int> slot_;     // constraint id per slot, or kFree
  std::vector<int> pos_;      // slot per constraint id, or -1
  std::vector<double> U_;     // n x n: row k is the direction of free slot k
  std::vector<double> frhs_;  // value of free slot k
  std::vector<double> D_;     // n x n: D_[k*n ...] = d_k, column k of the basis inverse
  int updates_ = 0;
  // Point and workspace.
  std::vector<double> x_, y_, w_, dn_, dir_, c2_, rb_, res_, M_, Minv_;
  std::vector<double> s_, alpha_;  // per constraint id
  std::vector<int> hits_;          // the primal ratio test's constraints in the step's way
  long long pivots_ = 0;
  long long iteration_limit_ = 0;  // 0: automatic
  int verified_rows_ = -1;         // x_ is feasible for the bounds and rows [0, verified_rows_); -1: unknown
};

}  // namespace detail

// The LP kernel of the region walk; see the top of this file.
class LPSolver {
 public:
  explicit LPSolver(int n)
      : n_(n),
        lp_(n),
        cheb_(n + 1),
        c_(static_cast<std::size_t>(n)),
        a_(static_cast<std::size_t>(n) + 1),
        x_(static_cast<std::size_t>(n) + 1),
        lo_(static_cast<std::size_t>(n), -kInf),
        hi_(static_cast<std::size_t>(n), kInf) {
    set_cheb_r_bounds(kInf);
  }

  int n() const { return n_; }
  int rows() const { return lp_.rows(); }

  // lo[j] <= x_j <= hi_j; +-inf allowed. Default: free.
  void set_bounds(const double* lo, const double* hi) {
    lp_.set_bounds(lo, hi);
    std::copy_n(lo, n_, lo_.data());
    std::copy_n(hi, n_, hi_.data());
    cheb_bounds_dirty_ = true;
  }

  // a . x <= b; returns the row index. a is scaled to unit norm internally.
  int add_row(const double* a, double b) { return lp_.add_row(a, b); }

  // Removes rows >= rows (backtracking), keeping the warm start.
  void truncate(int rows) {
    lp_.truncate(rows);
    if (cheb_synced_ > rows) {
      cheb_.truncate(cheb_nb_ + rows);
      cheb_synced_ = rows;
    }
  }

  void reserve(int rows) {
    lp_.reserve(rows);
    cheb_.reserve(rows + 2 * n_);
  }

  LPStatus maximize(const double* c, double* x, double* value) { return lp_.solve(c, x, value); }

  // After maximize(c): the basis' constraint ids and multipliers (see DenseSimplex::basis_multipliers),
  // and the norm row i was given with (its multiplier for the row as given is y / norm).
  void multipliers(const double* c, int* ids, double* y) const { lp_.basis_multipliers(c, ids, y); }
  double row_norm(int i) const { return lp_.row_norm(i); }

  LPStatus minimize(const double* c, double* x, double* value) {
    for (int j = 0; j < n_; ++j) c_[static_cast<std::size_t>(j)] = -c[j];
    const LPStatus st = lp_.solve(c_.data(), x, value);
    if (st == LPStatus::optimal) *value = -*value;
    return st;
  }

  // Chebyshev centre: max r s.t. a_i.x + r ||a_i|| <= b_i, x_j + r <= hi_j, -x_j + r <= -lo_j,
  // 0 <= r <= r_cap (r_cap = +inf allowed: unbounded when P contains arbitrarily large balls).
  // A flat (lower-dimensional) P gives r = 0.
  LPStatus chebyshev(double r_cap, double* x, double* r) {
    if (!(r_cap >= 0.0)) throw std::invalid_argument("LPSolver: r_cap must be >= 0");
    sync_cheb();
    if (r_cap != cheb_rcap_) set_cheb_r_bounds(r_cap);
    std::fill(a_.begin(), a_.end(), 0.0);
    a_[static_cast<std::size_t>(n_)] = 1.0;
    double value = 0.0;
    const LPStatus st = cheb_.solve(a_.data(), x_.data(), &value);
    if (st == LPStatus::optimal) {
      std::copy_n(x_.data(), n_, x);
      *r = std::min(std::max(x_[static_cast<std::size_t>(n_)], 0.0), r_cap);  // within tolerance already
    }
    return st;
  }

  long long pivots() const { return lp_.pivots() + cheb_.pivots(); }
  void reset_stats() {
    lp_.reset_stats();
    cheb_.reset_stats();
  }
  // Pivots per solve before LPStatus::iteration_limit; 0 (default): 10000 + 100 (m + 2n).
  void set_iteration_limit(long long limit) {
    lp_.set_iteration_limit(limit);
    cheb_.set_iteration_limit(limit);
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  void set_cheb_r_bounds(double r_cap) {
    std::vector<double>& lo = x_;  // scratch (n + 1)
    std::fill(lo.begin(), lo.end(), -kInf);
    lo[static_cast<std::size_t>(n_)] = 0.0;
    std::fill(a_.begin(), a_.end(), kInf);
    a_[static_cast<std::size_t>(n_)] = r_cap;
    cheb_.set_bounds(lo.data(), a_.data());
    cheb_rcap_ = r_cap;
  }

  void sync_cheb() {
    const auto un = static_cast<std::size_t>(n_);
    if (cheb_bounds_dirty_) {
      cheb_.truncate(0);
      cheb_nb_ = 0;
      cheb_synced_ = 0;
      for (int j = 0; j < n_; ++j) {
        for (int side = 0; side < 2; ++side) {
          // side 0: x_j + r <= hi_j; side 1: -x_j + r <= -lo_j. An infinite bound adds no row.
          std::fill(a_.begin(), a_.end(), 0.0);
          a_[static_cast<std::size_t>(j)] = side == 0 ? 1.0 : -1.0;
          a_[un] = 1.0;
          const double b = side == 0 ? bound_hi(j) : -bound_lo(j);
          if (b == kInf) continue;
          cheb_.add_row(a_.data(), b);
          ++cheb_nb_;
        }
      }
      cheb_bounds_dirty_ = false;
    }
    for (int i = cheb_synced_; i < lp_.rows(); ++i) {
      const unsigned char kind = lp_.row_kind(i);
      if (kind == detail::DenseSimplex::kLive) {
        std::copy_n(lp_.row(i), n_, a_.data());
        a_[un] = 1.0;
        cheb_.add_row(a_.data(), lp_.row_rhs(i));
      } else {
        std::fill(a_.begin(), a_.end(), 0.0);
        cheb_.add_row(a_.data(), kind == detail::DenseSimplex::kVoid ? kInf : -kInf);
      }
    }
    cheb_synced_ = lp_.rows();
  }

  double bound_lo(int j) const { return lo_[static_cast<std::size_t>(j)]; }
  double bound_hi(int j) const { return hi_[static_cast<std::size_t>(j)]; }

  int n_;
  detail::DenseSimplex lp_, cheb_;
  std::vector<double> c_, a_, x_;
  std::vector<double> lo_, hi_;  // the bounds as given
  bool cheb_bounds_dirty_ = true;
  int cheb_nb_ = 0;      // bound rows at the start of the Chebyshev LP
  int cheb_synced_ = 0;  // main rows mirrored in the Chebyshev LP
  double cheb_rcap_ = -1.0;
};

}  // namespace reluregions
