// Unit tests of the walk (walk.hpp) and region facets (polytope.hpp), without Python.
#include <reluregions/polytope.hpp>
#include <reluregions/vertex_engine.hpp>
#include <reluregions/walk.hpp>

#include <cstdio>
#include <random>

#include "check.hpp"

using namespace reluregions;

namespace {

Network one_layer(int d, int n, std::mt19937_64& g) {
  std::normal_distribution<double> N(0, 1);
  std::vector<double> W0(static_cast<std::size_t>(d * n)), b0(static_cast<std::size_t>(n)),
      W1(static_cast<std::size_t>(n)), b1(1, 0.0);
  for (double& x : W0) x = N(g);
  for (double& x : b0) x = N(g);
  for (double& x : W1) x = N(g);
  return Network({d, n, 1}, {W0, W1}, {b0, b1}, {0.0});
}

// Three hidden layers of width n in R^3 (the middle one leaky), N(0, 1) weights and biases; with
// `thin`, three in four weights between hidden layers zero (those layers stored sparse).
Network three_layers(int n, bool thin, std::mt19937_64& g) {
  std::normal_distribution<double> N(0, 1);
  std::uniform_real_distribution<double> U(0, 1);
  auto draw = [&](int count, bool sparse) {
    std::vector<double> v(static_cast<std::size_t>(count));
    for (double& x : v) x = sparse && U(g) < 0.75 ? 0.0 : N(g);
    return v;
  };
  return Network({3, n, n, n, 1}, {draw(3 * n, false), draw(n * n, thin), draw(n * n, thin), draw(n, false)},
                 {draw(n, false), draw(n, false), draw(n, false), {0.0}}, {0.0, 0.1, 0.0});
}

std::uint64_t binom_sum(int n, int d) {
  std::uint64_t s = 0, c = 1;
  for (int j = 0; j <= d && j <= n; ++j) {
    s += c;
    c = c * static_cast<std::uint64_t>(n - j) / static_cast<std::uint64_t>(j + 1);
  }
  return s;
}

// The walk's count of net over dom with `threads` threads.
std::uint64_t walk_count(const Network& net, const WalkDomain& dom, int threads) {
  Control ctl;
  WalkOptions opt;
  opt.threads = threads;
  WalkStore res;
  walk(net, dom, ctl, opt, res);
  return res.count;
}

WalkDomain space(int d) {
  WalkDomain dom;
  dom.d = d;
  dom.lo.assign(static_cast<std::size_t>(d), -std::numeric_limits<double>::infinity());
  dom.hi.assign(static_cast<std::size_t>(d), std::numeric_limits<double>::infinity());
  dom.r_cap = 1.0;
  return dom;
}

}  // namespace

int main() {
  std::mt19937_64 g(42);
  // Zaslavsky in R^d, with 1 and 2 threads.
  for (int d = 1; d <= 4; ++d)
    for (int n : {3, 9}) {
      Network net = one_layer(d, n, g);
      WalkDomain dom = space(d);
      for (int threads : {1, 2}) CHECK(walk_count(net, dom, threads) == binom_sum(n, d));
    }
  // Deeper nets (the later layers' maps updated from one layer start to the next; dense and sparse
  // storage) in [0, 1]^3: the vertex engine's count, with 1 and 2 threads.
  for (int rep = 0; rep < 6; ++rep) {
    Network net = three_layers(12, rep >= 3, g);
    CHECK(net.sparse(1) == (rep >= 3) && net.sparse(2) == (rep >= 3));
    Control vctl;
    CountSink sink;
    VertexEngine<3, CountSink>(net, vctl, sink).run();
    WalkDomain dom;
    dom.d = 3;
    dom.lo.assign(3, 0.0);
    dom.hi.assign(3, 1.0);
    CHECK(vctl.regions() > 1);
    for (int threads : {1, 2}) CHECK(walk_count(net, dom, threads) == vctl.regions());
  }
  // Stored regions with rows: facets, neighbours, volumes in the unit cube.
  {
    Network net = one_layer(3, 6, g);
    WalkDomain dom;
    dom.d = 3;
    dom.lo.assign(3, 0.0);
    dom.hi.assign(3, 1.0);
    Control ctl;
    WalkOptions opt;
    opt.store = opt.rows = opt.affine = true;
    opt.threads = 2;
    WalkStore res;
    walk(net, dom, ctl, opt, res);
    CHECK(res.count > 1);
    Control ctl2;
    FacetResult f = region_facets(net, dom, res, true, ctl2);
    double vol = 0.0;
    for (double v : f.volume) vol += v;
    CHECK(std::fabs(vol - 1.0) < 1e-9);
    std::size_t with_neighbour = 0;
    for (auto nb : f.neighbours) with_neighbour += nb >= 0;
    CHECK(with_neighbour % 2 == 0 && with_neighbour > 0);  // each shared facet seen from both sides
  }
  // Limits: partial results are marked, non-partial ones throw.
  {
    Network net = one_layer(3, 12, g);
    WalkDomain dom = space(3);
    Limits lim;
    lim.max_regions = 10;
    lim.partial = true;
    Control ctl(lim);
    WalkOptions opt;
    opt.threads = 2;
    WalkStore res;
    walk(net, dom, ctl, opt, res);
    CHECK(!ctl.complete() && res.count <= 10);
    lim.partial = false;
    Control ctl2(lim);
    bool threw = false;
    try {
      WalkStore res2;
      walk(net, dom, ctl2, opt, res2);
    } catch (const LimitExceeded&) {
      threw = true;
    }
    CHECK(threw);
  }
  // Exact decisions: two parallel lines 1e-15 apart, and three lines through the origin (exactly
  // concurrent) in [-1, 1]^2: 3 and 6 regions; witnesses certified, none thin.
  for (int which = 0; which < 2; ++which) {
    Network net = which == 0
                      ? Network({2, 2, 1}, {{1.0, 0.0, 1.0, 0.0}, {1.0, 1.0}}, {{-0.3, -(0.3 + 1e-15)}, {0.0}}, {0.0})
                      : Network({2, 3, 1}, {{1.0, 0.5, -0.25, 1.0, 0.75, 0.125}, {1.0, 1.0, 1.0}},
                                {{0.0, 0.0, 0.0}, {0.0}}, {0.0});
    WalkDomain dom;
    dom.d = 2;
    dom.lo = {-1.0, -1.0};
    dom.hi = {1.0, 1.0};
    for (int threads : {1, 2}) {
      Control ctl;
      WalkOptions opt;
      opt.threads = threads;
      opt.store = true;
      WalkStore res;
      walk(net, dom, ctl, opt, res);
      CHECK(res.count == (which == 0 ? 3u : 6u));
      for (char t : res.thin) CHECK(t == 0);
    }
  }
  // The exact interior LP: the square (0, 1)^2 cut by x + y < 1e-30 has interior; by x + y < 0 not.
  {
    std::vector<Rational> rows;
    auto add = [&](Rational a, Rational b, Rational c) { rows.insert(rows.end(), {a, b, c}); };
    add(1, 0, 1);
    add(-1, 0, 0);
    add(0, 1, 1);
    add(0, -1, 0);
    add(1, 1, Rational(1, 1) / Rational(BigInt(1) << 100));
    ExactInteriorResult r = exact_interior(rows, 5, 2);
    CHECK(r.interior);
    CHECK(r.u[0] > 0 && r.u[1] > 0 && r.u[0] + r.u[1] < Rational(1) / Rational(BigInt(1) << 100));
    rows.back() = 0;
    CHECK(!exact_interior(rows, 5, 2).interior);
  }
  if (check_failures() == 0) std::printf("test_walk: all checks passed\n");
  return check_failures() == 0 ? 0 : 1;
}
