// The 1-D engine: sweeps the unit interval layer by layer, depth first. A node is an interval on which
// every earlier unit has a fixed state; the current layer's pre-activations are affine in t there, so
// their roots split the interval into the node's children.
#pragma once
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "control.hpp"
#include "layer_map.hpp"
#include "network.hpp"
#include "results.hpp"
#include "tolerances.hpp"

namespace reluregions {

template <class Sink>
class IntervalEngine {
 public:
  IntervalEngine(const Network& net, Control& ctl, Sink& sink)
      : net_(net), ctl_(ctl), sink_(sink), lay_(net.layout()), H_(net.num_hidden_layers()) {
    if (net.input_dim() != 1) throw std::invalid_argument("the interval engine needs a 1-input network");
    levels_.resize(static_cast<std::size_t>(H_));
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    factor_.resize(static_cast<std::size_t>(net.max_width()));
  }

  // Enumerates the regions of [0, 1].
  void run() {
    if (H_ == 0) {  // no hidden layer: one region
      if (ctl_.add_region()) leaf(0.0, 1.0);
      return;
    }
    levels_[0].map.init_first(net_);
    visit(0, 0.0, 1.0);
  }

 private:
  struct Crossing {
    double root;
    int unit;
    bool rising;
  };
  struct Level {
    LayerMap<1> map;
    std::vector<Crossing> cross;
    std::vector<double> breaks;
    std::vector<int> cluster_end;  // crossings [cluster_end[k-1], cluster_end[k]) form breakpoint k
  };

  void visit(int l, double lo, double hi) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const int n = L.map.width;
    const double* al = L.map.lin(0);
    const double* be = L.map.cst();
    const double* mg = L.map.mag();
    std::uint64_t* bits = pattern_.data() + lay_.word_offset(l);
    std::fill(bits, bits + lay_.layer_words(l), 0);
    L.cross.clear();
    for (int i = 0; i < n; ++i) {
      const double z[2] = {al[i] * lo + be[i], al[i] * hi + be[i]};
      const Side s = decide(z, 2, tol::zero * mg[i], tol::geometry * std::fabs(al[i]));
      if (s == Side::on) {
        set(bits, i);
      } else if (s == Side::split) {
        const double t = z[0] / (z[0] - z[1]);
        L.cross.push_back({lo + t * (hi - lo), i, z[1] > z[0]});
      }
    }
    std::sort(L.cross.begin(), L.cross.end(), [](const Crossing& a, const Crossing& b) { return a.root < b.root; });
    // Roots closer than the geometric tolerance form one breakpoint.
    L.breaks.clear();
    L.cluster_end.clear();
    for (std::size_t c = 0; c < L.cross.size(); ++c) {
      if (L.breaks.empty() || L.cross[c].root - L.breaks.back() > tol::geometry) {
        if (!L.breaks.empty()) L.cluster_end.push_back(static_cast<int>(c));
        L.breaks.push_back(L.cross[c].root);
      }
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
      if (!c.rising) set(bits, c.unit);
    double a = lo;
    int c = 0;
    for (int k = 0; k <= nb; ++k) {
      const double b = k < nb ? L.breaks[static_cast<std::size_t>(k)] : hi;
      if (last) {
        if (!ctl_.add_region()) return;
        leaf(a, b);
      } else {
        fill_factors(l, bits, n);
        L.map.propagate(net_, l + 1, factor_.data(), levels_[static_cast<std::size_t>(l) + 1].map);
        visit(l + 1, a, b);
        if (ctl_.stopped()) return;
      }
      if (k < nb)
        for (; c < L.cluster_end[static_cast<std::size_t>(k)]; ++c) flip(bits, L.cross[static_cast<std::size_t>(c)].unit);
      a = b;
    }
  }

  void leaf(double a, double b) {
    if constexpr (Sink::stores) {
      const double* A = nullptr;
      const double* C = nullptr;
      const double* E = nullptr;
      if (sink_.affine()) {
        if (H_ == 0) {
          out_.resize(net_.out_dim(0));
          for (int i = 0; i < net_.out_dim(0); ++i) {
            out_.lin(0)[i] = net_.W(0)[i];
            out_.cst()[i] = net_.b(0)[i];
            out_.mag()[i] = std::fabs(net_.W(0)[i]) + std::fabs(net_.b(0)[i]);
          }
        } else {
          const int l = H_ - 1;
          Level& L = levels_[static_cast<std::size_t>(l)];
          fill_factors(l, pattern_.data() + lay_.word_offset(l), L.map.width);
          L.map.propagate(net_, H_, factor_.data(), out_);
        }
        A = out_.lin(0);  // out x 1
        C = out_.cst();
        E = out_.mag();
      }
      sink_.add_interval(pattern_.data(), a, b, A, C, E);
    } else {
      (void)a;
      (void)b;
    }
  }

  void fill_factors(int l, const std::uint64_t* bits, int n) {
    const double s = net_.slope(l);
    for (int i = 0; i < n; ++i) factor_[static_cast<std::size_t>(i)] = ((bits[i >> 6] >> (i & 63)) & 1u) ? 1.0 : s;
  }
  static void set(std::uint64_t* bits, int i) { bits[i >> 6] |= std::uint64_t{1} << (i & 63); }
  static void flip(std::uint64_t* bits, int i) { bits[i >> 6] ^= std::uint64_t{1} << (i & 63); }

  const Network& net_;
  Control& ctl_;
  Sink& sink_;
  const PatternLayout& lay_;
  const int H_;
  std::vector<Level> levels_;
  std::vector<std::uint64_t> pattern_;
  std::vector<double> factor_;
  LayerMap<1> out_;
};

}  // namespace reluregions
