// Regions of the walk as polytopes: non-redundant facets (H-representation), neighbours across each
// facet, exact volumes for d <= 3.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
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

// A convex polyhedron for the volumes in 3-D: shared vertices, and faces as cycles of vertex indices
// with their outward unit normals. A vertex's side of a cutting plane is computed once and a cut edge
// gives one new vertex, so faces stay consistent with each other however close to a vertex a plane
// passes. Flat arrays, reused from region to region.
struct Polyhedron {
  std::vector<double> verts;       // 3 per vertex
  std::vector<double> normal;      // 3 per face
  std::vector<std::uint32_t> off;  // face f: idx[off[f], off[f + 1])
  std::vector<std::uint32_t> idx;  // vertex indices, in cyclic order
  void clear_faces() {
    normal.clear();
    off.assign(1, 0);
    idx.clear();
  }
  std::size_t faces() const { return normal.size() / 3; }
  const double* vertex(std::uint32_t v) const { return verts.data() + 3 * static_cast<std::size_t>(v); }
  std::uint32_t add_vertex(const double* p) {
    verts.insert(verts.end(), p, p + 3);
    return static_cast<std::uint32_t>(verts.size() / 3 - 1);
  }
};

struct ClipScratch {
  std::vector<double> side;                           // per vertex
  std::vector<std::uint32_t> edge_a, edge_b, edge_v;  // cut edges (a < b) and their new vertex
  std::vector<std::uint32_t> on_plane;                // vertices of the new face
  std::vector<std::pair<double, std::uint32_t>> order;
};

// The cube of half-width R about c.
inline void cube(Polyhedron& P, const double* c, double R) {
  P.verts.clear();
  P.clear_faces();
  for (int q = 0; q < 8; ++q) {
    const double p[3] = {c[0] + ((q & 1) ? R : -R), c[1] + ((q & 2) ? R : -R), c[2] + ((q & 4) ? R : -R)};
    P.add_vertex(p);
  }
  // Faces x = -R, +R, y = -R, +R, z = -R, +R (vertex q has bit k set when coordinate k is +R).
  const std::uint32_t faces[6][4] = {{0, 2, 6, 4}, {1, 5, 7, 3}, {0, 4, 5, 1},
                                     {2, 3, 7, 6}, {0, 1, 3, 2}, {4, 6, 7, 5}};
  for (int f = 0; f < 6; ++f) {
    double n[3] = {0, 0, 0};
    n[f / 2] = (f % 2) ? 1.0 : -1.0;
    P.normal.insert(P.normal.end(), n, n + 3);
    P.idx.insert(P.idx.end(), faces[f], faces[f] + 4);
    P.off.push_back(static_cast<std::uint32_t>(P.idx.size()));
  }
}

// Cuts P to {c.x <= e} (c a unit normal): every face clipped (Sutherland-Hodgman on shared vertices),
// the vertices on the plane closing the new face (ordered by angle about their mean). A plane nearly
// parallel to a face moves a cut only within the thin sliver between them: errors stay of the order of
// the rounding times the size.
inline void clip_polyhedron(Polyhedron& P, const double* c, double e, Polyhedron& out, ClipScratch& s) {
  const std::size_t nv = P.verts.size() / 3;
  s.side.resize(nv);
  for (std::size_t v = 0; v < nv; ++v) {
    const double* p = P.verts.data() + 3 * v;
    s.side[v] = c[0] * p[0] + c[1] * p[1] + c[2] * p[2] - e;
  }
  s.edge_a.clear();
  s.edge_b.clear();
  s.edge_v.clear();
  s.on_plane.clear();
  out.verts.swap(P.verts);  // vertices are shared: the cut points are appended
  out.clear_faces();
  auto cut_vertex = [&](std::uint32_t a, std::uint32_t b) {
    if (a > b) std::swap(a, b);
    for (std::size_t k = 0; k < s.edge_a.size(); ++k)
      if (s.edge_a[k] == a && s.edge_b[k] == b) return s.edge_v[k];
    const double* p = out.vertex(a);
    const double* q = out.vertex(b);
    const double t = s.side[a] / (s.side[a] - s.side[b]);
    const double x[3] = {p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2])};
    const std::uint32_t v = out.add_vertex(x);
    s.edge_a.push_back(a);
    s.edge_b.push_back(b);
    s.edge_v.push_back(v);
    s.on_plane.push_back(v);
    return v;
  };
  for (std::size_t f = 0; f < P.faces(); ++f) {
    const std::size_t b = P.off[f], n = P.off[f + 1] - b;
    const std::size_t start = out.idx.size();
    for (std::size_t q = 0; q < n; ++q) {
      const std::uint32_t i = P.idx[b + q], j = P.idx[b + (q + 1) % n];
      const double vi = s.side[i], vj = s.side[j];
      if (vi <= 0) out.idx.push_back(i);
      if (vi == 0 && std::find(s.on_plane.begin(), s.on_plane.end(), i) == s.on_plane.end()) s.on_plane.push_back(i);
      if ((vi < 0 && vj > 0) || (vi > 0 && vj < 0)) out.idx.push_back(cut_vertex(i, j));
    }
    if (out.idx.size() - start >= 3) {
      out.normal.insert(out.normal.end(), P.normal.begin() + static_cast<std::ptrdiff_t>(3 * f),
                        P.normal.begin() + static_cast<std::ptrdiff_t>(3 * f + 3));
      out.off.push_back(static_cast<std::uint32_t>(out.idx.size()));
    } else {
      out.idx.resize(start);
    }
  }
  const std::size_t k = s.on_plane.size();
  if (k >= 3) {
    // A basis (e1, e2) of the plane; the vertices sorted by angle about their mean.
    const int axis = std::fabs(c[0]) < 0.9 ? 0 : 1;
    double e1[3] = {0, 0, 0};
    e1[axis] = 1.0;
    const double ta = c[axis];
    for (int j = 0; j < 3; ++j) e1[j] -= ta * c[j];
    const double n1 = std::sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
    for (double& v : e1) v /= n1;
    const double e2[3] = {c[1] * e1[2] - c[2] * e1[1], c[2] * e1[0] - c[0] * e1[2], c[0] * e1[1] - c[1] * e1[0]};
    double m[3] = {0, 0, 0};
    for (const std::uint32_t v : s.on_plane)
      for (int j = 0; j < 3; ++j) m[j] += out.vertex(v)[j] / static_cast<double>(k);
    s.order.clear();
    for (const std::uint32_t v : s.on_plane) {
      const double* p = out.vertex(v);
      const double d[3] = {p[0] - m[0], p[1] - m[1], p[2] - m[2]};
      s.order.emplace_back(
          std::atan2(d[0] * e2[0] + d[1] * e2[1] + d[2] * e2[2], d[0] * e1[0] + d[1] * e1[1] + d[2] * e1[2]), v);
    }
    std::sort(s.order.begin(), s.order.end());
    out.normal.insert(out.normal.end(), c, c + 3);
    for (const auto& o : s.order) out.idx.push_back(o.second);
    out.off.push_back(static_cast<std::uint32_t>(out.idx.size()));
  }
  std::swap(P, out);
}

// Volume of a polyhedron: the sum over faces of area * (distance of the face's plane from `inner`) / 3.
inline double polyhedron_volume(const Polyhedron& P, const double* inner) {
  double vol = 0.0;
  for (std::size_t f = 0; f < P.faces(); ++f) {
    const double* n = P.normal.data() + 3 * f;
    const std::size_t b = P.off[f], k = P.off[f + 1] - b;
    const double* p0 = P.vertex(P.idx[b]);
    double area2 = 0.0;  // twice the area: the cross products' component along n
    for (std::size_t q = 1; q + 1 < k; ++q) {
      const double* p1 = P.vertex(P.idx[b + q]);
      const double* p2 = P.vertex(P.idx[b + q + 1]);
      const double u[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
      const double v[3] = {p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]};
      area2 +=
          n[0] * (u[1] * v[2] - u[2] * v[1]) + n[1] * (u[2] * v[0] - u[0] * v[2]) + n[2] * (u[0] * v[1] - u[1] * v[0]);
    }
    const double h = n[0] * (p0[0] - inner[0]) + n[1] * (p0[1] - inner[1]) + n[2] * (p0[2] - inner[2]);
    vol += 0.5 * std::fabs(area2) * h / 3.0;
  }
  return vol;
}

// Volume of the bounded polytope {F u <= b} (m normalized rows, d <= 3) with `inner` inside and every
// point within R of it (max norm): an interval, a square or a cube clipped by every row in turn. A sliver
// can come out a rounding below 0: the caller clamps.
struct VolumeScratch {
  std::vector<double> P, tmp;
  Polyhedron A, B;
  ClipScratch clip;
};

inline double volume(int d, const std::vector<double>& F, int m, const double* inner, double R, VolumeScratch& s) {
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
    square(s.P, inner[0], inner[1], R);
    for (int k = 0; k < m && !s.P.empty(); ++k) clip_polygon(s.P, row(k)[0], row(k)[1], row(k)[2], s.tmp);
    return shoelace(s.P);
  }
  cube(s.A, inner, R);
  for (int k = 0; k < m && s.A.faces() > 0; ++k) clip_polyhedron(s.A, row(k), row(k)[3], s.B, s.clip);
  return polyhedron_volume(s.A, inner);
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
  detail::VolumeScratch vs;
  std::vector<double> cand, F, a(cols + 1), x(cols + 1), lo(cols), hi(cols), tbuf(cols), e(ud);
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
      out.volume.push_back(bnd ? std::max(0.0, detail::volume(d, F, nf, w, 2.0 * reach + 1e-300, vs)) : inf);
  }
  return out;
}

}  // namespace reluregions
