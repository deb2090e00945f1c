// An exact (rational) LP for the walk's fallback decisions: does a polytope have interior?
//
// Given rows a_j.u <= b_j (u in Q^d), the polytope {u : a_j.u < b_j for all j} is non-empty (the closed
// polytope has interior, when no a_j is zero) iff the LP
//
//     maximize t   s.t.   a_j.u + t <= b_j  (all j),   t <= 1
//
// has optimum t* > 0. It is always feasible (t -> -inf) and bounded (t <= 1), so its dual
//
//     minimize sum_j y_j b_j + y_t   s.t.   sum_j y_j a_j = 0,   sum_j y_j + y_t = 1,   y >= 0
//
// has the same optimum. We solve the dual by a dense tableau simplex in rationals with Bland's rule
// (smallest index enters and leaves: terminates). The start is y_t = 1 plus artificial columns at level
// 0 for the d equations sum_j y_j a_j = 0; they are pivoted out degenerately (a row where that is
// impossible is redundant: the a_j do not span Q^d, and it is dropped). The primal point (u, t) is
// recovered from the optimal basis: pi . M_j = c_j on its basic columns.
#pragma once
#include <cstddef>
#include <vector>

#include "exact.hpp"

namespace reluregions {

struct ExactInteriorResult {
  bool interior = false;    // t* > 0
  Rational t;               // the optimum
  std::vector<Rational> u;  // an optimal point: a_j.u + t* <= b_j (strictly inside when t* > 0)
  long pivots = 0;
};

// rows: m rows of d + 1 rationals (a_j, then b_j), meaning a_j.u <= b_j.
inline ExactInteriorResult exact_interior(const std::vector<Rational>& rows, int m, int d) {
  const int N = m + 1;                                    // columns: rows, then y_t
  const int R = d + 1;                                    // equations: d for sum y a = 0, one for sum y = 1
  const auto cols = static_cast<std::size_t>(N + d + 1);  // + artificials (d) + rhs
  auto M = [&](int i, int j) -> Rational {                // the constraint matrix entry (row i, column j < N)
    if (i == d) return Rational(1);
    if (j == m) return Rational(0);
    return rows[static_cast<std::size_t>(j) * static_cast<std::size_t>(d + 1) + static_cast<std::size_t>(i)];
  };
  auto cost = [&](int j) -> Rational {
    if (j == m) return Rational(1);
    return rows[static_cast<std::size_t>(j) * static_cast<std::size_t>(d + 1) + static_cast<std::size_t>(d)];
  };
  // Tableau rows in terms of the current basis; rhs in the last column.
  std::vector<std::vector<Rational>> T(static_cast<std::size_t>(R), std::vector<Rational>(cols));
  std::vector<int> basis(static_cast<std::size_t>(R));
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < N; ++j) T[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = M(i, j);
  for (int i = 0; i < d; ++i) {
    T[static_cast<std::size_t>(i)][static_cast<std::size_t>(N + i)] = 1;
    basis[static_cast<std::size_t>(i)] = N + i;
  }
  // Row d: y_t is basic with value 1; its column is e_d already (zero in rows < d, one in row d).
  T[static_cast<std::size_t>(d)][cols - 1] = 1;
  basis[static_cast<std::size_t>(d)] = m;
  ExactInteriorResult res;
  auto pivot = [&](int r, int c) {
    ++res.pivots;
    auto& pr = T[static_cast<std::size_t>(r)];
    const Rational p = pr[static_cast<std::size_t>(c)];
    for (auto& v : pr)
      if (v != 0) v /= p;
    for (int i = 0; i < static_cast<int>(T.size()); ++i) {
      if (i == r) continue;
      auto& ti = T[static_cast<std::size_t>(i)];
      const Rational f = ti[static_cast<std::size_t>(c)];
      if (f == 0) continue;
      for (std::size_t k = 0; k < cols; ++k)
        if (pr[k] != 0) ti[k] -= f * pr[k];
    }
    basis[static_cast<std::size_t>(r)] = c;
  };
  // Drive the artificials out (degenerate pivots: their rows have rhs 0), or drop redundant rows.
  for (int i = 0; i < static_cast<int>(T.size());) {
    if (basis[static_cast<std::size_t>(i)] < N) {
      ++i;
      continue;
    }
    int c = -1;
    for (int j = 0; j < N && c < 0; ++j)
      if (T[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] != 0) c = j;
    if (c >= 0) {
      pivot(i, c);
      ++i;
    } else {
      T.erase(T.begin() + i);
      basis.erase(basis.begin() + i);
    }
  }
  const int rows_left = static_cast<int>(T.size());
  // Phase 2, Bland's rule. Reduced cost of column j: c_j - sum_i c_{B_i} T[i][j].
  std::vector<Rational> rc(static_cast<std::size_t>(N));
  for (;;) {
    int enter = -1;
    for (int j = 0; j < N && enter < 0; ++j) {
      Rational r = cost(j);
      for (int i = 0; i < rows_left; ++i) {
        const Rational& t = T[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
        if (t != 0) r -= cost(basis[static_cast<std::size_t>(i)]) * t;
      }
      if (r < 0) enter = j;
    }
    if (enter < 0) break;
    int leave = -1;
    Rational best;
    for (int i = 0; i < rows_left; ++i) {
      const Rational& t = T[static_cast<std::size_t>(i)][static_cast<std::size_t>(enter)];
      if (t <= 0) continue;
      const Rational ratio = T[static_cast<std::size_t>(i)][cols - 1] / t;
      if (leave < 0 || ratio < best ||
          (ratio == best && basis[static_cast<std::size_t>(i)] < basis[static_cast<std::size_t>(leave)])) {
        leave = i;
        best = ratio;
      }
    }
    if (leave < 0) break;  // cannot happen (the dual is bounded below); stop at the current basis
    pivot(leave, enter);
  }
  // Optimum and the primal point: pi . M_j = c_j for the basic columns (free unknowns set to 0).
  Rational value = 0;
  for (int i = 0; i < rows_left; ++i)
    value += cost(basis[static_cast<std::size_t>(i)]) * T[static_cast<std::size_t>(i)][cols - 1];
  res.t = value;
  res.interior = value > 0;
  // Gaussian elimination on the system (rows_left equations, R unknowns).
  std::vector<std::vector<Rational>> S(static_cast<std::size_t>(rows_left),
                                       std::vector<Rational>(static_cast<std::size_t>(R + 1)));
  for (int k = 0; k < rows_left; ++k) {
    const int j = basis[static_cast<std::size_t>(k)];
    for (int i = 0; i < R; ++i) S[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)] = M(i, j);
    S[static_cast<std::size_t>(k)][static_cast<std::size_t>(R)] = cost(j);
  }
  std::vector<int> pivcol;
  int r = 0;
  for (int c = 0; c < R && r < rows_left; ++c) {
    int p = -1;
    for (int k = r; k < rows_left && p < 0; ++k)
      if (S[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] != 0) p = k;
    if (p < 0) continue;
    std::swap(S[static_cast<std::size_t>(p)], S[static_cast<std::size_t>(r)]);
    const Rational pv = S[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
    for (auto& v : S[static_cast<std::size_t>(r)])
      if (v != 0) v /= pv;
    for (int k = 0; k < rows_left; ++k) {
      if (k == r) continue;
      const Rational f = S[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)];
      if (f == 0) continue;
      for (int q = 0; q <= R; ++q)
        if (S[static_cast<std::size_t>(r)][static_cast<std::size_t>(q)] != 0)
          S[static_cast<std::size_t>(k)][static_cast<std::size_t>(q)] -=
              f * S[static_cast<std::size_t>(r)][static_cast<std::size_t>(q)];
    }
    pivcol.push_back(c);
    ++r;
  }
  std::vector<Rational> pi(static_cast<std::size_t>(R));
  for (int k = 0; k < r; ++k)
    pi[static_cast<std::size_t>(pivcol[static_cast<std::size_t>(k)])] =
        S[static_cast<std::size_t>(k)][static_cast<std::size_t>(R)];
  res.u.assign(pi.begin(), pi.begin() + d);
  return res;
}

}  // namespace reluregions
