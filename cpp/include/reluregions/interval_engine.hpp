// The 1-D engine: sweeps the unit interval layer by layer, depth first. A node is an interval on which
// every earlier unit has a fixed state; the current layer's pre-activations are affine in t there, so
// their roots split the interval into the node's children, visited left to right.
#pragma once
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "layerwise.hpp"
#include "results.hpp"

namespace reluregions {

template <class Sink>
class IntervalEngine : Layerwise<1> {
 public:
  IntervalEngine(const Network& net, Control& ctl, Sink& sink) : Layerwise<1>(net, ctl), sink_(sink) {
    if (net.input_dim() != 1) throw std::invalid_argument("the interval engine needs a 1-input network");
    levels_.resize(static_cast<std::size_t>(H_));
  }

  // Enumerates the regions of [0, 1].
  void run() {
    if (H_ == 0) {  // no hidden layer: one region
      if (ctl_.add_region()) leaf(0.0, 1.0);
      return;
    }
    maps_[0].init_first(net_);
    visit(0, 0.0, 1.0);
  }

 private:
  struct Crossing {
    double root;
    int unit;
    bool rising;
  };
  struct Level {
    std::vector<Crossing> cross;
    std::vector<double> breaks;
    std::vector<int> cluster_end;  // crossings [cluster_end[k-1], cluster_end[k]) form breakpoint k
    std::vector<int> units;        // the crossing units in sweep order
  };

  void visit(int l, double lo, double hi) {
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
    for (int i = 0; i < n; ++i) {
      if (is_zero(l, i)) continue;  // inactive
      const double za = al[i] * lo + be[i], zb = al[i] * hi + be[i];
      const Side s = decide(std::min(za, zb), std::max(za, zb), tol::geometry * std::fabs(al[i]));
      if (s == Side::on) {
        bits[i >> 6] |= std::uint64_t{1} << (i & 63);
      } else if (s == Side::split) {
        const double t = za / (za - zb);
        L.cross.push_back({lo + t * (hi - lo), i, zb > za});
      }
    }
    std::sort(L.cross.begin(), L.cross.end(), [](const Crossing& a, const Crossing& b) { return a.root < b.root; });
    // Roots closer than the geometric tolerance form one breakpoint.
    L.breaks.clear();
    L.cluster_end.clear();
    L.units.clear();
    for (std::size_t c = 0; c < L.cross.size(); ++c) {
      if (L.breaks.empty() || L.cross[c].root - L.breaks.back() > tol::geometry) {
        if (!L.breaks.empty()) L.cluster_end.push_back(static_cast<int>(c));
        L.breaks.push_back(L.cross[c].root);
      }
      L.units.push_back(L.cross[c].unit);
    }
    L.cluster_end.push_back(static_cast<int>(L.cross.size()));
    const int nb = static_cast<int>(L.breaks.size());
    const bool last = l + 1 == H_;

    if constexpr (!Sink::stores) {
      if (last) {
        for (int k = 0; k <= nb; ++k)
          if (!ctl_.add_region()) return;
        return;
      }
    }
    // Left of all roots, a falling unit is on.
    for (const Crossing& c : L.cross)
      if (!c.rising) bits[c.unit >> 6] |= std::uint64_t{1} << (c.unit & 63);
    double a = lo;
    int c0 = 0;
    for (int k = 0; k <= nb; ++k) {
      const double b = k < nb ? L.breaks[static_cast<std::size_t>(k)] : hi;
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
        for (int c = k == 0 ? 0 : L.cluster_end[static_cast<std::size_t>(k) - 1]; c < L.cluster_end[static_cast<std::size_t>(k)]; ++c) {
          const int u = L.units[static_cast<std::size_t>(c)];
          bits[u >> 6] ^= std::uint64_t{1} << (u & 63);
        }
      a = b;
    }
  }

  void leaf(double a, double b) {
    if constexpr (Sink::stores) {
      if (!sink_.affine()) {
        sink_.add_interval(pattern_.data(), a, b, nullptr, nullptr, nullptr);
        return;
      }
      if (H_ == 0) out_.init_first(net_);
      else output_map(true);
      sink_.add_interval(pattern_.data(), a, b, out_.lin(0), out_.cst(), out_.mag.data());
    } else {
      (void)a;
      (void)b;
    }
  }

  Sink& sink_;
  std::vector<Level> levels_;
};

}  // namespace reluregions
