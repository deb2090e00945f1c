// The 2-D engine: splits the unit square layer by layer, depth first. A node is a convex polygon on
// which every earlier unit has a fixed state; the current layer's zero lines cut it into the node's
// children, one line at a time, each piece carrying its partial pattern. Children are visited along a
// Hilbert curve so that consecutive ones differ in few units (their maps are then cheap updates).
#pragma once
#include <algorithm>
#include <cmath>
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
    const double x[4] = {0, 1, 1, 0}, y[4] = {0, 0, 1, 1};
    const std::int32_t lab[4] = {-1, -1, -1, -1};
    if (H_ == 0) {
      if (ctl_.add_region()) leaf(x, y, lab, 4);
      return;
    }
    maps_[0].init_first(net_);
    visit(0, x, y, lab, 4);
  }

 private:
  void init() {
    if (net_.input_dim() != 2) throw std::invalid_argument("the polygon engine needs a 2-input network");
    levels_.resize(static_cast<std::size_t>(H_));
  }

  struct Level {
    PolygonArena arena;
    std::vector<PolygonArena::Piece> pieces;
    std::vector<std::uint64_t> bits;  // pieces x layer words
    std::vector<int> candidates;      // units whose line crosses the node
    std::vector<double> lo, hi, z;    // per unit (node), per vertex (piece)
    std::vector<signed char> cls;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order;
    std::vector<int> changed;
  };

  // Side of unit i on piece p of the node at layer l; fills L.z and L.cls for a split.
  Side evaluate(int l, Level& L, int i, PolygonArena::Piece p) {
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    const double a0 = m.lin(0)[i], a1 = m.lin(1)[i], c = m.cst()[i];
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    double* z = L.z.data();
    double lo = a0 * x[0] + a1 * y[0] + c, hi = lo;
    z[0] = lo;
    for (std::uint32_t k = 1; k < p.n; ++k) {
      z[k] = a0 * x[k] + a1 * y[k] + c;
      lo = std::min(lo, z[k]);
      hi = std::max(hi, z[k]);
    }
    const double geo = tol::geometry * std::sqrt(a0 * a0 + a1 * a1);
    const Side s = decide(lo, hi, geo);
    if (s == Side::split)
      for (std::uint32_t k = 0; k < p.n; ++k) L.cls[k] = z[k] > geo ? 1 : (z[k] < -geo ? -1 : 0);
    return s;
  }

  void visit(int l, const double* px, const double* py, const std::int32_t* plab, std::uint32_t pn) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const LayerMap<2>& m = maps_[static_cast<std::size_t>(l)];
    const int n = m.width;
    const int lw = lay_.layer_words(l);
    L.arena.clear();
    L.pieces.clear();
    L.candidates.clear();
    L.pieces.push_back(L.arena.copy_from(px, py, plab, pn));
    L.bits.assign(static_cast<std::size_t>(lw), 0);
    if (L.z.size() < 2 * pn + 8) {
      L.z.resize(2 * pn + 8);
      L.cls.resize(2 * pn + 8);
    }

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
      for (int i = 0; i < n; ++i) {
        if (is_zero(l, i)) continue;  // inactive
        const double geo = tol::geometry * std::sqrt(a0[i] * a0[i] + a1[i] * a1[i]);
        const Side s = decide(lo[i], hi[i], geo);
        if (s == Side::on) L.bits[static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        else if (s == Side::split) L.candidates.push_back(i);
      }
    }

    const std::int32_t unit0 = lay_.unit_offset(l);
    for (int i : L.candidates) {
      const std::size_t count = L.pieces.size();
      for (std::size_t j = 0; j < count; ++j) {
        const PolygonArena::Piece p = L.pieces[j];
        if (L.z.size() < 2 * p.n + 8) {
          L.z.resize(2 * p.n + 8);
          L.cls.resize(2 * p.n + 8);
        }
        const Side s = evaluate(l, L, i, p);
        if (s == Side::on) {
          L.bits[j * lw + static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        } else if (s == Side::split) {
          L.pieces[j] = L.arena.clip(p, L.z.data(), L.cls.data(), +1, unit0 + i);
          L.pieces.push_back(L.arena.clip(p, L.z.data(), L.cls.data(), -1, unit0 + i));
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
        visit(l + 1, x, y, lab, p.n);
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

  void leaf(const double* x, const double* y, const std::int32_t* lab, std::uint32_t n) {
    if constexpr (Sink::stores) {
      if (!sink_.affine()) {
        sink_.add_polygon(pattern_.data(), x, y, lab, n, nullptr, nullptr, nullptr);
        return;
      }
      if (H_ == 0) out_.init_first(net_);
      else output_map(true);
      const int out = net_.output_dim();
      A_.resize(static_cast<std::size_t>(out) * 2);
      for (int o = 0; o < out; ++o) {
        A_[static_cast<std::size_t>(o) * 2] = out_.lin(0)[o];
        A_[static_cast<std::size_t>(o) * 2 + 1] = out_.lin(1)[o];
      }
      sink_.add_polygon(pattern_.data(), x, y, lab, n, A_.data(), out_.cst(), out_.mag.data());
    } else {
      (void)x;
      (void)y;
      (void)lab;
      (void)n;
    }
  }

  Sink& sink_;
  std::vector<Level> levels_;
  std::vector<double> A_;
};

}  // namespace reluregions
