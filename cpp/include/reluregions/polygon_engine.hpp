// The 2-D engine: splits the unit square layer by layer, depth first. A node is a convex polygon on
// which every earlier unit has a fixed state; the current layer's zero lines cut it into the node's
// children, depth first too: a piece is split by the first of its candidate units (those whose line
// crosses it, in a fixed pseudo-random order), and each half inherits only the rest of that list, so
// a unit never looks at the pieces of a polygon it does not cross (the work follows each line's zone)
// and memory holds one path of pieces, not all the children of a node.
#pragma once
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <utility>
#include <vector>

#include "layerwise.hpp"
#include "polygon.hpp"
#include "results.hpp"
#include "tolerances.hpp"

namespace reluregions {

// Units of a layer in a fixed pseudo-random order (a hash of the index): the order in which they split
// the pieces of a node. Random order keeps the expected work of splitting near the number of pieces
// whatever the order of the units in the network (sorted parallel lines, say).
inline std::vector<int> split_order(int width, int layer) {
  std::vector<std::pair<std::uint64_t, int>> keyed(static_cast<std::size_t>(width));
  for (int i = 0; i < width; ++i) {
    std::uint64_t z = (static_cast<std::uint64_t>(layer) << 32 | static_cast<std::uint32_t>(i)) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    keyed[static_cast<std::size_t>(i)] = {z ^ (z >> 31), i};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> order;
  order.reserve(keyed.size());
  for (const auto& k : keyed) order.push_back(k.second);
  return order;
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
    for (int l = 0; l < H_; ++l) levels_[static_cast<std::size_t>(l)].order = split_order(net_.out_dim(l), l);
  }

  // Labels of the sides of the unit square (y = 0, x = 1, y = 1, x = 0); reported as -1.
  static constexpr std::int32_t kBottom = -1, kRight = -2, kTop = -3, kLeft = -4;

  // A piece on the depth-first path through one layer: its candidates are the units whose line crosses
  // it (certified), the first of which splits it into kids[0] (off side) and kids[1] (on side).
  struct Frame {
    PolygonArena::Piece piece;
    std::uint32_t cand_begin, cand_end;  // its candidates: Level::cands[cand_begin, cand_end)
    std::uint32_t undo_begin;            // units whose bit it set: Level::undo[undo_begin, ...)
    std::uint32_t arena_mark;            // the arena's size when it was entered (its kids come after)
    PolygonArena::Piece kids[2];
    int next;  // 0: not split yet; 1, 2: the kid to enter next; 3: done
  };

  struct Level {
    std::vector<int> order;  // the layer's units in split order
    PolygonArena arena;      // the pieces of the current path (a stack)
    std::vector<Frame> frames;
    // The node's candidate units in split order: index in the layer, float line and error bound
    // (base + slope * the largest vertex error of a piece), frozen for the node.
    std::vector<int> unit;
    std::vector<double> a0, a1, c, base, slope;
    std::vector<char> crosses_node;    // certified crossing of the whole node
    std::vector<std::uint32_t> cands;  // candidate lists of the path's frames (positions in the tables above)
    std::vector<int> undo;
    std::vector<double> lo, hi;            // per unit (node)
    std::vector<double> cx, cy, cd;        // per edge (piece): where the line crosses it
    std::vector<signed char> cls;          // per vertex (piece): its exact side of the line
    typename Layerwise<2>::LeafBits leaf;  // the layer's bits at the previous leaf of the node
  };

  // The line a x + b y + c = 0 of a side of the unit square (labels kBottom .. kLeft), exactly in any
  // number type; false for a unit's label.
  template <class T>
  static bool square_side(std::int32_t label, T* abc) {
    static constexpr int kCoef[4][3] = {{0, 1, 0}, {1, 0, -1}, {0, 1, -1}, {1, 0, 0}};  // bottom, right, top, left
    if (label >= 0 || label < kLeft) return false;
    for (int k = 0; k < 3; ++k) abc[k] = kCoef[-label - 1][k];
    return true;
  }

  // The exact line a x + b y + c = 0 of an edge label.
  void exact_line(std::int32_t label, Rational* abc) {
    if (square_side(label, abc)) return;
    const Rational* row = exact_row(label);
    for (int k = 0; k < 3; ++k) abc[k] = row[k];
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

  static double max_delta(const PolygonArena& arena, PolygonArena::Piece p) {
    double md = 0.0;
    for (std::uint32_t k = 0; k < p.n; ++k) md = std::max(md, arena.delta[p.off + k]);
    return md;
  }

  // Side of candidate `pos` of the node on piece p (vertex errors at most md), decided exactly per
  // vertex: floating point with an error bound, the exact sign for vertices within it. Fills L.cls.
  Side classify(int l, Level& L, std::uint32_t pos, PolygonArena::Piece p, double md) {
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    const double a0 = L.a0[pos], a1 = L.a1[pos], c = L.c[pos], bound = L.base[pos] + L.slope[pos] * md;
    bool pos_side = false, neg = false, unsure = false;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const double z = a0 * x[k] + a1 * y[k] + c;
      const signed char sg = z > bound ? 1 : (z < -bound ? -1 : 0);
      L.cls[k] = sg;
      pos_side = pos_side || sg > 0;
      neg = neg || sg < 0;
      unsure = unsure || sg == 0;
    }
    if (unsure) {
      const double* d = L.arena.delta.data() + p.off;
      const std::int32_t* lab = L.arena.label.data() + p.off;
      const int i = L.unit[pos];
      for (std::uint32_t k = 0; k < p.n; ++k) {
        if (L.cls[k] != 0) continue;
        const double u[2] = {x[k], y[k]};
        const std::int32_t before = lab[k == 0 ? p.n - 1 : k - 1], after = lab[k];
        const int sg = sign_at(l, i, u, d[k], [&](Rational* pt) { exact_vertex(before, after, pt); });
        L.cls[k] = static_cast<signed char>(sg);
        pos_side = pos_side || sg > 0;
        neg = neg || sg < 0;
      }
    }
    if (pos_side && neg) return Side::split;
    return pos_side ? Side::on : Side::off;
  }

  // Side of candidate `pos` on piece p: the float range over the vertices first (no per-vertex
  // classes), classify() only when a vertex is within the bound.
  Side side_of(int l, Level& L, std::uint32_t pos, PolygonArena::Piece p, double md) {
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    const double a0 = L.a0[pos], a1 = L.a1[pos], c = L.c[pos], bound = L.base[pos] + L.slope[pos] * md;
    double lo = a0 * x[0] + a1 * y[0] + c, hi = lo;
    for (std::uint32_t k = 1; k < p.n; ++k) {
      const double z = a0 * x[k] + a1 * y[k] + c;
      lo = z < lo ? z : lo;
      hi = z > hi ? z : hi;
    }
    if (lo > bound) return Side::on;
    if (hi < -bound) return Side::off;
    if (lo < -bound && hi > bound) return Side::split;
    return classify(l, L, pos, p, md);
  }

  // The float line a x + b y + c = 0 of an edge label on the current path, with a bound on the error
  // of each coefficient.
  // tight: from maps recomputed without updates and the node's magnitude bound (see coef_err).
  void float_line(std::int32_t label, double* abc, double& err, bool tight) {
    err = 0.0;
    if (square_side(label, abc)) return;
    int l = 0, i = 0;
    lay_.locate(label, l, i);
    if (tight && !exact_[static_cast<std::size_t>(l)]) recompute_exact(l);
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    abc[0] = m.lin(0)[i];
    abc[1] = m.lin(1)[i];
    abc[2] = m.cst()[i];
    err = coef_err(l, i, tight);
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
      if (delta < tol::polygon_vertex_delta) {  // a loose vertex costs a few more certified signs later; an exact one
                                                // costs more
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
    if (L.cls.size() >= n) return;
    for (auto* v : {&L.cx, &L.cy, &L.cd}) v->resize(2 * n + 8);
    L.cls.resize(2 * n + 8);
  }

  // The node at layer l: the polygon (px, py, pd, plab, pn) on which layers < l have fixed states.
  void visit(int l, const double* px, const double* py, const double* pd, const std::int32_t* plab, std::uint32_t pn) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    const int n = m.width;
    reset_level(l, L);
    std::uint64_t* bits = layer_bits(l);
    for (auto* v : {&L.a0, &L.a1, &L.c, &L.base, &L.slope}) v->clear();
    double md = 0.0;
    for (std::uint32_t k = 0; k < pn; ++k) md = std::max(md, pd[k]);

    // Every unit on the node's polygon, vertex by vertex (vectorizes over units).
    L.lo.resize(static_cast<std::size_t>(n));
    L.hi.resize(static_cast<std::size_t>(n));
    const double* a0 = m.lin(0);
    const double* a1 = m.lin(1);
    const double* c = m.cst();
    {
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
    }
    // Certified on / off / crossing over the whole node (vertices in [0, 1]^2 up to rounding);
    // anything else is checked for being identically zero, then decided piece by piece, exactly.
    const double* ceil = ceiling_[static_cast<std::size_t>(l)].data();
    const double g = g_[static_cast<std::size_t>(l)] * 1.01;
    for (const int i : L.order) {
      if (net_.is_linear(l, i)) continue;  // no boundary: bit stays clear, factor 1
      const double g1 = std::fabs(a0[i]) + std::fabs(a1[i]), ce = g * ceil[i] + kTiny;
      const double base = 3.01 * ce + 4 * kEps * (g1 + std::fabs(c[i])) * 1.01 + kTiny, slope = (g1 + 2 * ce) * 1.01;
      const double bound = base + slope * md, lo = L.lo[static_cast<std::size_t>(i)],
                   hi = L.hi[static_cast<std::size_t>(i)];
      if (lo > bound) {
        bits[i >> 6] |= std::uint64_t{1} << (i & 63);
        continue;
      }
      if (hi < -bound) continue;
      const bool crosses = lo < -bound && hi > bound;
      if (!crosses && is_zero(l, i)) continue;
      L.unit.push_back(i);
      L.a0.push_back(a0[i]);
      L.a1.push_back(a1[i]);
      L.c.push_back(c[i]);
      L.base.push_back(base);
      L.slope.push_back(slope);
      L.crosses_node.push_back(crosses ? 1 : 0);
    }

    const PolygonArena::Piece root = L.arena.copy_from(px, py, pd, plab, pn);
    ensure_vertex_space(L, pn);
    sort_candidates(
        l, L, 0, static_cast<std::uint32_t>(L.unit.size()), [](std::uint32_t q) { return q; },
        [&](std::uint32_t pos) { return L.crosses_node[pos] ? Side::split : classify(l, L, pos, root, md); });
    L.frames.push_back(Frame{root, 0, static_cast<std::uint32_t>(L.cands.size()), 0, L.arena.size(), {}, 0});
    walk_layer(l, L);
  }

  // Depth first through the pieces of the current node, off side first.
  void walk_layer(int l, Level& L) {
    const std::int32_t unit0 = lay_.unit_offset(l);
    walk_pieces<!Sink::stores>(
        ctl_, L.frames, l + 1 == H_, [&](PolygonArena::Piece p) { leaf_of_layer(l, L, p, l + 1 == H_); },
        [&](Frame& F) {
          const PolygonArena::Piece p = F.piece;
          const std::uint32_t pos = L.cands[F.cand_begin];
          ensure_vertex_space(L, p.n);
          if (classify(l, L, pos, p, max_delta(L.arena, p)) != Side::split)
            throw std::logic_error("polygon engine: a candidate no longer crosses its piece");
          const std::int32_t cut = unit0 + L.unit[pos];
          const std::int32_t* lab = L.arena.label.data() + p.off;
          for (std::uint32_t k = 0; k < p.n; ++k) {
            const std::uint32_t k2 = k + 1 == p.n ? 0 : k + 1;
            if (L.cls[k] * L.cls[k2] < 0) crossing(L, k, lab[k], cut);
          }
          F.kids[0] = L.arena.clip(p, L.cls.data(), L.cx.data(), L.cy.data(), L.cd.data(), -1, cut);
          F.kids[1] = L.arena.clip(p, L.cls.data(), L.cx.data(), L.cy.data(), L.cd.data(), +1, cut);
        },
        [&](std::size_t f, int kid) { enter(l, L, f, kid); }, [&] { pop_frame(l, L); });
  }

  // Enters kid `kid` of frame f: its side of the split unit, and the rest of f's candidates sorted
  // into on (bit set), off, and crossing (its candidates).
  void enter(int l, Level& L, std::size_t f, int kid) {
    const Frame parent = L.frames[f];
    const PolygonArena::Piece p = parent.kids[kid];
    Frame child{
        p, static_cast<std::uint32_t>(L.cands.size()), 0, static_cast<std::uint32_t>(L.undo.size()), L.arena.size(), {},
        0};
    if (kid == 1) set_unit_bit(l, L.unit[L.cands[parent.cand_begin]], L.undo);
    const double md = max_delta(L.arena, p);
    ensure_vertex_space(L, p.n);
    sort_candidates(
        l, L, parent.cand_begin + 1, parent.cand_end, [&](std::uint32_t q) { return L.cands[q]; },
        [&](std::uint32_t pos) { return side_of(l, L, pos, p, md); });
    child.cand_end = static_cast<std::uint32_t>(L.cands.size());
    L.frames.push_back(child);
  }

  // A piece no unit of layer l crosses: a region (last layer) or a node of layer l + 1.
  void leaf_of_layer(int l, Level& L, PolygonArena::Piece p, bool last) {
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    const std::int32_t* lab = L.arena.label.data() + p.off;
    if (last) {
      if (!ctl_.add_region()) return;
      leaf(x, y, lab, p.n);
      return;
    }
    // Only the node's candidate units can differ between its leaves: the map of layer l + 1 is
    // updated for those whose bit changed since the previous leaf.
    leaf_map(l, L.leaf);
    visit(l + 1, x, y, L.arena.delta.data() + p.off, lab, p.n);
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
