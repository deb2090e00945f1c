// Maximal linear regions: neighbouring activation regions whose output affine maps coincide are merged
// (union-find over the adjacency of the regions).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "control.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "tolerances.hpp"

namespace reluregions {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), std::size_t{0}); }
  std::size_t find(std::size_t a) {
    while (parent_[a] != a) a = parent_[a] = parent_[parent_[a]];
    return a;
  }
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }
  // Labels 0, 1, ... in order of each set's first member.
  std::vector<std::int64_t> labels() {
    std::vector<std::int64_t> lab(parent_.size(), -1), id(parent_.size(), -1);
    std::int64_t next = 0;
    for (std::size_t r = 0; r < parent_.size(); ++r) {
      const std::size_t root = find(r);
      if (id[root] < 0) id[root] = next++;
      lab[r] = id[root];
    }
    return lab;
  }

 private:
  std::vector<std::size_t> parent_;
};

// Output maps of regions: A is R x out x dim, c and E are R x out (E bounds the magnitude of the terms).
struct MapsView {
  const double* A;
  const double* c;
  const double* E;
  int out, dim;

  bool equal(std::size_t p, std::size_t q) const {
    for (int o = 0; o < out; ++o) {
      const double* ap = A + (p * out + o) * dim;
      const double* aq = A + (q * out + o) * dim;
      const double cp = c[p * out + o], cq = c[q * out + o];
      double diff = std::fabs(cp - cq), mag = std::fabs(cp) + std::fabs(cq);
      for (int k = 0; k < dim; ++k) {
        diff += std::fabs(ap[k] - aq[k]);
        mag += std::fabs(ap[k]) + std::fabs(aq[k]);
      }
      if (diff > tol::linear * mag + tol::zero * (E[p * out + o] + E[q * out + o])) return false;
    }
    return true;
  }
};

// 1-D: regions touching end to end with equal maps merge. intervals is R x 2.
inline std::vector<std::int64_t> merge_linear_1d(std::size_t R, const double* intervals, const MapsView& maps) {
  std::vector<std::size_t> order(R);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return intervals[2 * a] < intervals[2 * b]; });
  UnionFind uf(R);
  for (std::size_t k = 0; k + 1 < R; ++k) {
    const std::size_t p = order[k], q = order[k + 1];
    const bool touch = std::fabs(intervals[2 * p + 1] - intervals[2 * q]) <= 4 * tol::geometry;
    if (touch && maps.equal(p, q)) uf.unite(p, q);
  }
  return uf.labels();
}

// 2-D: for each edge of each region, the region across it is found by flipping the pattern bit of the
// edge's unit (the generic case), checked geometrically; failing that, by a forward pass just across
// the edge's midpoint. Coordinates are the engines' normalized ones; `net` is the folded 2-input network.
inline std::vector<std::int64_t> merge_linear_2d(const Network& net, std::size_t R, const std::uint64_t* patterns,
                                                 const double* verts, const std::int64_t* offsets,
                                                 const std::int32_t* edge_units, const double* witness,
                                                 const MapsView& maps, Control& ctl) {
  const PatternLayout& lay = net.layout();
  const int words = lay.words();
  PatternIndex index(patterns, R, words);
  UnionFind uf(R);
  std::vector<std::uint64_t> flipped(static_cast<std::size_t>(std::max(1, words)));
  Network::Scratch scratch(net);
  const double band = 4 * tol::geometry;

  // Is point (mx, my) in region q's closed polygon, up to `slack`?
  auto contains = [&](std::size_t q, double mx, double my, double slack) {
    const std::int64_t b = offsets[q], e = offsets[q + 1];
    for (std::int64_t k = b; k < e; ++k) {
      const std::int64_t k2 = k + 1 == e ? b : k + 1;
      const double ex = verts[2 * k2] - verts[2 * k], ey = verts[2 * k2 + 1] - verts[2 * k + 1];
      const double len = std::hypot(ex, ey);
      const double cr = ex * (my - verts[2 * k + 1]) - ey * (mx - verts[2 * k]);
      if (cr < -slack * len) return false;
    }
    return true;
  };

  for (std::size_t p = 0; p < R; ++p) {
    if ((p & 1023u) == 0) ctl.checkpoint(R - p);
    const std::int64_t b = offsets[p], e = offsets[p + 1];
    for (std::int64_t k = b; k < e; ++k) {
      const std::int32_t unit = edge_units[k];
      if (unit < 0) continue;  // domain boundary
      const std::int64_t k2 = k + 1 == e ? b : k + 1;
      const double ax = verts[2 * k], ay = verts[2 * k + 1], bx = verts[2 * k2], by = verts[2 * k2 + 1];
      const double mx = 0.5 * (ax + bx), my = 0.5 * (ay + by);
      const double len = std::hypot(bx - ax, by - ay);
      if (len <= band) continue;
      const double nx = (by - ay) / len, ny = -(bx - ax) / len;  // outward normal (counter-clockwise)
      std::int64_t q = -1;
      // Generic case: only the edge's unit changes across the edge.
      std::copy(patterns + p * words, patterns + (p + 1) * words, flipped.begin());
      int layer, i;
      lay.locate(unit, layer, i);
      lay.flip(flipped.data(), layer, i);
      const std::int64_t cand = index.find(flipped.data());
      if (cand >= 0) {
        const std::size_t cq = static_cast<std::size_t>(cand);
        const double side = (witness[2 * cq] - mx) * nx + (witness[2 * cq + 1] - my) * ny;
        if (side > 0 && contains(cq, mx, my, band)) q = cand;
      }
      if (q < 0) {  // degenerate neighbourhood: locate the point just across the edge
        const double step = 16 * tol::geometry;
        const double pt[2] = {mx + step * nx, my + step * ny};
        net.forward(pt, nullptr, flipped.data(), tol::zero, scratch);
        const std::int64_t found = index.find(flipped.data());
        if (found >= 0 && static_cast<std::size_t>(found) != p && contains(static_cast<std::size_t>(found), pt[0], pt[1], band))
          q = found;
      }
      if (q >= 0 && maps.equal(p, static_cast<std::size_t>(q))) uf.unite(p, static_cast<std::size_t>(q));
    }
  }
  return uf.labels();
}

}  // namespace reluregions
