// The 2-D engine: splits the unit square layer by layer, depth first. A node is a convex polygon on
// which every earlier unit has a fixed state; the current layer's zero lines cut it into the node's
// children, one line at a time, each piece carrying its partial pattern.
#pragma once
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "control.hpp"
#include "layer_map.hpp"
#include "network.hpp"
#include "polygon.hpp"
#include "results.hpp"
#include "tolerances.hpp"

namespace reluregions {

template <class Sink>
class PolygonEngine {
 public:
  PolygonEngine(const Network& net, Control& ctl, Sink& sink)
      : net_(net), ctl_(ctl), sink_(sink), lay_(net.layout()), H_(net.num_hidden_layers()) {
    if (net.input_dim() != 2) throw std::invalid_argument("the polygon engine needs a 2-input network");
    levels_.resize(static_cast<std::size_t>(H_));
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    factor_.resize(static_cast<std::size_t>(net.max_width()));
  }

  // Enumerates the regions of the unit square.
  void run() {
    const double x[4] = {0, 1, 1, 0}, y[4] = {0, 0, 1, 1};
    const std::int32_t lab[4] = {-1, -1, -1, -1};
    if (H_ == 0) {
      if (ctl_.add_region()) leaf(x, y, lab, 4);
      return;
    }
    levels_[0].map.init_first(net_);
    visit(0, x, y, lab, 4);
  }

 private:
  struct Level {
    LayerMap<2> map;
    PolygonArena arena;
    std::vector<PolygonArena::Piece> pieces;
    std::vector<std::uint64_t> bits;  // pieces x layer words
    std::vector<int> candidates;      // units whose line crosses the node
    std::vector<double> z;
    std::vector<signed char> cls;
  };

  // Values of unit i at the vertices of piece p, and the vertex classes for the geometric band.
  static Side evaluate(Level& L, int i, PolygonArena::Piece p) {
    const double a0 = L.map.lin(0)[i], a1 = L.map.lin(1)[i], c = L.map.cst()[i];
    const double* x = L.arena.x.data() + p.off;
    const double* y = L.arena.y.data() + p.off;
    double* z = L.z.data();
    for (std::uint32_t k = 0; k < p.n; ++k) z[k] = a0 * x[k] + a1 * y[k] + c;
    const double geo = tol::geometry * std::hypot(a0, a1);
    const Side s = decide(z, static_cast<int>(p.n), tol::zero * L.map.mag()[i], geo);
    if (s == Side::split)
      for (std::uint32_t k = 0; k < p.n; ++k) L.cls[k] = z[k] > geo ? 1 : (z[k] < -geo ? -1 : 0);
    return s;
  }

  void visit(int l, const double* px, const double* py, const std::int32_t* plab, std::uint32_t pn) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const int n = L.map.width;
    const int lw = lay_.layer_words(l);
    L.arena.clear();
    L.pieces.clear();
    L.candidates.clear();
    const PolygonArena::Piece root = L.arena.copy_from(px, py, plab, pn);
    L.pieces.push_back(root);
    L.bits.assign(static_cast<std::size_t>(lw), 0);
    grow(L, pn);
    // Units that do not cross the node are decided for all of its children at once.
    for (int i = 0; i < n; ++i) {
      const Side s = evaluate(L, i, root);
      if (s == Side::on) set(L.bits.data(), i);
      else if (s == Side::split) L.candidates.push_back(i);
    }
    const std::int32_t unit0 = lay_.unit_offset(l);
    for (int i : L.candidates) {
      const std::size_t m = L.pieces.size();
      for (std::size_t j = 0; j < m; ++j) {
        const PolygonArena::Piece p = L.pieces[j];
        grow(L, p.n + 1);
        const Side s = evaluate(L, i, p);
        if (s == Side::on) {
          set(L.bits.data() + j * lw, i);
        } else if (s == Side::split) {
          L.pieces[j] = L.arena.clip(p, L.z.data(), L.cls.data(), +1, unit0 + i);
          L.pieces.push_back(L.arena.clip(p, L.z.data(), L.cls.data(), -1, unit0 + i));
          for (int w = 0; w < lw; ++w) {
            const std::uint64_t word = L.bits[j * lw + static_cast<std::size_t>(w)];
            L.bits.push_back(word);
          }
          set(L.bits.data() + j * lw, i);
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
    std::uint64_t* bits = pattern_.data() + lay_.word_offset(l);
    for (std::size_t j = 0; j < L.pieces.size(); ++j) {
      std::copy(L.bits.begin() + static_cast<std::ptrdiff_t>(j * lw), L.bits.begin() + static_cast<std::ptrdiff_t>((j + 1) * lw), bits);
      const PolygonArena::Piece p = L.pieces[j];
      const double* x = L.arena.x.data() + p.off;
      const double* y = L.arena.y.data() + p.off;
      const std::int32_t* lab = L.arena.label.data() + p.off;
      if (last) {
        if (!ctl_.add_region()) return;
        leaf(x, y, lab, p.n);
      } else {
        fill_factors(l, bits, n);
        L.map.propagate(net_, l + 1, factor_.data(), levels_[static_cast<std::size_t>(l) + 1].map);
        visit(l + 1, x, y, lab, p.n);
        if (ctl_.stopped()) return;
      }
    }
  }

  void leaf(const double* x, const double* y, const std::int32_t* lab, std::uint32_t n) {
    if constexpr (Sink::stores) {
      const double* E = nullptr;
      const double* C = nullptr;
      if (sink_.affine()) {
        const int out = net_.output_dim();
        if (H_ == 0) {
          out_.init_first(net_);
        } else {
          const int l = H_ - 1;
          Level& L = levels_[static_cast<std::size_t>(l)];
          fill_factors(l, pattern_.data() + lay_.word_offset(l), L.map.width);
          L.map.propagate(net_, H_, factor_.data(), out_);
        }
        A_.resize(static_cast<std::size_t>(out) * 2);
        for (int o = 0; o < out; ++o) {
          A_[static_cast<std::size_t>(o) * 2] = out_.lin(0)[o];
          A_[static_cast<std::size_t>(o) * 2 + 1] = out_.lin(1)[o];
        }
        C = out_.cst();
        E = out_.mag();
      }
      sink_.add_polygon(pattern_.data(), x, y, lab, n, A_.data(), C, E);
    } else {
      (void)x;
      (void)y;
      (void)lab;
      (void)n;
    }
  }

  static void grow(Level& L, std::uint32_t n) {
    if (L.z.size() < n) {
      L.z.resize(2 * n);
      L.cls.resize(2 * n);
    }
  }
  void fill_factors(int l, const std::uint64_t* bits, int n) {
    const double s = net_.slope(l);
    for (int i = 0; i < n; ++i) factor_[static_cast<std::size_t>(i)] = ((bits[i >> 6] >> (i & 63)) & 1u) ? 1.0 : s;
  }
  static void set(std::uint64_t* bits, int i) { bits[i >> 6] |= std::uint64_t{1} << (i & 63); }

  const Network& net_;
  Control& ctl_;
  Sink& sink_;
  const PatternLayout& lay_;
  const int H_;
  std::vector<Level> levels_;
  std::vector<std::uint64_t> pattern_;
  std::vector<double> factor_;
  LayerMap<2> out_;
  std::vector<double> A_;
};

}  // namespace reluregions
