// Regions of the walk as polytopes: non-redundant facets (H-representation), neighbours across each
// facet, exact volumes for d <= 3.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "control.hpp"
#include "lp.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "tolerances.hpp"
#include "walk.hpp"

namespace reluregions {

struct FacetResult {
  std::vector<double> facets;            // K x (d + 1), unit normal a and offset b: a.u <= b
  std::vector<std::int32_t> units;       // K: hidden unit of the facet, -1 for the domain's boundary
  std::vector<std::int64_t> neighbours;  // K: region across the facet, -1 if none
  std::vector<std::int64_t> offsets{0};  // R + 1
  std::vector<double> volume;            // R (d <= 3; +inf when unbounded), else empty
  std::vector<char> bounded;             // R
};

namespace detail {

// Vertices of {a_k.u <= b_k} (normalized rows, d <= 3) into `out` (V x d).
inline void vertices(int d, const std::vector<double>& F, int m, std::vector<double>& out) {
  out.clear();
  const auto cols = static_cast<std::size_t>(d + 1);
  auto feasible = [&](const double* v) {
    for (int k = 0; k < m; ++k) {
      const double* a = F.data() + static_cast<std::size_t>(k) * cols;
      double s = -a[d];
      for (int j = 0; j < d; ++j) s += a[j] * v[j];
      if (s > 1e-9 * (1.0 + std::fabs(a[d]))) return false;
    }
    return true;
  };
  auto add = [&](const double* v) {
    for (std::size_t p = 0; p < out.size(); p += static_cast<std::size_t>(d)) {
      double dist = 0.0;
      for (int j = 0; j < d; ++j) dist = std::max(dist, std::fabs(out[p + static_cast<std::size_t>(j)] - v[j]));
      if (dist <= 1e-9) return;
    }
    out.insert(out.end(), v, v + d);
  };
  double v[3];
  if (d == 1) {
    for (int i = 0; i < m; ++i) {
      const double* a = F.data() + static_cast<std::size_t>(i) * cols;
      v[0] = a[1] / a[0];
      if (feasible(v)) add(v);
    }
  } else if (d == 2) {
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) {
        const double* a = F.data() + static_cast<std::size_t>(i) * cols;
        const double* b = F.data() + static_cast<std::size_t>(j) * cols;
        const double det = a[0] * b[1] - a[1] * b[0];
        if (std::fabs(det) < 1e-12) continue;
        v[0] = (a[2] * b[1] - a[1] * b[2]) / det;
        v[1] = (a[0] * b[2] - a[2] * b[0]) / det;
        if (feasible(v)) add(v);
      }
  } else {
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j)
        for (int k = j + 1; k < m; ++k) {
          const double* a = F.data() + static_cast<std::size_t>(i) * cols;
          const double* b = F.data() + static_cast<std::size_t>(j) * cols;
          const double* c = F.data() + static_cast<std::size_t>(k) * cols;
          const double det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                             a[2] * (b[0] * c[1] - b[1] * c[0]);
          if (std::fabs(det) < 1e-12) continue;
          // Cramer's rule
          const double r0 = a[3], r1 = b[3], r2 = c[3];
          v[0] = (r0 * (b[1] * c[2] - b[2] * c[1]) - a[1] * (r1 * c[2] - b[2] * r2) + a[2] * (r1 * c[1] - b[1] * r2)) /
                 det;
          v[1] = (a[0] * (r1 * c[2] - b[2] * r2) - r0 * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * r2 - r1 * c[0])) /
                 det;
          v[2] = (a[0] * (b[1] * r2 - r1 * c[1]) - a[1] * (b[0] * r2 - r1 * c[0]) + r0 * (b[0] * c[1] - b[1] * c[0])) /
                 det;
          if (feasible(v)) add(v);
        }
  }
}

// Area of the convex polygon formed by points P (n x 2), ordered by angle about their mean.
inline double polygon_area(std::vector<double>& P) {
  const std::size_t n = P.size() / 2;
  if (n < 3) return 0.0;
  double cx = 0, cy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    cx += P[2 * i];
    cy += P[2 * i + 1];
  }
  cx /= static_cast<double>(n);
  cy /= static_cast<double>(n);
  std::vector<std::pair<double, std::size_t>> ang(n);
  for (std::size_t i = 0; i < n; ++i) ang[i] = {std::atan2(P[2 * i + 1] - cy, P[2 * i] - cx), i};
  std::sort(ang.begin(), ang.end());
  double area = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = ang[k].second, j = ang[(k + 1) % n].second;
    area += P[2 * i] * P[2 * j + 1] - P[2 * j] * P[2 * i + 1];
  }
  return 0.5 * std::fabs(area);
}

// Volume of the bounded polytope {F u <= b} (normalized rows) for d <= 3, from its vertices.
inline double volume(int d, const std::vector<double>& F, int m, const double* inner, std::vector<double>& V,
                     std::vector<double>& scratch) {
  vertices(d, F, m, V);
  const std::size_t nv = V.size() / static_cast<std::size_t>(d);
  if (d == 1) {
    if (nv < 2) return 0.0;
    return std::fabs(V[1] - V[0]);
  }
  if (d == 2) {
    scratch = V;
    return polygon_area(scratch);
  }
  // d == 3: sum over facets of (facet area) * (distance from the inner point) / 3.
  const auto cols = static_cast<std::size_t>(d + 1);
  double vol = 0.0;
  for (int k = 0; k < m; ++k) {
    const double* a = F.data() + static_cast<std::size_t>(k) * cols;
    // An orthonormal basis (e1, e2) of the facet's plane.
    double e1[3], e2[3];
    const int axis = std::fabs(a[0]) < 0.9 ? 0 : 1;
    double t[3] = {0, 0, 0};
    t[axis] = 1.0;
    const double ta = t[0] * a[0] + t[1] * a[1] + t[2] * a[2];
    for (int j = 0; j < 3; ++j) e1[j] = t[j] - ta * a[j];
    const double n1 = std::sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
    for (double& x : e1) x /= n1;
    e2[0] = a[1] * e1[2] - a[2] * e1[1];
    e2[1] = a[2] * e1[0] - a[0] * e1[2];
    e2[2] = a[0] * e1[1] - a[1] * e1[0];
    scratch.clear();
    for (std::size_t p = 0; p < nv; ++p) {
      const double* v = V.data() + 3 * p;
      if (std::fabs(a[0] * v[0] + a[1] * v[1] + a[2] * v[2] - a[3]) > 1e-8 * (1.0 + std::fabs(a[3]))) continue;
      scratch.push_back(e1[0] * v[0] + e1[1] * v[1] + e1[2] * v[2]);
      scratch.push_back(e2[0] * v[0] + e2[1] * v[1] + e2[2] * v[2]);
    }
    const double h = a[3] - (a[0] * inner[0] + a[1] * inner[1] + a[2] * inner[2]);
    vol += polygon_area(scratch) * h / 3.0;
  }
  return vol;
}

}  // namespace detail

// Facets, neighbours and (d <= 3) volumes of the regions in `regions` (which holds rows, witnesses
// and packed patterns), on `dom`. `net` is the network in the walk's coordinates u.
inline FacetResult region_facets(const Network& net, const WalkDomain& dom, const WalkStore& regions, bool volumes,
                                 Control& ctl) {
  const int d = dom.d;
  const auto ud = static_cast<std::size_t>(d);
  const auto cols = ud + 1;
  const std::size_t R = regions.radius.size();
  const int words = net.layout().words();
  PatternIndex index(regions.patterns.data(), R, words);
  FacetResult out;
  LPSolver lp(d), cheb(d + 1);
  std::vector<double> cand, F, V, scratch, a(cols + 1), x(cols + 1), lo(cols), hi(cols), tbuf(cols), e(ud);
  std::vector<std::int32_t> cand_units, F_units;
  std::vector<std::uint64_t> pat(static_cast<std::size_t>(std::max(1, words)));
  Network::Scratch fw(net);
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < R; ++r) {
    ctl.checkpoint(R - r);
    // Candidates: the domain's bounds and rows, then the region's split rows; normalized, deduplicated.
    cand.clear();
    cand_units.clear();
    auto push = [&](const double* row, double b, std::int32_t unit) {
      double nrm = 0.0;
      for (std::size_t j = 0; j < ud; ++j) nrm += row[j] * row[j];
      nrm = std::sqrt(nrm);
      if (!(nrm > 0)) return;
      double* t = tbuf.data();
      for (std::size_t j = 0; j < ud; ++j) t[j] = row[j] / nrm;
      t[ud] = b / nrm;
      for (std::size_t k = 0; k < cand_units.size(); ++k) {
        const double* c = cand.data() + k * cols;
        double diff = 0.0;
        for (std::size_t j = 0; j <= ud; ++j) diff = std::max(diff, std::fabs(c[j] - t[j]));
        if (diff <= 1e-12 * (1.0 + std::fabs(t[ud]))) return;  // coincident: one facet
      }
      cand.insert(cand.end(), t, t + cols);
      cand_units.push_back(unit);
    };
    for (int j = 0; j < d; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      if (std::isfinite(dom.hi[static_cast<std::size_t>(j)])) {
        e[static_cast<std::size_t>(j)] = 1.0;
        push(e.data(), dom.hi[static_cast<std::size_t>(j)], -1);
      }
      if (std::isfinite(dom.lo[static_cast<std::size_t>(j)])) {
        e[static_cast<std::size_t>(j)] = -1.0;
        push(e.data(), -dom.lo[static_cast<std::size_t>(j)], -1);
      }
    }
    for (int k = 0; k < dom.rows(); ++k)
      push(dom.A.data() + static_cast<std::size_t>(k) * ud, dom.b[static_cast<std::size_t>(k)], -1);
    for (auto k = regions.row_offsets[r]; k < regions.row_offsets[r + 1]; ++k) {
      const double* row = regions.rows.data() + static_cast<std::size_t>(k) * cols;
      push(row, row[ud], regions.row_units[static_cast<std::size_t>(k)]);
    }
    const int m = static_cast<int>(cand_units.size());
    // Non-redundant: maximizing a_i.u without row i exceeds b_i.
    F.clear();
    F_units.clear();
    for (int i = 0; i < m; ++i) {
      lp.truncate(0);
      for (int j = 0; j < m; ++j)
        if (j != i)
          lp.add_row(cand.data() + static_cast<std::size_t>(j) * cols, cand[static_cast<std::size_t>(j) * cols + ud]);
      const double* ai = cand.data() + static_cast<std::size_t>(i) * cols;
      double val = 0.0;
      const LPStatus st = lp.maximize(ai, x.data(), &val);
      if (st == LPStatus::optimal && val <= ai[ud] + 1e-9 * (1.0 + std::fabs(ai[ud]))) continue;
      F.insert(F.end(), ai, ai + cols);
      F_units.push_back(cand_units[static_cast<std::size_t>(i)]);
    }
    const int nf = static_cast<int>(F_units.size());
    // Neighbours: from the Chebyshev centre of each facet (relative interior), a small step out.
    for (int i = 0; i < nf; ++i) {
      const double* ai = F.data() + static_cast<std::size_t>(i) * cols;
      std::int64_t nb = -1;
      if (F_units[static_cast<std::size_t>(i)] >= 0) {
        cheb.truncate(0);
        for (int j = 0; j < nf; ++j) {
          const double* aj = F.data() + static_cast<std::size_t>(j) * cols;
          std::copy_n(aj, ud, a.data());
          a[ud] = j == i ? 0.0 : 1.0;
          cheb.add_row(a.data(), aj[ud]);
          if (j == i) {
            for (std::size_t q = 0; q < ud; ++q) a[q] = -aj[q];
            cheb.add_row(a.data(), -aj[ud]);
          }
        }
        std::fill(lo.begin(), lo.end(), -inf);
        std::fill(hi.begin(), hi.end(), inf);
        lo[ud] = 0.0;
        hi[ud] = 1.0;
        cheb.set_bounds(lo.data(), hi.data());
        std::fill(a.begin(), a.end(), 0.0);
        a[ud] = 1.0;
        double rf = 0.0;
        if (cheb.maximize(a.data(), x.data(), &rf) == LPStatus::optimal && rf > 0) {
          double step = std::min(0.25 * rf, 1e-6);
          for (int attempt = 0; attempt < 4 && nb < 0; ++attempt, step *= 0.01) {
            for (std::size_t q = 0; q < ud; ++q) a[q] = x[q] + step * ai[q];
            net.forward(a.data(), nullptr, pat.data(), 0.0, fw);
            nb = index.find(pat.data());
            if (nb == static_cast<std::int64_t>(r)) nb = -1;
          }
        }
      }
      out.neighbours.push_back(nb);
    }
    out.facets.insert(out.facets.end(), F.begin(), F.end());
    out.units.insert(out.units.end(), F_units.begin(), F_units.end());
    out.offsets.push_back(static_cast<std::int64_t>(out.units.size()));
    // Bounded: every coordinate bounded both ways.
    bool bnd = true;
    lp.truncate(0);
    for (int j = 0; j < nf; ++j)
      lp.add_row(F.data() + static_cast<std::size_t>(j) * cols, F[static_cast<std::size_t>(j) * cols + ud]);
    for (int j = 0; j < d && bnd; ++j)
      for (int sgn = -1; sgn <= 1 && bnd; sgn += 2) {
        std::fill(a.begin(), a.end(), 0.0);
        a[static_cast<std::size_t>(j)] = sgn;
        double val = 0.0;
        if (lp.maximize(a.data(), x.data(), &val) == LPStatus::unbounded) bnd = false;
      }
    out.bounded.push_back(bnd ? 1 : 0);
    if (volumes && d <= 3)
      out.volume.push_back(bnd ? detail::volume(d, F, nf, regions.witness.data() + r * ud, V, scratch) : inf);
  }
  return out;
}

}  // namespace reluregions
