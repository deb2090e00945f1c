// The 2-D engine: splits the unit square layer by layer, depth first. A node is a convex polygon on
// which every earlier unit has a fixed state; the current layer's zero lines cut it into the node's
// children, one line at a time, each piece carrying its partial pattern. Children are visited along a
// Hilbert curve so that consecutive ones differ in few units (their maps are then cheap updates).
#pragma once
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "layerwise.hpp"
#include "polygon.hpp"
#include "results.hpp"

namespace reluregions {

// Position of (x, y) in [0, 1)^2 along a Hilbert curve of 2^16 x 2^16 cells.
inline std::uint64_t hilbert_key(double x, double y) {
  constexpr std::uint32_t n = 1u << 16;
  auto cell = [](double v) {
    const double c = v * n;
    return static_cast<std::uint32_t>(c <= 0 ? 0 : (c >= n - 1 ? n - 1 : c));
  };
  std::uint32_t px = cell(x), py = cell(y);
  std::uint64_t d = 0;
  for (std::uint32_t s = n / 2; s > 0; s /= 2) {
    const std::uint32_t rx = (px & s) ? 1 : 0, ry = (py & s) ? 1 : 0;
    d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        px = n - 1 - px;
        py = n - 1 - py;
      }
      std::swap(px, py);
    }
  }
  return d;
}

template <class Sink>
class PolygonEngine : Layerwise<2> {
 public:
  PolygonEngine(const EngineNetwork& en, Control& ctl, Sink& sink) : Layerwise<2>(en, ctl), sink_(sink) { init(); }
  PolygonEngine(const Network& net, Control& ctl, Sink& sink) : Layerwise<2>(net, ctl), sink_(sink) { init(); }

  // Decisions that floating point could not settle and exact arithmetic made.
  using Layerwise<2>::exact_decisions;

  // Enumerates the regions of the unit square.
  void run() {
    const double x[4] = {0, 1, 1, 0}, y[4] = {0, 0, 1, 1}, d[4] = {0, 0, 0, 0};
    const std::int32_t lab[4] = {kBottom, kRight, kTop, kLeft};
    if (H_ == 0) {
      if (ctl_.add_region()) leaf(x, y, lab, 4);
      return;
    }
    maps_[0].init_first(net_);
    visit(0, x, y, d, lab, 4);
  }

 private:
  void init() {
    if (net_.input_dim() != 2) throw std::invalid_argument("the polygon engine needs a 2-input network");
    levels_.resize(static_cast<std::size_t>(H_));
  }

  // Labels of the sides of the unit square (y = 0, x = 1, y = 1, x = 0); reported as -1.
  static constexpr std::int32_t kBottom = -1, kRight = -2, kTop = -3, kLeft = -4;

  struct Level {
    PolygonArena arena;
    std::vector<PolygonArena::Piece> pieces;
    std::vector<std::uint64_t> bits;  // pieces x layer words
    std::vector<int> candidates;      // units whose line crosses the node
    std::vector<double> lo, hi;       // per unit (node)
    double max_delta = 0.0;           // largest vertex error of the level's pieces
    std::vector<double> cx, cy, cd;   // per edge (piece): where the line crosses it
    std::vector<signed char> cls;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order;
    std::vector<int> changed;
  };

  // The exact line a x + b y + c = 0 of an edge label.
  void exact_line(std::int32_t label, Rational* abc) {
    switch (label) {
      case kBottom:
        abc[0] = 0;
        abc[1] = 1;
        abc[2] = 0;
        return;
      case kRight:
        abc[0] = 1;
        abc[1] = 0;
        abc[2] = -1;
        return;
      case kTop:
        abc[0] = 0;
        abc[1] = 1;
        abc[2] = -1;
        return;
      case kLeft:
        abc[0] = 1;
        abc[1] = 0;
        abc[2] = 0;
        return;
      default: {
        const Rational* row = exact_row(label);
        abc[0] = row[0];
        abc[1] = row[1];
        abc[2] = row[2];
      }
    }
  }

  // The exact intersection of the lines of two labels (which cross: they bound a polygon of positive area).
  void exact_vertex(std::int32_t l1, std::int32_t l2, Rational* pt) {
    Rational p[3], q[3];
    exact_line(l1, p);
    exact_line(l2, q);
    const Rational det = p[0] * q[1] - q[0] * p[1];
    if (det == 0) throw std::logic_error("polygon engine: a vertex on two parallel lines");
    pt[0] = (p[1] * q[2] - q[1] * p[2]) / det;
    pt[1] = (q[0] * p[2] - p[0] * q[2]) / det;
  }

  // Side of unit i on piece p of the node at layer l, decided exactly per vertex; for a split, fills
  // L.cls and the crossing point of every edge the line crosses.
  struct UnitLine {
    double a0, a1, c, bound;
  };

  // Unit i's float line and one error bound for its value at every vertex of the level's pieces
  // (coordinates in [0, 1] up to rounding, vertex errors at most L.max_delta).
  UnitLine unit_line(int l, const Level& L, int i) {
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    const double a0 = m.lin(0)[i], a1 = m.lin(1)[i], c = m.cst()[i];
    const double g1 = std::fabs(a0) + std::fabs(a1), ce = coef_err(l, i, false);
    return UnitLine{a0, a1, c,
                    3.01 * ce + 4 * kEps * (g1 + std::fabs(c)) * 1.01 + (g1 + 2 * ce) * L.max_delta * 1.01 + kTiny};
  }

  Side evaluate(int l, Level& L, int i, const UnitLine& line, PolygonArena::Piece p) {
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    const double* d = L.arena.delta.data() + p.off;
    const std::int32_t* lab = L.arena.label.data() + p.off;
    const double a0 = line.a0, a1 = line.a1, c = line.c, bound = line.bound;
    // The few vertices within the bound are decided one by one.
    bool pos = false, neg = false, unsure = false;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const double z = a0 * x[k] + a1 * y[k] + c;
      const signed char sg = z > bound ? 1 : (z < -bound ? -1 : 0);
      L.cls[k] = sg;
      pos = pos || sg > 0;
      neg = neg || sg < 0;
      unsure = unsure || sg == 0;
    }
    if (unsure) {
      for (std::uint32_t k = 0; k < p.n; ++k) {
        if (L.cls[k] != 0) continue;
        const double u[2] = {x[k], y[k]};
        const std::int32_t before = lab[k == 0 ? p.n - 1 : k - 1], after = lab[k];
        const int sg = sign_at(l, i, u, d[k], [&](Rational* pt) { exact_vertex(before, after, pt); });
        L.cls[k] = static_cast<signed char>(sg);
        pos = pos || sg > 0;
        neg = neg || sg < 0;
      }
    }
    if (!(pos && neg)) return pos ? Side::on : Side::off;
    const std::int32_t cut = lay_.unit_offset(l) + i;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const std::uint32_t k2 = k + 1 == p.n ? 0 : k + 1;
      if (L.cls[k] * L.cls[k2] >= 0) continue;
      crossing(L, k, lab[k], cut);
      L.max_delta = std::max(L.max_delta, L.cd[k]);
    }
    return Side::split;
  }

  // The float line a x + b y + c = 0 of an edge label on the current path, with a bound on the error
  // of each coefficient.
  // tight: from maps recomputed without updates and the node's magnitude bound (see coef_err).
  void float_line(std::int32_t label, double* abc, double& err, bool tight) {
    err = 0.0;
    switch (label) {
      case kBottom:
        abc[0] = 0;
        abc[1] = 1;
        abc[2] = 0;
        return;
      case kRight:
        abc[0] = 1;
        abc[1] = 0;
        abc[2] = -1;
        return;
      case kTop:
        abc[0] = 0;
        abc[1] = 1;
        abc[2] = -1;
        return;
      case kLeft:
        abc[0] = 1;
        abc[1] = 0;
        abc[2] = 0;
        return;
      default: {
        int l = 0, i = 0;
        lay_.locate(label, l, i);
        if (tight && !exact_[static_cast<std::size_t>(l)]) recompute_exact(l);
        const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
        abc[0] = m.lin(0)[i];
        abc[1] = m.lin(1)[i];
        abc[2] = m.cst()[i];
        err = coef_err(l, i, tight);
      }
    }
  }

  // Where the line of `cut` crosses edge k (on the line of `edge`): the intersection of the two float
  // lines (Cramer's rule) with a bound on its distance to the exact point, which does not grow with
  // the number of cuts; the exact intersection, rounded, when that bound is not small.
  void crossing(Level& L, std::uint32_t k, std::int32_t edge, std::int32_t cut) {
    for (int tier = 0; tier < 2; ++tier) {
      double p[3], q[3], ep = 0.0, eq = 0.0;
      float_line(edge, p, ep, tier == 1);
      float_line(cut, q, eq, tier == 1);
      const double det = p[0] * q[1] - q[0] * p[1];
      const double nx = p[1] * q[2] - q[1] * p[2], ny = q[0] * p[2] - p[0] * q[2];
      const double cross2 = ep * eq * 2.0;
      const double det_err = ep * (std::fabs(q[0]) + std::fabs(q[1])) + eq * (std::fabs(p[0]) + std::fabs(p[1])) +
                             2 * kEps * (std::fabs(p[0] * q[1]) + std::fabs(q[0] * p[1])) + cross2;
      const double nx_err = ep * (std::fabs(q[1]) + std::fabs(q[2])) + eq * (std::fabs(p[1]) + std::fabs(p[2])) +
                            2 * kEps * (std::fabs(p[1] * q[2]) + std::fabs(q[1] * p[2])) + cross2;
      const double ny_err = ep * (std::fabs(q[0]) + std::fabs(q[2])) + eq * (std::fabs(p[0]) + std::fabs(p[2])) +
                            2 * kEps * (std::fabs(q[0] * p[2]) + std::fabs(p[0] * q[2])) + cross2;
      if (!(std::fabs(det) > 4 * det_err)) continue;
      const double x = nx / det, y = ny / det, dd = std::fabs(det) - det_err;
      const double delta = std::max((nx_err + std::fabs(x) * det_err) / dd + 2 * kEps * std::fabs(x),
                                    (ny_err + std::fabs(y) * det_err) / dd + 2 * kEps * std::fabs(y)) *
                               1.01 +
                           kTiny;
      if (delta < 1e-7) {  // a loose vertex costs a few more certified signs later; an exact one costs more
        L.cx[k] = x;
        L.cy[k] = y;
        L.cd[k] = delta;
        return;
      }
    }
    ++exact_decisions_;
    Rational pt[2];
    exact_vertex(edge, cut, pt);
    L.cx[k] = to_double(pt[0]);
    L.cy[k] = to_double(pt[1]);
    L.cd[k] = 2 * kEps * std::max({std::fabs(L.cx[k]), std::fabs(L.cy[k]), 1.0}) + kTiny;
  }

  void ensure_vertex_space(Level& L, std::size_t n) {
    if (L.cls.size() >= 2 * n + 8) return;
    for (auto* v : {&L.cx, &L.cy, &L.cd}) v->resize(2 * n + 8);
    L.cls.resize(2 * n + 8);
  }

  void visit(int l, const double* px, const double* py, const double* pd, const std::int32_t* plab, std::uint32_t pn) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    const int n = m.width;
    const int lw = lay_.layer_words(l);
    L.arena.clear();
    L.pieces.clear();
    L.candidates.clear();
    L.pieces.push_back(L.arena.copy_from(px, py, pd, plab, pn));
    L.bits.assign(static_cast<std::size_t>(lw), 0);
    ensure_vertex_space(L, pn);
    double max_delta = 0.0;
    for (std::uint32_t k = 0; k < pn; ++k) max_delta = std::max(max_delta, pd[k]);
    L.max_delta = max_delta;

    // Every unit on the node's polygon, vertex by vertex (vectorizes over units).
    L.lo.assign(static_cast<std::size_t>(n), 0.0);
    L.hi.assign(static_cast<std::size_t>(n), 0.0);
    {
      const double* a0 = m.lin(0);
      const double* a1 = m.lin(1);
      const double* c = m.cst();
      double* lo = L.lo.data();
      double* hi = L.hi.data();
      for (int i = 0; i < n; ++i) lo[i] = hi[i] = a0[i] * px[0] + a1[i] * py[0] + c[i];
      for (std::uint32_t k = 1; k < pn; ++k) {
        const double xk = px[k], yk = py[k];
        for (int i = 0; i < n; ++i) {
          const double z = a0[i] * xk + a1[i] * yk + c[i];
          lo[i] = z < lo[i] ? z : lo[i];
          hi[i] = z > hi[i] ? z : hi[i];
        }
      }
      const double* ceil = ceiling_[static_cast<std::size_t>(l)].data();
      const double g = g_[static_cast<std::size_t>(l)] * 1.01;
      for (int i = 0; i < n; ++i) {
        // Certified on / off / crossing over the whole node (vertices in [0, 1]^2 up to rounding);
        // anything else is checked for being identically zero, then decided piece by piece, exactly.
        if (net_.is_linear(l, i)) continue;  // no boundary: bit stays clear, factor 1
        const double g1 = std::fabs(a0[i]) + std::fabs(a1[i]), ce = g * ceil[i] + kTiny;
        const double bound =
            3.01 * ce + 4 * kEps * (g1 + std::fabs(c[i])) * 1.01 + (g1 + 2 * ce) * max_delta * 1.01 + kTiny;
        if (lo[i] > bound) {
          L.bits[static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        } else if (hi[i] < -bound) {
          continue;
        } else if (lo[i] < -bound && hi[i] > bound) {
          L.candidates.push_back(i);
        } else if (!is_zero(l, i)) {
          L.candidates.push_back(i);
        }
      }
    }

    const std::int32_t unit0 = lay_.unit_offset(l);
    for (int i : L.candidates) {
      const std::size_t count = L.pieces.size();
      const UnitLine line = unit_line(l, L, i);
      for (std::size_t j = 0; j < count; ++j) {
        const PolygonArena::Piece p = L.pieces[j];
        ensure_vertex_space(L, p.n);
        const Side s = evaluate(l, L, i, line, p);
        if (s == Side::on) {
          L.bits[j * lw + static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        } else if (s == Side::split) {
          L.pieces[j] = L.arena.clip(p, L.cls.data(), L.cx.data(), L.cy.data(), L.cd.data(), +1, unit0 + i);
          L.pieces.push_back(L.arena.clip(p, L.cls.data(), L.cx.data(), L.cy.data(), L.cd.data(), -1, unit0 + i));
          for (int w = 0; w < lw; ++w) {
            const std::uint64_t word = L.bits[j * lw + static_cast<std::size_t>(w)];
            L.bits.push_back(word);
          }
          L.bits[j * lw + static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        }
      }
      ctl_.checkpoint();
      if (ctl_.stopped()) return;
    }

    const bool last = l + 1 == H_;
    if constexpr (!Sink::stores) {
      if (last) {
        for (std::size_t j = 0; j < L.pieces.size(); ++j)
          if (!ctl_.add_region()) return;
        return;
      }
    }
    order_pieces(L);
    std::uint64_t* bits = layer_bits(l);
    const std::uint64_t* prev = nullptr;
    for (const auto& entry : L.order) {
      const std::size_t j = entry.second;
      const std::uint64_t* pb = L.bits.data() + j * lw;
      std::copy(pb, pb + lw, bits);
      const PolygonArena::Piece p = L.pieces[j];
      const double* x = L.arena.x.data() + p.off;
      const double* y = L.arena.y.data() + p.off;
      const double* dd = L.arena.delta.data() + p.off;
      const std::int32_t* lab = L.arena.label.data() + p.off;
      if (last) {
        if (!ctl_.add_region()) return;
        leaf(x, y, lab, p.n);
      } else {
        // Only the node's candidate units can differ between its children.
        L.changed.clear();
        if (prev)
          for (int i : L.candidates)
            if (((pb[i >> 6] ^ prev[i >> 6]) >> (i & 63)) & 1u) L.changed.push_back(i);
        child_map(l, prev ? L.changed.data() : nullptr, static_cast<int>(L.changed.size()));
        visit(l + 1, x, y, dd, lab, p.n);
        if (ctl_.stopped()) return;
      }
      prev = pb;
    }
  }

  // Children in Hilbert order of their vertex means, within the node's bounding box.
  void order_pieces(Level& L) {
    L.order.clear();
    const std::size_t m = L.pieces.size();
    if (m <= 2) {
      for (std::size_t j = 0; j < m; ++j) L.order.emplace_back(0, static_cast<std::uint32_t>(j));
      return;
    }
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (std::size_t k = 0; k < L.arena.x.size(); ++k) {
      x0 = std::min(x0, L.arena.x[k]);
      x1 = std::max(x1, L.arena.x[k]);
      y0 = std::min(y0, L.arena.y[k]);
      y1 = std::max(y1, L.arena.y[k]);
    }
    const double sx = x1 > x0 ? 1.0 / (x1 - x0) : 1.0, sy = y1 > y0 ? 1.0 / (y1 - y0) : 1.0;
    for (std::size_t j = 0; j < m; ++j) {
      const PolygonArena::Piece p = L.pieces[j];
      double cx = 0, cy = 0;
      for (std::uint32_t k = 0; k < p.n; ++k) {
        cx += L.arena.x[p.off + k];
        cy += L.arena.y[p.off + k];
      }
      L.order.emplace_back(hilbert_key((cx / p.n - x0) * sx, (cy / p.n - y0) * sy), static_cast<std::uint32_t>(j));
    }
    std::sort(L.order.begin(), L.order.end());
  }

  // Is the domain point sv strictly inside the exact polygon with edge labels lab (its exact
  // half-planes: the sides of the square, and each edge unit's side from the pattern)?
  bool inside(const double* sv, const std::int32_t* lab, std::uint32_t n) {
    double uu[2], du = 0.0;
    Rational us[2];
    bool have_exact = false;
    for (int k = 0; k < 2; ++k) {
      uu[k] = (sv[k] - en_.s_lo[static_cast<std::size_t>(k)]) / en_.span[static_cast<std::size_t>(k)];
      du = std::max(du, 4.01 * kEps * std::fabs(uu[k]) + kTiny);
    }
    auto exact_point = [&](Rational* pt) {
      if (!have_exact) {
        for (int k = 0; k < 2; ++k) us[k] = en_.exact_u(k, sv[k]);
        have_exact = true;
      }
      pt[0] = us[0];
      pt[1] = us[1];
    };
    for (std::uint32_t e = 0; e < n; ++e) {
      const std::int32_t label = lab[e];
      if (label < 0) {
        // u_y > 0, u_x < 1, u_y < 1, u_x > 0
        const int k = (label == kBottom || label == kTop) ? 1 : 0;
        const double bound = (label == kBottom || label == kLeft) ? 0.0 : 1.0;
        const bool above = label == kBottom || label == kLeft;
        if (above ? uu[k] - du > bound : uu[k] + du < bound) continue;
        if (above ? uu[k] + du <= bound : uu[k] - du >= bound) return false;
        ++exact_decisions_;
        Rational pt[2];
        exact_point(pt);
        if (above ? !(pt[k] > Rational(bound)) : !(pt[k] < Rational(bound))) return false;
        continue;
      }
      int l = 0, i = 0;
      lay_.locate(label, l, i);
      const int want = lay_.get(pattern_.data(), l, i) ? 1 : -1;
      if (sign_at(l, i, uu, du, exact_point) != want) return false;
    }
    return true;
  }

  // A witness of the leaf polygon: a domain point (float64) strictly inside it exactly, and its frame
  // point. False (and the float centroid) when none was found: thinner than float64 resolution.
  bool witness(const double* x, const double* y, const std::int32_t* lab, std::uint32_t n, double* w, double* sw) {
    double area = 0.0;
    area_centroid(x, y, n, area, w[0], w[1]);
    for (int k = 0; k < 2; ++k) sw[k] = en_.coord(k, w[k]);
    if (inside(sw, lab, n)) return true;
    // The exact vertex average (strictly inside a convex polygon of positive area), rounded in domain
    // coordinates, and its float neighbours.
    ++exact_decisions_;
    Rational avg[2] = {Rational(0), Rational(0)};
    for (std::uint32_t k = 0; k < n; ++k) {
      Rational pt[2];
      exact_vertex(lab[k == 0 ? n - 1 : k - 1], lab[k], pt);
      avg[0] += pt[0];
      avg[1] += pt[1];
    }
    double s0[2];
    for (int k = 0; k < 2; ++k) {
      const auto j = static_cast<std::size_t>(k);
      s0[k] = to_double(Rational(en_.s_lo[j]) + avg[k] / n * (Rational(en_.s_hi[j]) - Rational(en_.s_lo[j])));
    }
    const double inf = std::numeric_limits<double>::infinity();
    for (int dx = 0; dx < 3; ++dx)
      for (int dy = 0; dy < 3; ++dy) {
        const double cand[2] = {dx == 0 ? s0[0] : std::nextafter(s0[0], dx == 1 ? inf : -inf),
                                dy == 0 ? s0[1] : std::nextafter(s0[1], dy == 1 ? inf : -inf)};
        if (inside(cand, lab, n)) {
          for (int k = 0; k < 2; ++k) {
            sw[k] = cand[k];
            w[k] = (cand[k] - en_.s_lo[static_cast<std::size_t>(k)]) / en_.span[static_cast<std::size_t>(k)];
          }
          return true;
        }
      }
    // Thin: the float vertices' mean (the centroid divides by an area lost in rounding), in the square.
    double mx = 0.0, my = 0.0;
    for (std::uint32_t k = 0; k < n; ++k) {
      mx += x[k];
      my += y[k];
    }
    w[0] = std::min(1.0, std::max(0.0, mx / n));
    w[1] = std::min(1.0, std::max(0.0, my / n));
    for (int k = 0; k < 2; ++k) sw[k] = en_.coord(k, w[k]);
    return false;
  }

  void leaf(const double* x, const double* y, const std::int32_t* exact_lab, std::uint32_t n) {
    if constexpr (Sink::stores) {
      double w[2], sw[2];
      const bool certified = witness(x, y, exact_lab, n, w, sw);
      labels_.assign(exact_lab, exact_lab + n);
      for (std::int32_t& v : labels_) v = v < 0 ? -1 : v;  // every side of the domain is -1 outside
      const std::int32_t* lab = labels_.data();
      if (!sink_.affine()) {
        sink_.add_polygon(pattern_.data(), x, y, lab, n, w, sw, certified, nullptr, nullptr, nullptr);
        return;
      }
      if (H_ == 0)
        out_.init_first(net_);
      else
        output_map(true);
      const int out = net_.output_dim();
      A_.resize(static_cast<std::size_t>(out) * 2);
      for (int o = 0; o < out; ++o) {
        A_[static_cast<std::size_t>(o) * 2] = out_.lin(0)[o];
        A_[static_cast<std::size_t>(o) * 2 + 1] = out_.lin(1)[o];
      }
      sink_.add_polygon(pattern_.data(), x, y, lab, n, w, sw, certified, A_.data(), out_.cst(), out_.mag.data());
    } else {
      (void)x;
      (void)y;
      (void)exact_lab;
      (void)n;
    }
  }

  Sink& sink_;
  std::vector<Level> levels_;
  std::vector<double> A_;
  std::vector<std::int32_t> labels_;
};

}  // namespace reluregions
