// Unit tests of the dense LP kernel (lp.hpp): small LPs with known answers, degenerate and infeasible
// cases, warm starts against cold solves, truncation, the Chebyshev centre.
#include <reluregions/lp.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

namespace {

int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                     \
  do {                                                                                                            \
    const double va_ = (a), vb_ = (b);                                                                            \
    if (!(std::fabs(va_ - vb_) <= (tol))) {                                                                       \
      std::fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.17g, %s = %.17g\n", __FILE__, __LINE__, #a, va_, #b, \
                   vb_);                                                                                          \
      ++failures;                                                                                                 \
    }                                                                                                             \
  } while (0)

using reluregions::LPSolver;
using reluregions::LPStatus;
using Vec = std::vector<double>;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double eps = 1e-9;

struct Row {
  Vec a;
  double b;
};

// Every row and bound satisfied within tol.
bool feasible(const std::vector<Row>& rows, const Vec& lo, const Vec& hi, const Vec& x, double tol = 1e-8) {
  for (const Row& r : rows) {
    double ax = 0, an = 0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      ax += r.a[j] * x[j];
      an += r.a[j] * r.a[j];
    }
    if (ax - r.b > tol * (std::sqrt(an) + std::fabs(r.b))) return false;
  }
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (!lo.empty() && x[j] < lo[j] - tol * (1 + std::fabs(lo[j]))) return false;
    if (!hi.empty() && x[j] > hi[j] + tol * (1 + std::fabs(hi[j]))) return false;
  }
  return true;
}

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t j = 0; j < a.size(); ++j) s += a[j] * b[j];
  return s;
}

LPStatus maxi(LPSolver& lp, const Vec& c, Vec& x, double& v) {
  x.assign(c.size(), 0.0);
  return lp.maximize(c.data(), x.data(), &v);
}
LPStatus mini(LPSolver& lp, const Vec& c, Vec& x, double& v) {
  x.assign(c.size(), 0.0);
  return lp.minimize(c.data(), x.data(), &v);
}

void test_box_only() {
  LPSolver lp(3);
  const Vec lo{-1, 0, 2}, hi{1, 5, 3};
  lp.set_bounds(lo.data(), hi.data());
  Vec x;
  double v;
  CHECK(maxi(lp, {1, -2, 3}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 1 - 0 + 9, eps);
  CHECK_NEAR(x[0], 1, eps);
  CHECK_NEAR(x[1], 0, eps);
  CHECK_NEAR(x[2], 3, eps);
  CHECK(mini(lp, {1, -2, 3}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, -1 - 10 + 6, eps);
  CHECK(feasible({}, lo, hi, x));
  // Zero objective: any feasible point.
  CHECK(maxi(lp, {0, 0, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 0, eps);
  CHECK(feasible({}, lo, hi, x));
  // Inverted bounds are infeasible.
  const Vec lo2{0, 0, 4};
  lp.set_bounds(lo2.data(), hi.data());
  CHECK(maxi(lp, {1, 0, 0}, x, v) == LPStatus::infeasible);
  // Fixed variable (lo == hi).
  const Vec lo3{0, 1, 2}, hi3{0, 1, 2};
  lp.set_bounds(lo3.data(), hi3.data());
  CHECK(maxi(lp, {1, 1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 3, eps);
  CHECK(mini(lp, {1, 1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 3, eps);
}

void test_simplex() {
  // x >= 0 (rows), sum x <= 1.
  const int n = 4;
  LPSolver lp(n);
  std::vector<Row> rows;
  for (int j = 0; j < n; ++j) {
    Vec a(n, 0.0);
    a[j] = -1;
    rows.push_back({a, 0});
  }
  rows.push_back({Vec(n, 1.0), 1.0});
  for (const Row& r : rows) lp.add_row(r.a.data(), r.b);
  CHECK(lp.rows() == n + 1);
  Vec x;
  double v;
  CHECK(maxi(lp, {1, 2, 3, 2.5}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 3, eps);
  CHECK_NEAR(x[2], 1, eps);
  CHECK(mini(lp, {1, 2, 3, 2.5}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 0, eps);
  CHECK(mini(lp, {1, -2, 3, 2.5}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, -2, eps);
  CHECK(feasible(rows, {}, {}, x));
  // Chebyshev centre of the standard simplex: all coordinates r, r (1 + n/sqrt(n)) = 1.
  double r;
  Vec xc(n);
  CHECK(lp.chebyshev(inf, xc.data(), &r) == LPStatus::optimal);
  const double rr = 1.0 / (n + std::sqrt(double(n)));
  CHECK_NEAR(r, rr, eps);
  for (int j = 0; j < n; ++j) CHECK_NEAR(xc[j], rr, 1e-8);
  CHECK(lp.chebyshev(0.1, xc.data(), &r) == LPStatus::optimal);
  CHECK_NEAR(r, 0.1, eps);
  CHECK(feasible(rows, {}, {}, xc));
}

void test_infeasible_pair() {
  LPSolver lp(2);
  const Vec a1{1, 1}, a2{-1, -1};
  lp.add_row(a1.data(), 1);   // x + y <= 1
  lp.add_row(a2.data(), -2);  // x + y >= 2
  Vec x;
  double v, r;
  CHECK(maxi(lp, {1, 0}, x, v) == LPStatus::infeasible);
  CHECK(mini(lp, {0, 1}, x, v) == LPStatus::infeasible);
  CHECK(maxi(lp, {0, 0}, x, v) == LPStatus::infeasible);
  Vec xc(2);
  CHECK(lp.chebyshev(1.0, xc.data(), &r) == LPStatus::infeasible);
  // Removing the second row makes it feasible (half-plane): max x + y = 1, max x unbounded.
  lp.truncate(1);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 1, eps);
  CHECK(maxi(lp, {1, 0}, x, v) == LPStatus::unbounded);
  CHECK(lp.chebyshev(inf, xc.data(), &r) == LPStatus::unbounded);
  CHECK(lp.chebyshev(2.5, xc.data(), &r) == LPStatus::optimal);
  CHECK_NEAR(r, 2.5, eps);
  CHECK_NEAR(xc[0] + xc[1] + 2.5 * std::sqrt(2.0), 1.0, 1e-8);
  // Parallel rows 1e-6 apart but infeasible, and feasible at a distance 1e-6 scaled 1e6.
  lp.truncate(0);
  const Vec big{1e6, 0}, small{-1e-6, 0};
  lp.add_row(big.data(), 1e6);        // x <= 1
  lp.add_row(small.data(), -1.5e-6);  // x >= 1.5
  CHECK(maxi(lp, {0, 1}, x, v) == LPStatus::infeasible);
  lp.truncate(1);
  lp.add_row(small.data(), -0.5e-6);  // x >= 0.5
  CHECK(mini(lp, {1, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 0.5, eps);
  CHECK(maxi(lp, {1, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 1, eps);
}

void test_unbounded_ray() {
  LPSolver lp(2);
  const Vec lo{0, 0}, hi{inf, inf};
  lp.set_bounds(lo.data(), hi.data());
  const Vec a{1, -1};
  lp.add_row(a.data(), 1);  // x - y <= 1: the ray (1, 1) is unbounded
  Vec x;
  double v;
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::unbounded);
  CHECK(maxi(lp, {1, -1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 1, eps);
  CHECK(maxi(lp, {1, -2}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 1, eps);
  CHECK_NEAR(x[0], 1, eps);
  CHECK_NEAR(x[1], 0, eps);
  CHECK(mini(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 0, eps);
}

void test_free_variables() {
  // No bounds, no rows: any nonzero objective is unbounded; zero is optimal.
  LPSolver lp(3);
  Vec x;
  double v;
  CHECK(maxi(lp, {0, 0, 0}, x, v) == LPStatus::optimal);
  CHECK(maxi(lp, {0, 1, 0}, x, v) == LPStatus::unbounded);
  CHECK(mini(lp, {0, 0, -1}, x, v) == LPStatus::unbounded);
  // A slab in x0 + x1 only; x2 free but with zero cost: optimal (face, not vertex).
  const Vec a1{1, 1, 0}, a2{-1, -1, 0};
  lp.add_row(a1.data(), 2);
  lp.add_row(a2.data(), 1);
  CHECK(maxi(lp, {1, 1, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 2, eps);
  CHECK(mini(lp, {2, 2, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, -2, eps);
  CHECK(maxi(lp, {1, 0, 0}, x, v) == LPStatus::unbounded);
  CHECK(maxi(lp, {1, 1, 1e-3}, x, v) == LPStatus::unbounded);
  // Mixed: x0 in [0, 1], x1 <= 3 only, x2 free; rows bound x2.
  LPSolver lp2(3);
  const Vec lo{0, -inf, -inf}, hi{1, 3, inf};
  lp2.set_bounds(lo.data(), hi.data());
  const Vec r1{0, 0, 1}, r2{1, 1, -1};
  lp2.add_row(r1.data(), 5);  // x2 <= 5
  lp2.add_row(r2.data(), 0);  // x0 + x1 <= x2
  CHECK(maxi(lp2, {1, 1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 9, eps);  // x2 = 5, x0 + x1 <= min(5, 1 + 3)
  CHECK(mini(lp2, {0, 0, 1}, x, v) == LPStatus::unbounded);
  CHECK(maxi(lp2, {0, 1, 0}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 3, eps);
}

// n rows through the origin plus many more through the same vertex (degenerate), maximize into it.
void test_degenerate_vertex() {
  const int n = 3;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(-1, 1);
  for (int trial = 0; trial < 50; ++trial) {
    LPSolver lp(n);
    const Vec x0{0.3, -0.2, 0.5};
    // 10 rows through x0 whose normals lie in the cone around (1, 1, 1), so x0 is the maximizer of (1,1,1).
    std::vector<Row> rows;
    for (int i = 0; i < 10; ++i) {
      Vec a{1 + 0.5 * U(rng), 1 + 0.5 * U(rng), 1 + 0.5 * U(rng)};
      if (trial % 2 == 0)
        for (double& e : a) e = std::round(e);  // integer: exact ties
      rows.push_back({a, dot(a, x0)});
    }
    // Box far away.
    const Vec lo(n, -10), hi(n, 10);
    lp.set_bounds(lo.data(), hi.data());
    for (const Row& r : rows) lp.add_row(r.a.data(), r.b);
    Vec x;
    double v;
    CHECK(maxi(lp, {1, 1, 1}, x, v) == LPStatus::optimal);
    CHECK_NEAR(v, 0.6, 1e-9);
    CHECK(feasible(rows, lo, hi, x));
    // Other objectives inside the cone also end at x0; outside it, elsewhere but still feasible.
    for (int k = 0; k < 20; ++k) {
      const Vec c{U(rng), U(rng), U(rng)};
      CHECK(maxi(lp, c, x, v) == LPStatus::optimal);
      CHECK(feasible(rows, lo, hi, x));
      CHECK_NEAR(v, dot(c, x), 1e-9);
    }
    CHECK(lp.pivots() < 100000);
  }
}

void test_duplicate_and_zero_rows() {
  LPSolver lp(2);
  const Vec a{1, 2}, z{0, 0}, tiny{1e-200, 0};
  for (int k = 0; k < 5; ++k) lp.add_row(a.data(), 4);  // duplicates
  lp.add_row(z.data(), 0);                              // 0 <= 0: fine
  lp.add_row(z.data(), 3);                              // 0 <= 3: fine
  const Vec lo{0, 0}, hi{inf, inf};
  lp.set_bounds(lo.data(), hi.data());
  Vec x;
  double v, r;
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 4, eps);
  CHECK(maxi(lp, {1, 2}, x, v) == LPStatus::optimal);  // the whole edge is optimal
  CHECK_NEAR(v, 4, eps);
  Vec xc(2);
  CHECK(lp.chebyshev(inf, xc.data(), &r) == LPStatus::optimal);
  const double rr = 4.0 / (3.0 + std::sqrt(5.0));  // incircle of the triangle (0,0), (4,0), (0,2)
  CHECK_NEAR(r, rr, 1e-9);
  // A zero row with b < 0 makes everything infeasible, a tiny-norm row too; removing them restores it.
  const int k = lp.rows();
  lp.add_row(z.data(), -1);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::infeasible);
  CHECK(lp.chebyshev(1.0, xc.data(), &r) == LPStatus::infeasible);
  lp.truncate(k);
  lp.add_row(tiny.data(), -1e-300);  // norm below the zero-row threshold, b slightly < 0: tolerated
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  lp.add_row(tiny.data(), -1);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::infeasible);
  lp.truncate(k);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 4, eps);
  // Duplicates of a tighter row, added after solving (dual simplex with ties).
  const Vec b2{2, 1};
  for (int j = 0; j < 4; ++j) lp.add_row(b2.data(), 2);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);  // vertex (0, 2)
  CHECK_NEAR(v, 2, eps);
  CHECK(mini(lp, {-1, 0}, x, v) == LPStatus::optimal);  // vertex (1, 0)
  CHECK_NEAR(v, -1, eps);
}

// Random bounded polytopes: solve with rows added one at a time (warm) vs a fresh solver (cold).
void test_warm_vs_cold() {
  std::mt19937 rng(123);
  std::normal_distribution<double> N(0, 1);
  std::uniform_real_distribution<double> U(0, 1);
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 1 + trial % 6;
    const int m = 5 + trial;
    Vec lo(n), hi(n);
    for (int j = 0; j < n; ++j) {
      const int kind = (trial + j) % 4;
      lo[j] = kind == 0 || kind == 1 ? -1 : -inf;
      hi[j] = kind == 0 || kind == 2 ? 1 : inf;
    }
    std::vector<Row> rows;
    LPSolver warm(n);
    warm.set_bounds(lo.data(), hi.data());
    Vec c(n), xw, xc;
    for (int i = 0; i < m; ++i) {
      Row r{Vec(n), 0};
      for (double& e : r.a) e = N(rng) * std::pow(10.0, 6 * U(rng) - 3);       // row norms over 6 decades
      r.b = (0.2 + U(rng)) * std::sqrt(dot(r.a, r.a));                         // contains a ball around 0
      if (trial % 5 == 4 && i == m - 3) r.b = -10 * std::sqrt(dot(r.a, r.a));  // far cut: may be infeasible
      rows.push_back(r);
      warm.add_row(r.a.data(), r.b);
      for (double& e : c) e = N(rng);
      LPSolver cold(n);
      cold.set_bounds(lo.data(), hi.data());
      for (const Row& q : rows) cold.add_row(q.a.data(), q.b);
      for (int sense = 0; sense < 2; ++sense) {
        double vw = 0, vc = 0;
        const LPStatus sw = sense ? mini(warm, c, xw, vw) : maxi(warm, c, xw, vw);
        const LPStatus sc = sense ? mini(cold, c, xc, vc) : maxi(cold, c, xc, vc);
        CHECK(sw == sc);
        if (sw == LPStatus::optimal && sc == LPStatus::optimal) {
          CHECK_NEAR(vw, vc, 1e-8 * (1 + std::fabs(vc)));
          CHECK(feasible(rows, lo, hi, xw));
          CHECK_NEAR(vw, dot(c, xw), 1e-9 * (1 + std::fabs(vw)));
        }
      }
      double rw = 0, rc = 0;
      Vec cw(n), cc(n);
      const LPStatus tw = warm.chebyshev(1e3, cw.data(), &rw);
      const LPStatus tc = cold.chebyshev(1e3, cc.data(), &rc);
      CHECK(tw == tc);
      if (tw == LPStatus::optimal && tc == LPStatus::optimal) CHECK_NEAR(rw, rc, 1e-8 * (1 + rc));
    }
  }
}

// Truncate then re-add (depth-first search pattern), and compare to cold solves.
void test_truncate_readd() {
  std::mt19937 rng(99);
  std::normal_distribution<double> N(0, 1);
  const int n = 4;
  const Vec lo(n, -1), hi(n, 1);
  LPSolver warm(n);
  warm.set_bounds(lo.data(), hi.data());
  std::vector<Row> rows;
  Vec c(n), xw, xc;
  for (int step = 0; step < 400; ++step) {
    const bool down = rows.size() < 3 || (rows.size() < 40 && rng() % 3 != 0);
    if (down) {
      Row r{Vec(n), 0};
      for (double& e : r.a) e = N(rng);
      r.b = 0.3 * N(rng);  // hyperplanes near the centre, either side: often infeasible deep down
      rows.push_back(r);
      warm.add_row(r.a.data(), r.b);
    } else {
      const int k = int(rng() % rows.size());
      rows.resize(static_cast<std::size_t>(k));
      warm.truncate(k);
    }
    CHECK(warm.rows() == int(rows.size()));
    LPSolver cold(n);
    cold.set_bounds(lo.data(), hi.data());
    for (const Row& q : rows) cold.add_row(q.a.data(), q.b);
    for (int t = 0; t < 2; ++t) {
      for (double& e : c) e = N(rng);
      double vw = 0, vc = 0;
      const LPStatus sw = maxi(warm, c, xw, vw);
      const LPStatus sc = maxi(cold, c, xc, vc);
      CHECK(sw == sc);
      if (sw == LPStatus::optimal && sc == LPStatus::optimal) {
        CHECK_NEAR(vw, vc, 1e-8 * (1 + std::fabs(vc)));
        CHECK(feasible(rows, lo, hi, xw));
      }
    }
    double rw = 0, rc = 0;
    Vec cw(n), cc(n);
    const LPStatus tw = warm.chebyshev(inf, cw.data(), &rw);
    const LPStatus tc = cold.chebyshev(inf, cc.data(), &rc);
    CHECK(tw == tc);
    if (tw == LPStatus::optimal && tc == LPStatus::optimal) {
      CHECK_NEAR(rw, rc, 1e-8);
      CHECK(feasible(rows, lo, hi, cw));
    }
  }
}

void test_iteration_limit_and_stats() {
  LPSolver lp(2);
  const Vec lo{0, 0}, hi{1, 1};
  lp.set_bounds(lo.data(), hi.data());
  Vec x;
  double v;
  lp.reset_stats();
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK(lp.pivots() == 2);
  CHECK(mini(lp, {1, 1}, x, v) == LPStatus::optimal);
  lp.set_iteration_limit(1);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::iteration_limit);
  lp.set_iteration_limit(0);
  CHECK(maxi(lp, {1, 1}, x, v) == LPStatus::optimal);
  CHECK_NEAR(v, 2, eps);
  lp.reset_stats();
  CHECK(lp.pivots() == 0);
}

void test_bad_input() {
  bool threw = false;
  try {
    LPSolver lp(0);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  LPSolver lp(2);
  const Vec nan_row{std::nan(""), 0};
  threw = false;
  try {
    lp.add_row(nan_row.data(), 1);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  threw = false;
  try {
    lp.truncate(3);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

}  // namespace

int main() {
  test_box_only();
  test_simplex();
  test_infeasible_pair();
  test_unbounded_ray();
  test_free_variables();
  test_degenerate_vertex();
  test_duplicate_and_zero_rows();
  test_warm_vs_cold();
  test_truncate_readd();
  test_iteration_limit_and_stats();
  test_bad_input();
  if (failures) {
    std::fprintf(stderr, "test_lp: %d check(s) failed\n", failures);
    return 1;
  }
  std::printf("test_lp: all checks passed\n");
  return 0;
}
