// What the 1-D and 2-D engines share: per-layer affine maps along the current depth-first path, the
// current activation pattern, the identically-zero test with a lazily computed magnitude bound, and
// the children's maps computed incrementally (a child differs from its predecessor in a few units).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "control.hpp"
#include "layer_map.hpp"
#include "network.hpp"
#include "tolerances.hpp"

namespace reluregions {

template <int K>
class Layerwise {
 protected:
  Layerwise(const Network& net, Control& ctl)
      : net_(net), ctl_(ctl), lay_(net.layout()), H_(net.num_hidden_layers()), ceiling_(magnitude_ceiling(net, K)) {
    maps_.resize(static_cast<std::size_t>(H_));
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    factor_.resize(static_cast<std::size_t>(net.max_width()));
    mag_factor_.resize(static_cast<std::size_t>(net.max_width()));
    prev_.resize(static_cast<std::size_t>(std::max(1, lay_.words())));
  }

  // Is unit i of layer l identically zero on the current node? Its map is zero when all its
  // coefficients are within rounding of zero: sum |coefficients| <= ZERO_TOL * (magnitude bound). The
  // network-wide ceiling of the bound decides most units; the exact per-node bound is computed lazily.
  bool is_zero(int l, int i) {
    const LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
    double s = std::fabs(m.cst()[i]);
    for (int k = 0; k < K; ++k) s += std::fabs(m.lin(k)[i]);
    if (s > tol::zero * ceiling_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]) return false;
    ensure_mag(l);
    if (s <= tol::zero * m.mag[static_cast<std::size_t>(i)]) return true;
    if (exact_[static_cast<std::size_t>(l)]) return false;
    // Maps built by rank-1 updates carry the rounding residue of contributions added for an earlier
    // sibling and removed again; the current pattern's bound does not cover it (it can be 0). Recompute
    // the path's maps exactly and test again (rare: only units near zero get here).
    recompute_exact(l);
    s = std::fabs(m.cst()[i]);
    for (int k = 0; k < K; ++k) s += std::fabs(m.lin(k)[i]);
    ensure_mag(l);
    return s <= tol::zero * m.mag[static_cast<std::size_t>(i)];
  }

  // Maps of layers 1..l recomputed from scratch under the current pattern.
  void recompute_exact(int l) {
    int first = l;
    while (first > 0 && !exact_[static_cast<std::size_t>(first) - 1]) --first;
    for (int k = std::max(first, 1); k <= l; ++k) {
      fill_factors(k - 1, factor_.data());
      maps_[static_cast<std::size_t>(k) - 1].propagate(net_, k, factor_.data(), maps_[static_cast<std::size_t>(k)]);
      exact_[static_cast<std::size_t>(k)] = 1;
      since_refresh_[static_cast<std::size_t>(k) - 1] = 0;
    }
  }

  // Magnitude bound of layer l's map on the current node (the path's patterns fix every factor).
  void ensure_mag(int l) {
    LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
    if (m.mag_valid) return;
    ensure_mag(l - 1);  // layer 0's bound is set by init_first and never invalidated
    fill_factors(l - 1, mag_factor_.data());
    maps_[static_cast<std::size_t>(l) - 1].propagate_mag(net_, l, mag_factor_.data(), m);
  }

  // Factors of layer l's units under the current pattern: 1 if active, the negative slope otherwise.
  void fill_factors(int l, double* f) const {
    const std::uint64_t* bits = pattern_.data() + lay_.word_offset(l);
    const double s = net_.slope(l);
    for (int i = 0; i < lay_.width(l); ++i) f[i] = ((bits[i >> 6] >> (i & 63)) & 1u) ? 1.0 : s;
  }

  std::uint64_t* layer_bits(int l) { return pattern_.data() + lay_.word_offset(l); }

  // Map of layer l + 1 for the next child of a node at layer l, whose layer-l bits are already in the
  // pattern. `changed` lists the units whose bit differs from the previous child's (nullptr: first
  // child). Updates when few units changed, recomputes otherwise and every kRefresh children so
  // rounding from the updates stays bounded.
  void child_map(int l, const int* changed, int n_changed) {
    static constexpr int kRefresh = 32;
    LayerMap<K>& cur = maps_[static_cast<std::size_t>(l)];
    LayerMap<K>& next = maps_[static_cast<std::size_t>(l) + 1];
    const double s = net_.slope(l);
    const int active_cost = s == 0.0 ? count_active(l) : lay_.width(l);
    if (changed == nullptr || since_refresh_[static_cast<std::size_t>(l)] >= kRefresh || 2 * n_changed > active_cost) {
      fill_factors(l, factor_.data());
      cur.propagate(net_, l + 1, factor_.data(), next);
      since_refresh_[static_cast<std::size_t>(l)] = 0;
      exact_[static_cast<std::size_t>(l) + 1] = exact_[static_cast<std::size_t>(l)];
      return;
    }
    exact_[static_cast<std::size_t>(l) + 1] = 0;
    const std::uint64_t* bits = layer_bits(l);
    for (int k = 0; k < n_changed; ++k) {
      const int i = changed[k];
      const bool on = (bits[i >> 6] >> (i & 63)) & 1u;
      cur.update(net_, l + 1, i, on ? 1.0 - s : s - 1.0, next);
    }
    ++since_refresh_[static_cast<std::size_t>(l)];
  }

  int count_active(int l) const {
    const std::uint64_t* bits = pattern_.data() + lay_.word_offset(l);
    int n = 0;
    for (int w = 0; w < lay_.layer_words(l); ++w) n += __builtin_popcountll(bits[w]);
    return n;
  }

  // The output layer's map for the current leaf, with its magnitude bound when `with_mag`.
  void output_map(bool with_mag) {
    const int l = H_ - 1;
    fill_factors(l, factor_.data());
    maps_[static_cast<std::size_t>(l)].propagate(net_, H_, factor_.data(), out_);
    if (with_mag) {
      ensure_mag(l);
      maps_[static_cast<std::size_t>(l)].propagate_mag(net_, H_, factor_.data(), out_);
    }
  }

  const Network& net_;
  Control& ctl_;
  const PatternLayout& lay_;
  const int H_;
  std::vector<std::vector<double>> ceiling_;
  std::vector<LayerMap<K>> maps_;  // maps_[l]: layer l's pre-activations on the current node
  LayerMap<K> out_;
  std::vector<std::uint64_t> pattern_, prev_;
  std::vector<double> factor_, mag_factor_;
  std::vector<int> since_refresh_ = std::vector<int>(static_cast<std::size_t>(std::max(1, H_)), 0);
  // exact_[l]: maps_[l] computed without rank-1 updates from exact maps (layer 0 always is).
  std::vector<char> exact_ = std::vector<char>(static_cast<std::size_t>(std::max(1, H_)) + 1, 1);
};

}  // namespace reluregions
