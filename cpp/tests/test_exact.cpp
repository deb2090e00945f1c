// Core tests of the exact layer: dyadic maps against direct rational sums, power-of-two rescaling,
// folding, and the engines on near-degenerate arrangements whose counts are known.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <reluregions/exact.hpp>
#include <reluregions/reluregions.hpp>

#include "check.hpp"

using namespace reluregions;

// 2 inputs, n lines, one output summing the units.
static Network lines(const std::vector<double>& W, const std::vector<double>& b) {
  const int n = static_cast<int>(b.size());
  return Network({2, n, 1}, {W, std::vector<double>(static_cast<std::size_t>(n), 1.0)}, {b, {0.0}}, {0.0});
}

static std::uint64_t count2d(const Network& net, double lo, double hi) {
  const double origin[2] = {0, 0}, basis[4] = {1, 0, 0, 1}, l[2] = {lo, lo}, h[2] = {hi, hi};
  const EngineNetwork en = make_engine_network(net, 2, origin, basis, l, h);
  Control ctl;
  CountSink sink;
  PolygonEngine<CountSink>(en, ctl, sink).run();
  return ctl.regions();
}

static std::uint64_t count1d(const Network& net, double a0, double a1, double b0, double b1) {
  const double origin[2] = {a0, a1}, basis[2] = {b0 - a0, b1 - a1}, l[1] = {0.0}, h[1] = {1.0};
  const EngineNetwork en = make_engine_network(net, 1, origin, basis, l, h);
  Control ctl;
  CountSink sink;
  IntervalEngine<CountSink>(en, ctl, sink).run();
  return ctl.regions();
}

int main() {
  // floor_log2 and exact rescaling
  CHECK(floor_log2(Rational(1)) == 0);
  CHECK(floor_log2(Rational(3, 2)) == 0);
  CHECK(floor_log2(Rational(1, 3)) == -2);
  CHECK(floor_log2(Rational(1e-300)) == -997);
  CHECK(ldexp_exact(Rational(3), -2) == Rational(3, 4));

  // A random deep network: the dyadic maps equal rational sums computed here, for a random pattern.
  std::mt19937_64 g(5);
  std::normal_distribution<double> N;
  std::vector<int> dims{2, 6, 5, 4, 1};
  std::vector<std::vector<double>> W, b;
  for (std::size_t l = 0; l + 1 < dims.size(); ++l) {
    std::vector<double> Wl(static_cast<std::size_t>(dims[l] * dims[l + 1])), bl(static_cast<std::size_t>(dims[l + 1]));
    for (auto& v : Wl) v = N(g) * std::pow(10.0, static_cast<int>(g() % 7) - 3);
    for (auto& v : bl) v = N(g);
    W.push_back(Wl);
    b.push_back(bl);
  }
  const Network net(dims, W, b, {0.0, 0.25, 0.0});
  ExactNetwork e(net);
  e.normalize_units();
  const Network rounded = e.to_network();
  const PatternLayout& lay = rounded.layout();
  std::vector<std::uint64_t> pat(static_cast<std::size_t>(lay.words()), 0);
  for (int l = 0; l < lay.layers(); ++l)
    for (int i = 0; i < lay.width(l); ++i)
      if (g() & 1) lay.set(pat.data(), l, i);
  ExactMaps maps(e, lay);
  // direct: rows of every layer in rationals
  std::vector<std::vector<Rational>> cur(static_cast<std::size_t>(dims[1]), std::vector<Rational>(3));
  for (int i = 0; i < dims[1]; ++i) {
    cur[static_cast<std::size_t>(i)] = {e.weight(0, i, 0), e.weight(0, i, 1), e.b[0][static_cast<std::size_t>(i)]};
    const Rational* r = maps.row(0, i, pat.data());
    for (int k = 0; k < 3; ++k) CHECK(r[k] == cur[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]);
  }
  for (int l = 1; l < e.num_layers(); ++l) {
    std::vector<std::vector<Rational>> nxt(static_cast<std::size_t>(dims[static_cast<std::size_t>(l) + 1]),
                                           std::vector<Rational>(3));
    for (int i = 0; i < dims[static_cast<std::size_t>(l) + 1]; ++i) {
      for (int j = 0; j < dims[static_cast<std::size_t>(l)]; ++j) {
        const Rational f = lay.get(pat.data(), l - 1, j)
                               ? Rational(1)
                               : e.slopes[static_cast<std::size_t>(l) - 1][static_cast<std::size_t>(j)];
        for (int k = 0; k < 3; ++k)
          nxt[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)] +=
              e.weight(l, i, j) * f * cur[static_cast<std::size_t>(j)][static_cast<std::size_t>(k)];
      }
      nxt[static_cast<std::size_t>(i)][2] += e.b[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)];
      const Rational* r = maps.row(l, i, pat.data());
      for (int k = 0; k < 3; ++k) CHECK(r[k] == nxt[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]);
    }
    cur = nxt;
  }
  // rescaled rows have their largest entry in [1, 2), and the output is unchanged
  for (int l = 0; l + 1 < e.num_layers(); ++l)
    for (int i = 0; i < dims[static_cast<std::size_t>(l) + 1]; ++i) {
      double mx = std::fabs(rounded.b(l)[i]);
      for (int j = 0; j < dims[static_cast<std::size_t>(l)]; ++j)
        mx = std::max(mx, std::fabs(rounded.W(l)[i * dims[static_cast<std::size_t>(l)] + j]));
      CHECK(mx >= 1.0 && mx < 2.0);
    }
  {
    Network::Scratch s1(net), s2(rounded);
    const double x[2] = {0.3, -0.7};
    double y1 = 0, y2 = 0;
    net.forward(x, &y1, nullptr, 0.0, s1);
    rounded.forward(x, &y2, nullptr, 0.0, s2);
    CHECK(std::fabs(y1 - y2) <= 1e-12 * (1 + std::fabs(y1)));
  }

  // Parallel lines a hair apart and three lines through a point, perturbed: exact counts.
  for (double gap : {1e-9, 1e-12, 1e-15}) {
    CHECK(count2d(lines({1.0, 0.5, 1.0, 0.5}, {0.1, 0.1 + gap}), -1, 1) == 3);
    CHECK(count1d(lines({1.0, 0.5, 1.0, 0.5}, {0.1, 0.1 + gap}), -1, -1, 1, 1) == 3);
    CHECK(count2d(lines({1.0, 0.5, 1.0, 0.5 + gap}, {0.1, 0.1}), -1, 1) == 4);
  }
  CHECK(count2d(lines({1, 0, 0, 1, 1, 1}, {-0.25, -0.5, -0.75}), -1, 1) == 6);
  CHECK(count2d(lines({1, 0, 0, 1, 1, 1}, {-0.25, -0.5, -0.75 + 1e-13}), -1, 1) == 7);
  CHECK(count2d(lines({1, 0, 0, 1, 1, 1}, {-0.25, -0.5, -0.75 - 1e-13}), -1, 1) == 7);
  // the same lines at extreme scales (powers of two keep them exactly concurrent)
  for (double s : {std::ldexp(1.0, -500), std::ldexp(1.0, 500)}) {
    CHECK(count2d(lines({s, 0, 0, s, s, s}, {-0.25 * s, -0.5 * s, -0.75 * s}), -1, 1) == 6);
    CHECK(count2d(lines({1 / s, 0, 0, 1 / s, 1 / s, 1 / s}, {-0.25, -0.5, -0.75}), -s, s) == 6);
  }
  if (check_failures() == 0) std::printf("test_exact: all checks passed\n");
  return check_failures() == 0 ? 0 : 1;
}
