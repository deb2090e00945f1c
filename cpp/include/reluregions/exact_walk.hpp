// The walk's domain in exact rationals, and the float domain the fast path uses.
//
// The walk works in coordinates u with x = p + M u (p = origin + basis lo, M = basis diag(hi - lo), all
// exact). The domain there is {lo_k <= u_k <= hi_k (some bounds infinite), a_j.u <= b_j}, exact: built
// from the user's domain (a box lo_x <= x <= hi_x, rows A_x x <= b_x, and/or u in [0, 1]^K for a
// parametrized segment or plane). A box side on an input that only one u coordinate drives becomes a
// bound; everything else a row. Every row is rescaled by a power of two (max |a_k| in [1, 2)) before it
// is rounded to the float row of the fast path, which records a bound on its rounding error.
#pragma once
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "exact.hpp"

namespace reluregions {

// The largest double <= r and the smallest double >= r (+-inf beyond the range).
inline double round_down(const Rational& r) {
  double v = to_double(r);
  if (std::isinf(v) && v > 0) v = std::numeric_limits<double>::max();
  if (!std::isinf(v) && Rational(v) > r) v = std::nextafter(v, -std::numeric_limits<double>::infinity());
  return v;
}
inline double round_up(const Rational& r) {
  double v = to_double(r);
  if (std::isinf(v) && v < 0) v = -std::numeric_limits<double>::max();
  if (!std::isinf(v) && Rational(v) < r) v = std::nextafter(v, std::numeric_limits<double>::infinity());
  return v;
}

struct ExactWalkDomain {
  int d = 0;
  // Bounds: has_lo[k] / has_hi[k] when finite; lo, hi exact.
  std::vector<char> has_lo, has_hi;
  std::vector<Rational> lo, hi;
  // u_k > lo_k exactly  <=>  u_k > lo_up[k] || (u_k == lo_up[k] && lo_up_above[k]) (lo_up: smallest double >= lo).
  std::vector<double> lo_up, hi_dn;
  std::vector<char> lo_up_above, hi_dn_below;
  // Outward-rounded bounds (a rigorous float box; +-inf when unbounded).
  std::vector<double> box_lo, box_hi;
  // Rows a_j.u <= b_j: exact (d + 1 each) and rounded, with a bound on each rounded entry's error.
  int m = 0;
  std::vector<Rational> rows;
  std::vector<double> rows_f, rows_err;
  // Input-space frame when x = origin + scale u coordinatewise (scale a power of two; iso): witnesses are
  // reported, and certified, as the doubles x = fl(origin + scale u).
  bool iso = false;
  std::vector<double> origin;
  double scale = 1.0;

  void add_row(std::vector<Rational> a) {  // a: d + 1 entries
    Rational mx = 0;
    for (int k = 0; k < d; ++k) mx = std::max(mx, Rational(boost::multiprecision::abs(a[static_cast<std::size_t>(k)])));
    if (mx == 0) {
      if (a[static_cast<std::size_t>(d)] < 0) throw std::invalid_argument("the domain has no interior");
      return;  // 0 <= b: always satisfied
    }
    const long k2 = -floor_log2(mx);
    double err = 0.0;
    for (int k = 0; k <= d; ++k) {
      Rational& v = a[static_cast<std::size_t>(k)];
      v = ldexp_exact(v, k2);
      const double f = to_double(v);
      if (!std::isfinite(f))
        throw std::overflow_error("a constraint of the domain overflows float64 in the walk's frame");
      rows_f.push_back(f);
      err = std::max(err, std::fabs(f));
      rows.push_back(v);
    }
    rows_err.push_back(err * kEps * 1.01 + kTiny);
    ++m;
  }

  void finish() {
    lo_up.assign(static_cast<std::size_t>(d), -std::numeric_limits<double>::infinity());
    hi_dn.assign(static_cast<std::size_t>(d), std::numeric_limits<double>::infinity());
    lo_up_above.assign(static_cast<std::size_t>(d), 0);
    hi_dn_below.assign(static_cast<std::size_t>(d), 0);
    box_lo.assign(static_cast<std::size_t>(d), -std::numeric_limits<double>::infinity());
    box_hi.assign(static_cast<std::size_t>(d), std::numeric_limits<double>::infinity());
    for (int k = 0; k < d; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (has_lo[uk]) {
        lo_up[uk] = round_up(lo[uk]);
        lo_up_above[uk] = Rational(lo_up[uk]) > lo[uk];
        box_lo[uk] = round_down(lo[uk]);
      }
      if (has_hi[uk]) {
        hi_dn[uk] = round_down(hi[uk]);
        hi_dn_below[uk] = Rational(hi_dn[uk]) < hi[uk];
        box_hi[uk] = round_up(hi[uk]);
      }
      if (has_lo[uk] && has_hi[uk] && !(lo[uk] < hi[uk])) throw std::invalid_argument("the domain has no interior");
    }
  }
};

// The exact domain of u for x = origin + basis (plo + (phi - plo) u) (u in R^K), with u in [0, 1]^K when
// `unit_box`, the input box xlo <= x <= xhi (n0 entries, +-inf allowed) and rows Ax x <= bx (m x n0).
inline ExactWalkDomain make_exact_walk_domain(int n0, int K, const double* origin, const double* basis,
                                              const double* plo, const double* phi, bool unit_box, const double* xlo,
                                              const double* xhi, const double* Ax, const double* bx, int m) {
  ExactWalkDomain ed;
  ed.d = K;
  const auto uK = static_cast<std::size_t>(K);
  ed.has_lo.assign(uK, 0);
  ed.has_hi.assign(uK, 0);
  ed.lo.assign(uK, Rational(0));
  ed.hi.assign(uK, Rational(0));
  auto tighten_lo = [&](int k, const Rational& v) {
    const auto uk = static_cast<std::size_t>(k);
    if (!ed.has_lo[uk] || v > ed.lo[uk]) ed.lo[uk] = v;
    ed.has_lo[uk] = 1;
  };
  auto tighten_hi = [&](int k, const Rational& v) {
    const auto uk = static_cast<std::size_t>(k);
    if (!ed.has_hi[uk] || v < ed.hi[uk]) ed.hi[uk] = v;
    ed.has_hi[uk] = 1;
  };
  if (unit_box)
    for (int k = 0; k < K; ++k) {
      tighten_lo(k, Rational(0));
      tighten_hi(k, Rational(1));
    }
  // x = p + M u
  std::vector<Rational> p, M;
  exact_frame(n0, K, origin, basis, plo, phi, p, M);
  for (int j = 0; j < n0; ++j) {
    for (int side = 0; side < 2; ++side) {
      const double v = side == 0 ? xlo[j] : xhi[j];
      if (std::isinf(v)) continue;
      if (std::isnan(v)) throw std::invalid_argument("the domain's bounds must not be NaN");
      // side 0: p_j + M_j u >= v ; side 1: p_j + M_j u <= v
      int nz = 0, at = -1;
      for (int k = 0; k < K; ++k)
        if (M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)] != 0) {
          ++nz;
          at = k;
        }
      if (nz == 1) {
        const Rational& mk = M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(at)];
        const Rational bound = (Rational(v) - p[static_cast<std::size_t>(j)]) / mk;
        const bool upper = (side == 1) == (mk > 0);
        if (upper)
          tighten_hi(at, bound);
        else
          tighten_lo(at, bound);
        continue;
      }
      std::vector<Rational> a(uK + 1);
      const Rational sg = side == 0 ? -1 : 1;
      for (int k = 0; k < K; ++k)
        a[static_cast<std::size_t>(k)] = sg * M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)];
      a[uK] = sg * (Rational(v) - p[static_cast<std::size_t>(j)]);
      ed.add_row(std::move(a));
    }
  }
  for (int i = 0; i < m; ++i) {
    std::vector<Rational> a(uK + 1);
    Rational rhs(bx[i]);
    for (int j = 0; j < n0; ++j) {
      const Rational aij(Ax[static_cast<std::size_t>(i) * static_cast<std::size_t>(n0) + static_cast<std::size_t>(j)]);
      if (aij == 0) continue;
      rhs -= aij * p[static_cast<std::size_t>(j)];
      for (int k = 0; k < K; ++k)
        a[static_cast<std::size_t>(k)] += aij * M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)];
    }
    a[uK] = rhs;
    ed.add_row(std::move(a));
  }
  ed.finish();
  return ed;
}

// The exact domain of a float domain taken as exact (for direct use of the core).
inline ExactWalkDomain exact_walk_domain_of(int d, const double* lo, const double* hi, const double* A, const double* b,
                                            int m) {
  ExactWalkDomain ed;
  ed.d = d;
  const auto ud = static_cast<std::size_t>(d);
  ed.has_lo.assign(ud, 0);
  ed.has_hi.assign(ud, 0);
  ed.lo.assign(ud, Rational(0));
  ed.hi.assign(ud, Rational(0));
  for (int k = 0; k < d; ++k) {
    if (std::isfinite(lo[k])) {
      ed.has_lo[static_cast<std::size_t>(k)] = 1;
      ed.lo[static_cast<std::size_t>(k)] = Rational(lo[k]);
    }
    if (std::isfinite(hi[k])) {
      ed.has_hi[static_cast<std::size_t>(k)] = 1;
      ed.hi[static_cast<std::size_t>(k)] = Rational(hi[k]);
    }
  }
  for (int i = 0; i < m; ++i) {
    std::vector<Rational> a(ud + 1);
    for (int k = 0; k < d; ++k)
      a[static_cast<std::size_t>(k)] = Rational(A[static_cast<std::size_t>(i) * ud + static_cast<std::size_t>(k)]);
    a[ud] = Rational(b[i]);
    ed.add_row(std::move(a));
  }
  ed.finish();
  return ed;
}

}  // namespace reluregions
