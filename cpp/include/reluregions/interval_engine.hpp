// The 1-D engine: sweeps the unit interval layer by layer, depth first. A node is an interval on which
// every earlier unit has a fixed state; the current layer's pre-activations are affine in t there, so
// their roots split the interval into the node's children, visited left to right.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "exact.hpp"
#include "layerwise.hpp"
#include "results.hpp"

namespace reluregions {

template <class Sink>
class IntervalEngine : Layerwise<1> {
 public:
  IntervalEngine(const EngineNetwork& en, Control& ctl, Sink& sink) : Layerwise<1>(en, ctl), sink_(sink) { init(); }
  IntervalEngine(const Network& net, Control& ctl, Sink& sink) : Layerwise<1>(net, ctl), sink_(sink) { init(); }

  // Enumerates the regions of [0, 1].
  void run() {
    if (H_ == 0) {  // no hidden layer: one region
      if (ctl_.add_region()) leaf(End{0.0, 0.0, kLeft}, End{1.0, 0.0, kRight});
      return;
    }
    maps_[0].init_first(net_);
    visit(0, End{0.0, 0.0, kLeft}, End{1.0, 0.0, kRight});
  }

  // Decisions that floating point could not settle and exact arithmetic made.
  using Layerwise<1>::exact_decisions;

 private:
  static constexpr int kLeft = -1, kRight = -2;  // labels of the ends of [0, 1]

  // An end of a node: its float position, a bound on its distance to the exact point, and what
  // defines it exactly (a domain end, or the root of a hidden unit given by its flat index).
  struct End {
    double t, delta;
    int label;
  };
  struct Crossing {
    double root, delta;
    int unit;  // index in the layer
    bool rising;
  };
  struct Level {
    std::vector<Crossing> cross;
    std::vector<End> breaks;
    std::vector<int> cluster_end;  // crossings [cluster_end[k-1], cluster_end[k]) form breakpoint k
    std::vector<int> units;        // the crossing units in sweep order
    std::vector<std::pair<Rational, int>> exact;
    std::vector<Crossing> sorted;
  };

  void init() {
    if (net_.input_dim() != 1) throw std::invalid_argument("the interval engine needs a 1-input network");
    levels_.resize(static_cast<std::size_t>(H_));
  }

  Rational exact_end(const End& e) {
    if (e.label == kLeft) return Rational(0);
    if (e.label == kRight) return Rational(1);
    const Rational* row = exact_row(e.label);
    return -row[1] / row[0];
  }

  void visit(int l, End lo, End hi) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const LayerMap<1>& map = maps_[static_cast<std::size_t>(l)];
    const int n = map.width;
    const double* al = map.lin(0);
    const double* be = map.cst();
    std::uint64_t* bits = layer_bits(l);
    std::fill(bits, bits + lay_.layer_words(l), 0);
    L.cross.clear();
    const double dmax = std::max(lo.delta, hi.delta), tmax = std::max(std::fabs(lo.t), std::fabs(hi.t));
    const double* ceil = ceiling_[static_cast<std::size_t>(l)].data();
    const double g = g_[static_cast<std::size_t>(l)] * 1.01;
    // The bound below, regrouped by coefficient (rounding of the bound itself is covered by its factors):
    // ce (1 + tmax) + 3.03 eps (|a| tmax + |c|) + 1.01 (|a| + ce) dmax + tiny.
    const double k_ce = 1 + tmax + 1.01 * dmax, k_a = 3.03 * kEps * tmax + 1.01 * dmax, k_c = 3.03 * kEps;
    for (int i = 0; i < n; ++i) {
      if (net_.is_linear(l, i)) continue;  // no boundary: bit stays clear, factor 1
      // Fast path: one bound for both ends (the same terms as sign_at's first tier, maximized).
      const double a = al[i], c = be[i], ce = g * ceil[i] + kTiny;
      const double za = a * lo.t + c, zb = a * hi.t + c;
      const double bound = (ce * k_ce + std::fabs(a) * k_a + std::fabs(c) * k_c) * (1 + 4 * kEps) + kTiny;
      int sa = za > bound ? 1 : (za < -bound ? -1 : 0), sb = zb > bound ? 1 : (zb < -bound ? -1 : 0);
      if (sa == 0 || sb == 0) {
        if (is_zero(l, i)) continue;  // inactive
        if (sa == 0) sa = sign_at(l, i, &lo.t, lo.delta, [&](Rational* p) { p[0] = exact_end(lo); });
        if (sb == 0) sb = sign_at(l, i, &hi.t, hi.delta, [&](Rational* p) { p[0] = exact_end(hi); });
      }
      if (sa * sb < 0) {
        L.cross.push_back(root(l, i, lo, hi, sb > 0));
      } else if (sa > 0 || sb > 0) {
        bits[i >> 6] |= std::uint64_t{1} << (i & 63);
      }
    }
    const bool last = l + 1 == H_;
    if constexpr (!Sink::stores) {
      if (last) {
        const int nb = count_breakpoints(l, L);
        for (int k = 0; k <= nb; ++k)
          if (!ctl_.add_region()) return;
        return;
      }
    }
    order_roots(l, L);
    const int nb = static_cast<int>(L.breaks.size());
    // Left of all roots, a falling unit is on.
    for (const Crossing& c : L.cross)
      if (!c.rising) bits[c.unit >> 6] |= std::uint64_t{1} << (c.unit & 63);
    End a = lo;
    int c0 = 0;
    for (int k = 0; k <= nb; ++k) {
      const End b = k < nb ? L.breaks[static_cast<std::size_t>(k)] : hi;
      if (last) {
        if (!ctl_.add_region()) return;
        leaf(a, b);
      } else {
        // The units of the breakpoint just crossed are the only change from the previous child.
        const int c1 = k == 0 ? 0 : L.cluster_end[static_cast<std::size_t>(k) - 1];
        child_map(l, k == 0 ? nullptr : L.units.data() + c0, c1 - c0);
        c0 = c1;
        visit(l + 1, a, b);
        if (ctl_.stopped()) return;
      }
      if (k < nb)
        for (int c = k == 0 ? 0 : L.cluster_end[static_cast<std::size_t>(k) - 1];
             c < L.cluster_end[static_cast<std::size_t>(k)]; ++c) {
          const int u = L.units[static_cast<std::size_t>(c)];
          bits[u >> 6] ^= std::uint64_t{1} << (u & 63);
        }
      a = b;
    }
  }

  // The root of unit i (which changes sign strictly inside the node), with its error bound.
  Crossing root(int l, int i, const End& lo, const End& hi, bool rising) {
    const LayerMap<1>& m = maps_[static_cast<std::size_t>(l)];
    const double al = m.lin(0)[i], be = m.cst()[i];
    const double ce = coef_err(l, i, false);
    // One division: r = -be * (1 / al) is within 3 eps |r| of -be / al; with x = ce |1 / al| < 1/2,
    // 1 / (|al| - ce) <= |1 / al| (1 + 2 x) (the 1.01 covers the rounding of 1 / al).
    const double inv = 1.0 / al, x = ce * std::fabs(inv);
    const double r = -be * inv;
    double delta = x < 0.5
                       ? ce * (1 + std::fabs(r)) * std::fabs(inv) * (1 + 2 * x) * 1.01 + 3 * kEps * std::fabs(r) + kTiny
                       : std::numeric_limits<double>::infinity();
    double t = r;
    if (!(t >= lo.t)) {  // also NaN
      t = lo.t;
      delta = std::max(delta, lo.delta);
    }
    if (t > hi.t) {
      t = hi.t;
      delta = std::max(delta, hi.delta);
    }
    return Crossing{t, delta, i, rising};
  }

  // Sorts the crossings by the lower ends of their error intervals (then unit): an insertion sort for
  // the usual few (no calls, no memmove), std::sort for wide layers.
  static void sort_crossings(std::vector<Crossing>& cross) {
    auto before = [](const Crossing& a, const Crossing& b) {
      const double la = a.root - a.delta, lb = b.root - b.delta;
      return la < lb || (la == lb && a.unit < b.unit);
    };
    const std::size_t m = cross.size();
    if (m > 32) {
      std::sort(cross.begin(), cross.end(), before);
      return;
    }
    Crossing* c = cross.data();
    for (std::size_t a = 1; a < m; ++a) {
      const Crossing x = c[a];
      std::size_t b = a;
      for (; b > 0 && before(x, c[b - 1]); --b) c[b] = c[b - 1];
      c[b] = x;
    }
  }

  // The end of the group of crossings starting at g0: those whose error intervals chain together.
  static std::size_t group_end(const std::vector<Crossing>& cross, std::size_t g0) {
    std::size_t g1 = g0 + 1;
    double end = cross[g0].root + cross[g0].delta;
    while (g1 < cross.size() && cross[g1].root - cross[g1].delta <= end) {
      end = std::max(end, cross[g1].root + cross[g1].delta);
      ++g1;
    }
    return g1;
  }

  // Orders the crossings [g0, g1) of a group exactly (their exact roots into L.exact, same order).
  void order_group(int l, Level& L, std::size_t g0, std::size_t g1) {
    L.exact.clear();
    for (std::size_t c = g0; c < g1; ++c) {
      const Rational* row = exact_row(l, L.cross[c].unit);
      L.exact.emplace_back(-row[1] / row[0], static_cast<int>(c));
    }
    exact_decisions_ += g1 - g0;
    std::sort(L.exact.begin(), L.exact.end(), [](const auto& a, const auto& b) {
      return a.first < b.first || (a.first == b.first && a.second < b.second);
    });
    L.sorted.clear();
    for (const auto& e : L.exact) L.sorted.push_back(L.cross[static_cast<std::size_t>(e.second)]);
    std::copy(L.sorted.begin(), L.sorted.end(), L.cross.begin() + static_cast<std::ptrdiff_t>(g0));
  }

  // The number of distinct breakpoints (counting at the last layer needs nothing else).
  int count_breakpoints(int l, Level& L) {
    sort_crossings(L.cross);
    const std::size_t m = L.cross.size();
    int nb = 0;
    for (std::size_t g0 = 0; g0 < m;) {
      const std::size_t g1 = group_end(L.cross, g0);
      if (g1 - g0 == 1) {
        ++nb;
      } else {
        order_group(l, L, g0, g1);
        for (std::size_t c = 0; c < g1 - g0; ++c) nb += c == 0 || L.exact[c].first != L.exact[c - 1].first;
      }
      g0 = g1;
    }
    return nb;
  }

  // Sorts the crossings into breakpoints: roots whose error intervals overlap are ordered (and found
  // equal) exactly; a breakpoint is an exact point, however close to the next.
  void order_roots(int l, Level& L) {
    sort_crossings(L.cross);
    const std::size_t m = L.cross.size();
    L.breaks.resize(m);
    L.cluster_end.resize(m);
    L.units.resize(m);
    std::size_t nb = 0;
    const int unit0 = lay_.unit_offset(l);
    double last_pos = -std::numeric_limits<double>::infinity();
    for (std::size_t g0 = 0; g0 < m;) {
      const std::size_t g1 = group_end(L.cross, g0);
      const bool group = g1 - g0 > 1;
      if (group) order_group(l, L, g0, g1);
      for (std::size_t c = g0; c < g1; ++c) {
        const bool same = group && c > g0 && L.exact[c - g0].first == L.exact[c - g0 - 1].first;
        if (!same) {
          if (nb > 0) L.cluster_end[nb - 1] = static_cast<int>(c);
          // Float positions kept non-decreasing (the exact order rules); the bound covers the move.
          double t = L.cross[c].root, delta = L.cross[c].delta;
          if (t < last_pos) {
            delta += last_pos - t;
            t = last_pos;
          }
          last_pos = t;
          L.breaks[nb++] = End{t, delta, unit0 + L.cross[c].unit};
        }
        L.units[c] = L.cross[c].unit;
      }
      g0 = g1;
    }
    L.breaks.resize(nb);
    L.cluster_end.resize(nb);
    if (nb > 0) L.cluster_end[nb - 1] = static_cast<int>(m);
  }

  // Is the domain coordinate sv strictly inside the exact interval (a, b)?
  bool inside(double sv, const End& a, const End& b) {
    const double uu = (sv - en_.s_lo[0]) / en_.span[0];  // the exact point of sv, within du
    const double du = 4.01 * kEps * std::fabs(uu) + kTiny;
    if (uu - du > a.t + a.delta && uu + du < b.t - b.delta) return true;
    if (uu + du < a.t - a.delta || uu - du > b.t + b.delta) return false;
    ++exact_decisions_;
    const Rational us = en_.exact_u(0, sv);
    return exact_end(a) < us && us < exact_end(b);
  }

  // A witness of the leaf (a, b): a domain coordinate (float64) strictly inside the exact interval, and
  // its frame coordinate. False (and the float midpoint) when there is none: thinner than float64.
  bool witness(const End& a, const End& b, double& w, double& sw) {
    w = 0.5 * (a.t + b.t);
    sw = en_.coord(0, w);
    if (inside(sw, a, b)) return true;
    // The exact midpoint's domain coordinate, rounded, and its float neighbours.
    ++exact_decisions_;
    const Rational mid = (exact_end(a) + exact_end(b)) / 2;
    const double s0 = to_double(Rational(en_.s_lo[0]) + mid * (Rational(en_.s_hi[0]) - Rational(en_.s_lo[0])));
    const double inf = std::numeric_limits<double>::infinity();
    for (double sv : {s0, std::nextafter(s0, inf), std::nextafter(s0, -inf)}) {
      if (inside(sv, a, b)) {
        sw = sv;
        w = (sv - en_.s_lo[0]) / en_.span[0];
        return true;
      }
    }
    return false;
  }

  void leaf(const End& ea, const End& eb) {
    const double a = ea.t, b = eb.t;
    if constexpr (Sink::stores) {
      double w = 0.0, sw = 0.0;
      const bool certified = witness(ea, eb, w, sw);
      if (!sink_.affine()) {
        sink_.add_interval(pattern_.data(), a, b, w, &sw, certified, nullptr, nullptr, nullptr);
        return;
      }
      if (H_ == 0)
        out_.init_first(net_);
      else
        output_map(true);
      sink_.add_interval(pattern_.data(), a, b, w, &sw, certified, out_.lin(0), out_.cst(), out_.mag.data());
    } else {
      (void)a;
      (void)b;
    }
  }

  Sink& sink_;
  std::vector<Level> levels_;
};

}  // namespace reluregions
