// Regions of the walk as polytopes: non-redundant facets (H-representation), neighbours across each
// facet, exact volumes for d <= 3.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "control.hpp"
#include "exact.hpp"
#include "exact_lp.hpp"
#include "exact_walk.hpp"
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

// Clips the convex polygon P (n x 2, in order) to {c.p <= e} (Sutherland-Hodgman). The polygons of the
// volume computation are cut by every other row (no vertex is matched to a facet by a tolerance), so
// rows a hair apart, or meeting at a hair's angle, give the right pieces.
inline void clip_polygon(std::vector<double>& P, double c0, double c1, double e, std::vector<double>& tmp) {
  tmp.clear();
  const std::size_t n = P.size() / 2;
  for (std::size_t q = 0; q < n; ++q) {
    const double* p = P.data() + 2 * q;
    const double* pn = P.data() + 2 * ((q + 1) % n);
    const double vp = c0 * p[0] + c1 * p[1] - e, vn = c0 * pn[0] + c1 * pn[1] - e;
    if (vp <= 0) tmp.insert(tmp.end(), p, p + 2);
    if ((vp < 0 && vn > 0) || (vp > 0 && vn < 0)) {
      const double t = vp / (vp - vn);
      tmp.push_back(p[0] + t * (pn[0] - p[0]));
      tmp.push_back(p[1] + t * (pn[1] - p[1]));
    }
  }
  P.swap(tmp);
}

inline double shoelace(const std::vector<double>& P) {
  const std::size_t n = P.size() / 2;
  double area = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t j = (k + 1) % n;
    area += P[2 * k] * P[2 * j + 1] - P[2 * j] * P[2 * k + 1];
  }
  return 0.5 * std::fabs(area);
}

// The square of half-width R about (c0, c1), as a polygon.
inline void square(std::vector<double>& P, double c0, double c1, double R) {
  P.assign({c0 - R, c1 - R, c0 + R, c1 - R, c0 + R, c1 + R, c0 - R, c1 + R});
}

// Volume of the bounded polytope {F u <= b} (m normalized rows, d <= 3) with `inner` inside and every
// point within R of it (max norm): an interval, a clipped square, or the sum over facets of (facet
// polygon's area, clipped in its plane by the other rows) * (distance from `inner`) / 3. A sliver can
// come out a rounding below 0: the caller clamps.
inline double volume(int d, const std::vector<double>& F, int m, const double* inner, double R, std::vector<double>& P,
                     std::vector<double>& tmp) {
  const auto cols = static_cast<std::size_t>(d + 1);
  auto row = [&](int k) { return F.data() + static_cast<std::size_t>(k) * cols; };
  if (d == 1) {
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    for (int k = 0; k < m; ++k) {
      const double* a = row(k);
      if (a[0] > 0) hi = std::min(hi, a[1] / a[0]);
      if (a[0] < 0) lo = std::max(lo, a[1] / a[0]);
    }
    return std::max(0.0, hi - lo);
  }
  if (d == 2) {
    square(P, inner[0], inner[1], R);
    for (int k = 0; k < m && !P.empty(); ++k) clip_polygon(P, row(k)[0], row(k)[1], row(k)[2], tmp);
    return shoelace(P);
  }
  double vol = 0.0;
  for (int k = 0; k < m; ++k) {
    const double* a = row(k);
    // An orthonormal basis (e1, e2) of the facet's plane, and the foot p0 of `inner` on it.
    double e1[3], e2[3], p0[3];
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
    const double h = a[3] - (a[0] * inner[0] + a[1] * inner[1] + a[2] * inner[2]);
    for (int j = 0; j < 3; ++j) p0[j] = inner[j] + h * a[j];
    square(P, 0.0, 0.0, 2.0 * R);
    for (int j = 0; j < m && !P.empty(); ++j) {
      if (j == k) continue;
      const double* c = row(j);
      clip_polygon(P, c[0] * e1[0] + c[1] * e1[1] + c[2] * e1[2], c[0] * e2[0] + c[1] * e2[1] + c[2] * e2[2],
                   c[3] - (c[0] * p0[0] + c[1] * p0[1] + c[2] * p0[2]), tmp);
    }
    vol += shoelace(P) * h / 3.0;
  }
  return vol;
}

}  // namespace detail

// The walk's exact problem (exact network and domain, as in walk()): with it, which rows are facets is
// decided exactly (float LP first, the exact LP when its value is within tol::facet_margin of the row's
// offset), and near-coincident rows are merged only when they are exactly the same halfspace.
struct FacetExactContext {
  const EngineNetwork* en = nullptr;
  const ExactWalkDomain* ed = nullptr;
};

// Facets, neighbours and (d <= 3) volumes of the regions in `regions` (which holds rows, witnesses
// and packed patterns), on `dom`. `net` is the network in the walk's coordinates u.
inline FacetResult region_facets(const Network& net, const WalkDomain& dom, const WalkStore& regions, bool volumes,
                                 Control& ctl, const FacetExactContext& ex = {}) {
  const int d = dom.d;
  const auto ud = static_cast<std::size_t>(d);
  const auto cols = ud + 1;
  const std::size_t R = regions.radius.size();
  const int words = net.layout().words();
  PatternIndex index(regions.patterns.data(), R, words);
  FacetResult out;
  LPSolver lp(d), cheb(d + 1);
  std::vector<double> cand, F, V, scratch, a(cols + 1), x(cols + 1), lo(cols), hi(cols), tbuf(cols), e(ud);
  std::vector<std::int32_t> cand_units, F_units, cand_src;
  // The exact side: rows of the candidates (built on the region's first ambiguous decision).
  std::unique_ptr<ExactMaps> xm;
  if (ex.en) xm = std::make_unique<ExactMaps>(*ex.en, net.layout());
  std::vector<Rational> erow_a, erow_b, ecand, elp;
  bool have_exact = false;
  // The exact row (a, b: a.u <= b) of candidate source `src` on the region with `pattern`.
  auto exact_row = [&](std::int32_t src, const std::uint64_t* pattern, std::vector<Rational>& row) {
    row.assign(cols, Rational(0));
    const ExactWalkDomain& ed = *ex.ed;
    if (src >= 0) {
      int l = 0, i = 0;
      net.layout().locate(src, l, i);
      const Rational* g = xm->row(l, i, pattern);
      const bool on = net.layout().get(pattern, l, i);  // on: z >= 0 <=> -g.u <= c; off: g.u <= -c
      for (std::size_t j = 0; j < ud; ++j) row[j] = on ? Rational(-g[j]) : g[j];
      row[ud] = on ? g[ud] : Rational(-g[ud]);
    } else if (src >= -2 * d) {
      const auto k = static_cast<std::size_t>((-1 - src) / 2);
      const bool upper = ((-1 - src) % 2) == 1;
      row[k] = upper ? 1 : -1;
      row[ud] = upper ? ed.hi[k] : Rational(-ed.lo[k]);
    } else {
      const auto j = static_cast<std::size_t>(-1 - 2 * d - src);
      std::copy_n(ed.rows.begin() + static_cast<std::ptrdiff_t>(j * cols), cols, row.begin());
    }
  };
  // Exactly the same halfspace: b = lambda a with lambda > 0.
  auto same_halfspace = [&](const std::vector<Rational>& p, const std::vector<Rational>& q) {
    std::size_t k = 0;
    while (k < ud && p[k] == 0) ++k;
    if (k == ud || q[k] == 0 || (p[k] > 0) != (q[k] > 0)) return false;
    for (std::size_t j = 0; j <= ud; ++j)
      if (q[j] * p[k] != p[j] * q[k]) return false;
    return true;
  };
  // Does the region without candidate i reach strictly beyond row i (row i is a facet)? Exactly.
  auto exact_beyond = [&](int i, const std::uint64_t* pattern) {
    const auto m = cand_src.size();
    if (!have_exact) {
      ecand.clear();
      for (std::size_t k = 0; k < m; ++k) {
        exact_row(cand_src[k], pattern, erow_a);
        ecand.insert(ecand.end(), erow_a.begin(), erow_a.end());
      }
      have_exact = true;
    }
    elp.clear();
    for (std::size_t k = 0; k < m; ++k)
      if (k != static_cast<std::size_t>(i))
        elp.insert(elp.end(), ecand.begin() + k * cols, ecand.begin() + (k + 1) * cols);
    for (std::size_t j = 0; j <= ud; ++j) elp.push_back(-ecand[static_cast<std::size_t>(i) * cols + j]);
    return exact_interior(elp, static_cast<int>(m), d).interior;
  };
  std::vector<std::uint64_t> pat(static_cast<std::size_t>(std::max(1, words)));
  Network::Scratch fw(net);
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < R; ++r) {
    ctl.checkpoint(R - r);
    // Candidates: the domain's bounds and rows, then the region's split rows; normalized, deduplicated.
    cand.clear();
    cand_units.clear();
    cand_src.clear();
    have_exact = false;
    const std::uint64_t* pattern = regions.patterns.data() + r * static_cast<std::size_t>(std::max(0, words));
    // src: >= 0 a split unit, -1 - (2k + side) a bound of coordinate k (side 1: upper), -1 - 2d - j row j.
    auto push = [&](const double* row, double b, std::int32_t unit, std::int32_t src) {
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
        if (diff > tol::facet_coincident * (1.0 + std::fabs(t[ud]))) continue;
        if (!ex.en) return;  // coincident: one facet
        exact_row(src, pattern, erow_a);
        exact_row(cand_src[k], pattern, erow_b);
        if (same_halfspace(erow_a, erow_b)) return;
      }
      cand.insert(cand.end(), t, t + cols);
      cand_units.push_back(unit);
      cand_src.push_back(src);
    };
    for (int j = 0; j < d; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      if (std::isfinite(dom.hi[static_cast<std::size_t>(j)])) {
        e[static_cast<std::size_t>(j)] = 1.0;
        push(e.data(), dom.hi[static_cast<std::size_t>(j)], -1, -1 - (2 * j + 1));
      }
      if (std::isfinite(dom.lo[static_cast<std::size_t>(j)])) {
        e[static_cast<std::size_t>(j)] = -1.0;
        push(e.data(), -dom.lo[static_cast<std::size_t>(j)], -1, -1 - 2 * j);
      }
    }
    for (int k = 0; k < dom.rows(); ++k)
      push(dom.A.data() + static_cast<std::size_t>(k) * ud, dom.b[static_cast<std::size_t>(k)], -1, -1 - 2 * d - k);
    for (auto k = regions.row_offsets[r]; k < regions.row_offsets[r + 1]; ++k) {
      const double* row = regions.rows.data() + static_cast<std::size_t>(k) * cols;
      const std::int32_t unit = regions.row_units[static_cast<std::size_t>(k)];
      push(row, row[ud], unit, unit);
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
      bool redundant = false;
      if (st == LPStatus::optimal) {
        const double gap = val - ai[ud], margin = tol::facet_margin * (1.0 + std::fabs(ai[ud]));
        if (ex.en && std::fabs(gap) <= margin)
          redundant = !exact_beyond(i, pattern);
        else
          redundant = gap <= (ex.en ? 0.0 : tol::facet_float * (1.0 + std::fabs(ai[ud])));
      } else if (st != LPStatus::unbounded && ex.en) {
        redundant = !exact_beyond(i, pattern);
      }
      if (redundant) continue;
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
          double step = std::min(0.25 * rf, tol::neighbour_step);
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
    double reach = 0.0;  // max over coordinates of the distance from the witness (for the volumes)
    const double* w = regions.witness.data() + r * ud;
    // In a box every region is bounded (no LP: near-parallel rows can fool a float LP into a ray).
    bool in_box = true;
    for (int j = 0; j < d; ++j) {
      const double lo_j = dom.lo[static_cast<std::size_t>(j)], hi_j = dom.hi[static_cast<std::size_t>(j)];
      in_box = in_box && std::isfinite(lo_j) && std::isfinite(hi_j);
      if (in_box) reach = std::max({reach, hi_j - w[j], w[j] - lo_j});
    }
    lp.truncate(0);
    for (int j = 0; j < nf; ++j)
      lp.add_row(F.data() + static_cast<std::size_t>(j) * cols, F[static_cast<std::size_t>(j) * cols + ud]);
    for (int j = 0; j < d && bnd && !in_box; ++j)
      for (int sgn = -1; sgn <= 1 && bnd; sgn += 2) {
        std::fill(a.begin(), a.end(), 0.0);
        a[static_cast<std::size_t>(j)] = sgn;
        double val = 0.0;
        const LPStatus st = lp.maximize(a.data(), x.data(), &val);
        if (st == LPStatus::unbounded) bnd = false;
        if (st == LPStatus::optimal) reach = std::max(reach, std::fabs(val - sgn * w[j]));
      }
    out.bounded.push_back(bnd ? 1 : 0);
    if (volumes && d <= 3)
      out.volume.push_back(bnd ? std::max(0.0, detail::volume(d, F, nf, w, 2.0 * reach + 1e-300, V, scratch)) : inf);
  }
  return out;
}

}  // namespace reluregions
