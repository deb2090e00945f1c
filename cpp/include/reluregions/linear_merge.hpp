// Maximal linear regions: neighbouring activation regions whose output affine maps coincide are merged
// (union-find over the adjacency of the regions).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "control.hpp"
#include "exact.hpp"
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

// Equality of the network's output maps on two regions given by their patterns, decided exactly: the
// maps are propagated in floating point from the patterns (not from witnesses) with a rigorous error
// bound; maps that differ beyond it differ, the others are compared in exact rationals.
class ExactMapEquality {
 public:
  explicit ExactMapEquality(const EngineNetwork& en)
      : en_(en), net_(en.net), lay_(en.net.layout()), K_(en.net.input_dim()), exact_(en, en.net.layout()) {
    gamma_ = 2.0 * (K_ + 4) * kEps;
    for (int l = 1; l < net_.num_layers(); ++l) gamma_ += 2.0 * (net_.in_dim(l) + 4) * kEps;
    gamma_ *= 1.01;
  }

  // Float output map (out x (K + 1), row-major) of a pattern and the error bound of each output's coefficients.
  void float_map(const std::uint64_t* pat, std::vector<double>& map, std::vector<double>& err) {
    const int L = net_.num_layers(), cols = K_ + 1;
    cur_.assign(static_cast<std::size_t>(net_.out_dim(0)) * static_cast<std::size_t>(cols), 0.0);
    mag_.assign(static_cast<std::size_t>(net_.out_dim(0)), 0.0);
    for (int i = 0; i < net_.out_dim(0); ++i) {
      double m = std::fabs(net_.b(0)[i]);
      net_.for_row(0, i, [&](int k, double w) {
        cur_[static_cast<std::size_t>(i) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(k)] = w;
        m += std::fabs(w);
      });
      cur_[static_cast<std::size_t>(i) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(K_)] = net_.b(0)[i];
      mag_[static_cast<std::size_t>(i)] = m;
    }
    for (int l = 1; l < L; ++l) {
      const int out = net_.out_dim(l);
      nxt_.assign(static_cast<std::size_t>(out) * static_cast<std::size_t>(cols), 0.0);
      nmag_.assign(static_cast<std::size_t>(out), 0.0);
      for (int i = 0; i < out; ++i) {
        double* dst = nxt_.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(cols);
        double m = std::fabs(net_.b(l)[i]);
        net_.for_row(l, i, [&](int j, double w) {
          const double f = (lay_.get(pat, l - 1, j) ? 1.0 : net_.slope(l - 1, j)) * w;
          if (f == 0.0) return;
          const double* src = cur_.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(cols);
          for (int k = 0; k < cols; ++k) dst[k] += f * src[k];
          m += std::fabs(f) * mag_[static_cast<std::size_t>(j)];
        });
        dst[K_] += net_.b(l)[i];
        nmag_[static_cast<std::size_t>(i)] = m;
      }
      cur_.swap(nxt_);
      mag_.swap(nmag_);
    }
    map = cur_;
    err.resize(mag_.size());
    for (std::size_t o = 0; o < mag_.size(); ++o) err[o] = gamma_ * mag_[o] + kTiny;
  }

  bool equal(const std::uint64_t* p, const std::uint64_t* q) {
    float_map(p, mp_, ep_);
    float_map(q, mq_, eq_);
    const int out = net_.output_dim(), cols = K_ + 1;
    for (int o = 0; o < out; ++o)
      for (int k = 0; k < cols; ++k) {
        const std::size_t at =
            static_cast<std::size_t>(o) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(k);
        if (std::fabs(mp_[at] - mq_[at]) > ep_[static_cast<std::size_t>(o)] + eq_[static_cast<std::size_t>(o)])
          return false;
      }
    ++exact_decisions;
    const int Lo = net_.num_layers() - 1;
    rp_.clear();
    for (int o = 0; o < out; ++o) {
      const Rational* row = exact_.row(Lo, o, p);
      rp_.insert(rp_.end(), row, row + cols);
    }
    for (int o = 0; o < out; ++o) {
      const Rational* row = exact_.row(Lo, o, q);
      for (int k = 0; k < cols; ++k)
        if (row[k] != rp_[static_cast<std::size_t>(o) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(k)])
          return false;
    }
    return true;
  }

  std::uint64_t exact_decisions = 0;

 private:
  const EngineNetwork& en_;
  const Network& net_;
  const PatternLayout& lay_;
  const int K_;
  ExactMaps exact_;
  double gamma_ = 0.0;
  std::vector<double> cur_, nxt_, mag_, nmag_, mp_, mq_, ep_, eq_;
  std::vector<Rational> rp_;
};

// 1-D, exact: the regions of the interval engine, left to right (as it stores them); neighbours whose
// output maps are equal merge.
inline std::vector<std::int64_t> merge_linear_1d_exact(const EngineNetwork& en, std::size_t R,
                                                       const std::uint64_t* patterns) {
  const int words = en.net.layout().words();
  ExactMapEquality eq(en);
  UnionFind uf(R);
  for (std::size_t p = 0; p + 1 < R; ++p)
    if (eq.equal(patterns + p * static_cast<std::size_t>(words), patterns + (p + 1) * static_cast<std::size_t>(words)))
      uf.unite(p, p + 1);
  return uf.labels();
}

// 2-D: for each edge of each region, the region across it is found by flipping the pattern bit of the
// edge's unit (the generic case), checked geometrically; failing that, by a forward pass just across
// the edge's midpoint. Coordinates are the engines' normalized ones; `net` is the folded 2-input network.
inline std::vector<std::int64_t> merge_linear_2d(const Network& net, std::size_t R, const std::uint64_t* patterns,
                                                 const double* verts, const std::int64_t* offsets,
                                                 const std::int32_t* edge_units, const double* witness, Control& ctl,
                                                 ExactMapEquality& exact) {
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
        if (found >= 0 && static_cast<std::size_t>(found) != p &&
            contains(static_cast<std::size_t>(found), pt[0], pt[1], band))
          q = found;
      }
      if (q < 0 || uf.find(p) == uf.find(static_cast<std::size_t>(q))) continue;
      if (exact.equal(patterns + p * static_cast<std::size_t>(words),
                      patterns + static_cast<std::size_t>(q) * static_cast<std::size_t>(words)))
        uf.unite(p, static_cast<std::size_t>(q));
    }
  }
  return uf.labels();
}

}  // namespace reluregions
