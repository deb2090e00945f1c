// Core tests of the 1-D and 2-D engines against closed forms, without Python.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <reluregions/reluregions.hpp>

#include "check.hpp"

using namespace reluregions;

// The zigzag network: 1 input, `depth` layers of `width` units, (width + 1)^depth regions on [0, 1].
static Network zigzag(int width, int depth) {
  const int D = width, n = 2 * D + 1;
  std::vector<double> t(D), o(D, 1.0), s(D + 1), v(D);
  for (int k = 0; k < D; ++k) t[k] = (2.0 * (k + 1) - 1) / n;
  o[2] = -1.0;
  s[0] = n;
  for (int k = 1; k <= D; ++k) s[k] = (k % 2 ? -1.0 : 1.0) * n / 2.0;
  for (int k = 0; k < D; ++k) v[k] = s[k + 1] - s[k];
  const double c = -v[2] * t[2];
  std::vector<int> dims{1};
  std::vector<std::vector<double>> W, b;
  std::vector<double> w0(D), b0(D);
  for (int k = 0; k < D; ++k) {
    w0[k] = o[k];
    b0[k] = -o[k] * t[k];
  }
  W.push_back(w0);
  b.push_back(b0);
  dims.push_back(D);
  for (int l = 1; l < depth; ++l) {
    std::vector<double> wl(static_cast<std::size_t>(D) * D), bl(D);
    for (int j = 0; j < D; ++j) {
      for (int i = 0; i < D; ++i) wl[static_cast<std::size_t>(j) * D + i] = o[j] * v[i];
      bl[j] = o[j] * c - o[j] * t[j];
    }
    W.push_back(wl);
    b.push_back(bl);
    dims.push_back(D);
  }
  W.push_back(v);
  b.push_back({c});
  dims.push_back(1);
  return Network(dims, W, b, std::vector<double>(static_cast<std::size_t>(depth), 0.0));
}

static int& lines_cases_checked() {
  static int n = 0;
  return n;
}

template <class Engine>
static std::uint64_t count(const Network& net) {
  Control ctl;
  CountSink sink;
  Engine(net, ctl, sink).run();
  return ctl.regions();
}

static void test_zigzag() {
  for (auto [w, d] : std::vector<std::pair<int, int>>{{3, 1}, {3, 4}, {4, 3}, {10, 3}, {10, 5}}) {
    const Network net = zigzag(w, d);
    const auto expected = static_cast<std::uint64_t>(std::llround(std::pow(w + 1, d)));
    CHECK(count<IntervalEngine<CountSink>>(net) == expected);
    Control ctl;
    RegionStore store(1, net.layout().words(), 1, true);
    IntervalEngine<RegionStore>(net, ctl, store).run();
    CHECK(store.size() == expected);
    double total = 0;
    for (double m : store.measure) total += m;
    CHECK(std::fabs(total - 1.0) < 1e-9);
    // Witnesses: the forward pattern at each midpoint is the region's pattern.
    Network::Scratch s(net);
    std::vector<std::uint64_t> bits(static_cast<std::size_t>(net.layout().words()));
    int bad = 0;
    for (std::size_t r = 0; r < store.size(); ++r) {
      net.forward(&store.witness[r], nullptr, bits.data(), 0.0, s);
      for (int k = 0; k < net.layout().words(); ++k) bad += bits[k] != store.patterns[r * net.layout().words() + k];
    }
    CHECK(bad == 0);
  }
}

// One hidden layer of n lines through the unit square in general position, all crossings inside:
// 1 + n + n(n-1)/2 regions (Zaslavsky). Every case is checked: the lines are built so that their
// crossings are inside (checked too, as a failure, never a skip).
static void test_lines_in_square() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  for (int n : {1, 2, 3, 8, 20}) {
    // Line i goes through a point within 0.01 of the centre, at angle pi * (i + 0.5 + 0.2 U) / n: any
    // two make an angle of at least 0.6 pi / n, so they cross within 0.03 / sin(0.6 pi / 20) < 0.33 of
    // the centre, inside the square. Random offsets: no three lines are concurrent.
    std::vector<double> W(2 * n), b(n);
    for (int i = 0; i < n; ++i) {
      const double th = M_PI * (i + 0.5 + 0.2 * U(rng)) / n, px = 0.5 + 0.01 * U(rng), py = 0.5 + 0.01 * U(rng);
      W[2 * i] = std::cos(th);
      W[2 * i + 1] = std::sin(th);
      b[i] = -(W[2 * i] * px + W[2 * i + 1] * py);
    }
    int outside = 0;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) {
        const double det = W[2 * i] * W[2 * j + 1] - W[2 * i + 1] * W[2 * j];
        const double x = (-b[i] * W[2 * j + 1] + b[j] * W[2 * i + 1]) / det;
        const double y = (-W[2 * i] * b[j] + W[2 * j] * b[i]) / det;
        outside += !(x > 0.1 && x < 0.9 && y > 0.1 && y < 0.9);
      }
    CHECK(outside == 0);
    const Network net({2, n, 1}, {W, std::vector<double>(n, 1.0)}, {b, {0.0}}, {0.0});
    CHECK(count<PolygonEngine<CountSink>>(net) == static_cast<std::uint64_t>(1 + n + n * (n - 1) / 2));
    ++lines_cases_checked();
  }
  CHECK(lines_cases_checked() == 5);
}

// Degenerate: three concurrent lines through (0.5, 0.5), a doubled line, a dead unit, a line along an edge.
static void test_degenerate_lines() {
  const std::vector<double> W = {1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1};
  const std::vector<double> b = {-0.5, -0.5, -1.0, -0.5, 0.0, 0.0};
  // units: x=0.5, y=0.5, x+y=1 (concurrent), x=0.5 again, dead, y=0 (edge)
  const Network net({2, 6, 1}, {W, std::vector<double>(6, 1.0)}, {b, {0.0}}, {0.0});
  CHECK(count<PolygonEngine<CountSink>>(net) == 6);
  Control ctl;
  RegionStore store(2, net.layout().words(), 1, true);
  PolygonEngine<RegionStore>(net, ctl, store).run();
  double total = 0;
  for (double m : store.measure) total += m;
  CHECK(store.size() == 6);
  CHECK(std::fabs(total - 1.0) < 1e-12);
  // every region is a triangle of area 1/8 or a square... here: 6 regions of areas 1/8, 1/8, 1/8, 1/8, 1/4, 1/4
  int small = 0;
  for (double m : store.measure) small += std::fabs(m - 0.125) < 1e-12;
  CHECK(small == 4);
}

// Partial runs stop at the limit; non-partial ones throw.
static void test_limits() {
  const Network net = zigzag(10, 5);
  Control ctl(Limits{1000, 0.0, true});
  CountSink sink;
  IntervalEngine<CountSink>(net, ctl, sink).run();
  CHECK(ctl.regions() == 1000 && !ctl.complete());
  bool threw = false;
  try {
    Control strict(Limits{1000, 0.0, false});
    IntervalEngine<CountSink>(net, strict, sink).run();
  } catch (const LimitExceeded&) {
    threw = true;
  }
  CHECK(threw);
  // The polygon engine splits a layer depth first: a partial run stops inside the layer, at the limit.
  std::vector<double> W(80), b(40);
  std::mt19937 rng(3);
  std::normal_distribution<double> normal;
  for (double& w : W) w = normal(rng);
  for (double& v : b) v = 0.3 * normal(rng);
  const Network lines({2, 40, 1}, {W, std::vector<double>(40, 1.0)}, {b, {0.0}}, {0.0});
  Control part(Limits{25, 0.0, true});
  PolygonEngine<CountSink>(lines, part, sink).run();
  CHECK(part.regions() == 25 && !part.complete());
  // Regions counted in bulk stop exactly at the limit.
  Control bulk(Limits{10, 0.0, true});
  CHECK(bulk.add_regions(4) && bulk.add_regions(4) && !bulk.add_regions(4));
  CHECK(bulk.regions() == 10 && !bulk.complete());
}

int main() {
  test_zigzag();
  test_lines_in_square();
  test_degenerate_lines();
  test_limits();
  if (check_failures()) {
    std::fprintf(stderr, "%d check(s) failed\n", check_failures());
    return 1;
  }
  std::puts("test_engines: all checks passed");
  return 0;
}
