// Core tests of the vertex engine (3 to 6 dimensions) against closed forms, without Python.
#include <cstdio>
#include <random>
#include <vector>

#include <reluregions/vertex_engine.hpp>

#include "check.hpp"

using namespace reluregions;

// One hidden layer of the hyperplanes normals[i] . (u - points[i]) = 0 and a sum: its regions on [0, 1]^K
// are the cells of the arrangement.
template <int K>
static std::uint64_t arrangement_count(const std::vector<std::vector<double>>& normals,
                                       const std::vector<std::vector<double>>& points, std::uint64_t max_regions = 0,
                                       bool* complete = nullptr) {
  const int n = static_cast<int>(normals.size());
  std::vector<double> W0, b0;
  for (int i = 0; i < n; ++i) {
    double b = 0.0;
    for (int k = 0; k < K; ++k) {
      W0.push_back(normals[i][k]);
      b -= normals[i][k] * points[i][k];
    }
    b0.push_back(b);
  }
  const Network net({K, n, 1}, {W0, std::vector<double>(n, 1.0)}, {b0, {0.0}}, std::vector<double>{0.0});
  Limits lim;
  lim.max_regions = max_regions;
  lim.partial = true;
  Control ctl(lim);
  CountSink sink;
  VertexEngine<K, CountSink>(net, ctl, sink).run();
  if (complete) *complete = ctl.complete();
  return ctl.regions();
}

static std::uint64_t binomial(int n, int k) {
  std::uint64_t r = 1;
  for (int j = 1; j <= k; ++j) r = r * static_cast<std::uint64_t>(n - k + j) / static_cast<std::uint64_t>(j);
  return r;
}

// Generic hyperplanes through points within 1e-4 of the centre: every K of them meet inside the box,
// so the count is Zaslavsky's sum_{k <= K} C(n, k).
template <int K>
static void test_general_position(int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N(0.0, 1.0);
  std::vector<std::vector<double>> normals(n, std::vector<double>(K)), points(n, std::vector<double>(K));
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < K; ++k) {
      normals[i][k] = N(rng);
      points[i][k] = 0.5 + 1e-4 * N(rng);
    }
  std::uint64_t truth = 0;
  for (int k = 0; k <= K; ++k) truth += binomial(n, k);
  CHECK(arrangement_count<K>(normals, points) == truth);
}

// Integer normals, every 3 independent, all through the centre exactly (and one duplicated): a
// central arrangement, 2 (C(n-1, 0) + C(n-1, 1) + C(n-1, 2)) regions; every split meets a vertex.
static void test_central_degenerate() {
  std::vector<std::vector<double>> normals{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {1, 2, 3}};
  std::vector<std::vector<double>> points(normals.size(), std::vector<double>{0.5, 0.5, 0.5});
  CHECK(arrangement_count<3>(normals, points) == 2 * (1 + 4 + 6));
  normals.push_back({2, 4, 6});  // the last plane again, scaled
  points.push_back({0.5, 0.5, 0.5});
  CHECK(arrangement_count<3>(normals, points) == 2 * (1 + 4 + 6));
  // Planes through a corner of the box and along its faces: they do not cut it.
  CHECK(arrangement_count<3>({{1, 0, 0}, {1, 1, 0}, {1, 1, 1}}, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}) == 1);
}

static void test_limits() {
  std::vector<std::vector<double>> normals, points;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> N(0.0, 1.0);
  for (int i = 0; i < 10; ++i) {
    normals.push_back({N(rng), N(rng), N(rng), N(rng)});
    points.push_back({0.5, 0.5, 0.5, 0.5 + 1e-3 * N(rng)});
  }
  bool complete = true;
  const std::uint64_t part = arrangement_count<4>(normals, points, 50, &complete);
  CHECK(!complete);
  CHECK(part >= 50 && part < 386);
}

int main() {
  test_general_position<3>(12, 1);
  test_general_position<4>(9, 2);
  test_general_position<5>(8, 3);
  test_general_position<6>(8, 4);
  test_central_degenerate();
  test_limits();
  if (check_failures()) {
    std::fprintf(stderr, "%d check(s) failed\n", check_failures());
    return 1;
  }
  std::puts("test_vertex: all checks passed");
  return 0;
}
