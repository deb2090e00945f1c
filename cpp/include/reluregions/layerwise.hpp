// What the 1-D and 2-D engines share: per-layer affine maps along the current depth-first path, the
// current activation pattern, the children's maps computed incrementally (a child differs from its
// predecessor in a few units), and the certified decisions: a sign computed in floating point with a
// rigorous error bound, recomputed exactly (ExactMaps, rationals) when the bound cannot settle it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "control.hpp"
#include "exact.hpp"
#include "layer_map.hpp"
#include "network.hpp"
#include "tolerances.hpp"

namespace reluregions {

// Children between two full recomputations of a layer's map (the rest are rank-1 updates).
inline constexpr int kRefresh = 32;

// The depth-first loop over the pieces of a node that the polygon and vertex engines share. `frames` is
// the path (each frame: piece, candidates [cand_begin, cand_end), next kid to enter); a piece no
// candidate crosses is a leaf of the layer; in the last layer one crossed by a single candidate counts
// two regions (count only); any other is split by its first candidate and its kids entered in turn.
template <bool kCountOnly, class Frames, class Leaf, class Split, class Enter, class Pop>
void walk_pieces(Control& ctl, Frames& frames, bool last, Leaf&& leaf, Split&& split, Enter&& enter, Pop&& pop) {
  while (!frames.empty()) {
    ctl.checkpoint(frames.size());
    if (ctl.stopped()) return;
    const std::size_t f = frames.size() - 1;
    if (frames[f].next == 0) {
      const std::uint32_t m = frames[f].cand_end - frames[f].cand_begin;
      if (m == 0) {
        leaf(frames[f].piece);
        if (ctl.stopped()) return;
        pop();
        continue;
      }
      if (kCountOnly && last && m == 1) {  // a certified crossing cuts the piece in two
        if (!ctl.add_regions(2)) return;
        pop();
        continue;
      }
      split(frames[f]);
      frames[f].next = 1;
    }
    if (frames[f].next <= 2) {
      const int kid = frames[f].next++ - 1;
      enter(f, kid);
      continue;
    }
    pop();
  }
}

template <int K>
class Layerwise {
 public:
  // Decisions that floating point could not settle and exact arithmetic made.
  std::uint64_t exact_decisions() const { return exact_decisions_; }

 protected:
  Layerwise(const EngineNetwork& en, Control& ctl) : Layerwise(std::shared_ptr<const EngineNetwork>(), en, ctl) {}
  // A network used as it is (its weights and biases exact): for direct use of the core.
  Layerwise(const Network& net, Control& ctl) : Layerwise(std::make_shared<const EngineNetwork>(net), ctl) {}

 private:
  Layerwise(std::shared_ptr<const EngineNetwork> owned, Control& ctl) : Layerwise(owned, *owned, ctl) {}
  Layerwise(std::shared_ptr<const EngineNetwork> owned, const EngineNetwork& en, Control& ctl)
      : owned_(std::move(owned)),
        en_(en),
        net_(en.net),
        ctl_(ctl),
        lay_(net_.layout()),
        H_(net_.num_hidden_layers()),
        ceiling_(magnitude_ceiling(net_, K)),
        exact_maps_(en, net_.layout()) {
    const Network& net = net_;
    maps_.resize(static_cast<std::size_t>(H_));
    pattern_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    factor_.resize(static_cast<std::size_t>(net.max_width()));
    mag_factor_.resize(static_cast<std::size_t>(net.max_width()));
    prev_.resize(static_cast<std::size_t>(std::max(1, lay_.words())));
    // Error bounds of the maps' coefficients, relative to a magnitude bound (see coef_err): each layer
    // adds the rounding of its sums (and of its rounded weights); each rank-1 column update adds at
    // most 8 eps of the ceiling (its terms and partial sums are bounded by twice the ceiling). g_[l]
    // follows how the current maps were actually computed.
    gamma_fresh_.assign(static_cast<std::size_t>(std::max(1, H_)), 0.0);
    g_.assign(static_cast<std::size_t>(std::max(1, H_)), 0.0);
    updates_.assign(static_cast<std::size_t>(std::max(1, H_)), 0);
    double gf = 2.0 * (K + 4) * kEps;
    for (int l = 0; l < H_; ++l) {
      if (l > 0) gf += 2.0 * (net.in_dim(l) + 4) * kEps;
      gamma_fresh_[static_cast<std::size_t>(l)] = gf;
    }
    g_[0] = gamma_fresh_[0];
  }

  // The rounding that computing layer l's map from layer l - 1's adds (relative to the ceiling).
  double gamma_step(int l) const {
    return gamma_fresh_[static_cast<std::size_t>(l)] - gamma_fresh_[static_cast<std::size_t>(l) - 1];
  }

 protected:
  // Bound on the error of each of the K + 1 float coefficients of unit i's map at layer l, from the
  // network-wide ceiling (cheap); `tight`: from the current node's magnitude bound, which needs maps
  // recomputed without updates (exact_[l]).
  double coef_err(int l, int i, bool tight) {
    if (!tight) {
      const double g = g_[static_cast<std::size_t>(l)];
      return g * ceiling_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] * 1.01 + kTiny;
    }
    ensure_mag(l);
    return gamma_fresh_[static_cast<std::size_t>(l)] *
               maps_[static_cast<std::size_t>(l)].mag[static_cast<std::size_t>(i)] * 1.01 +
           kTiny;
  }

  // Certified sign of unit i of layer l at a point: `u` holds its float coordinates (in [0, 1]^K),
  // within `delta` of the exact point in every coordinate; `exact_point(Rational* out)` writes the exact
  // point, and is called only when floating point cannot settle the sign.
  // When floating point settles it, *bound_out (if given) receives the error bound of the float value
  // z (also in *z_out); else +inf.
  template <class ExactPoint>
  int sign_at(int l, int i, const double* u, double delta, ExactPoint&& exact_point, double* z_out = nullptr,
              double* bound_out = nullptr) {
    for (int tier = 0; tier < 2; ++tier) {
      if (tier == 1 && !exact_[static_cast<std::size_t>(l)]) recompute_exact(l);
      const LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
      double z = m.cst()[i], terms = std::fabs(z), g1 = 0.0, usum = 1.0;
      for (int k = 0; k < K; ++k) {
        const double a = m.lin(k)[i];
        z += a * u[k];
        terms += std::fabs(a * u[k]);
        g1 += std::fabs(a);
        usum += std::fabs(u[k]);
      }
      const double ce = coef_err(l, i, tier == 1);
      const double bound = ce * usum + (K + 2) * kEps * terms * 1.01 + (g1 + K * ce) * delta * 1.01 + kTiny;
      if (z_out) *z_out = z;
      if (bound_out) *bound_out = bound;
      if (z > bound) return 1;
      if (z < -bound) return -1;
    }
    if (bound_out) *bound_out = std::numeric_limits<double>::infinity();
    ++exact_decisions_;
    Rational pt[K > 0 ? K : 1];
    exact_point(pt);
    return sign(exact_value(exact_maps_.row(l, i, pattern_.data()), pt, K));
  }

  // The exact map (K coefficients, then the constant) of a hidden unit given by its flat index, on the
  // current path (its layer's bits and later ones may differ: they do not matter).
  const Rational* exact_row(int unit) {
    int l = 0, i = 0;
    lay_.locate(unit, l, i);
    return exact_maps_.row(l, i, pattern_.data());
  }
  const Rational* exact_row(int l, int i) { return exact_maps_.row(l, i, pattern_.data()); }

  // Is unit i of layer l identically zero on the current node (exactly)? A map whose float
  // coefficients are beyond their error bound is not; one within it is checked in rationals.
  bool is_zero(int l, int i) {
    for (int tier = 0; tier < 2; ++tier) {
      if (tier == 1 && !exact_[static_cast<std::size_t>(l)]) recompute_exact(l);
      const LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
      double s = std::fabs(m.cst()[i]);
      for (int k = 0; k < K; ++k) s = std::max(s, std::fabs(m.lin(k)[i]));
      if (s > coef_err(l, i, tier == 1)) return false;
    }
    if (structurally_zero(l, i)) return true;
    ++exact_decisions_;
    const Rational* row = exact_row(l, i);
    for (int k = 0; k <= K; ++k)
      if (row[k] != 0) return false;
    return true;
  }

  // Zero by structure: no rationals needed (see EngineNetwork::structurally_zero).
  bool structurally_zero(int l, int i) const { return en_.structurally_zero(l, i, pattern_.data(), lay_); }

  // Maps of layers 1..l recomputed from scratch under the current pattern.
  void recompute_exact(int l) {
    int first = l;
    while (first > 0 && !exact_[static_cast<std::size_t>(first) - 1]) --first;
    for (int k = std::max(first, 1); k <= l; ++k) {
      fill_factors(k - 1, factor_.data());
      maps_[static_cast<std::size_t>(k) - 1].propagate(net_, k, factor_.data(), maps_[static_cast<std::size_t>(k)]);
      exact_[static_cast<std::size_t>(k)] = 1;
      since_refresh_[static_cast<std::size_t>(k) - 1] = 0;
      g_[static_cast<std::size_t>(k)] = g_[static_cast<std::size_t>(k) - 1] + gamma_step(k);
      updates_[static_cast<std::size_t>(k)] = 0;
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
    const double* s = net_.slopes(l);
    for (int i = 0; i < lay_.width(l); ++i) f[i] = ((bits[i >> 6] >> (i & 63)) & 1u) ? 1.0 : s[i];
  }

  std::uint64_t* layer_bits(int l) { return pattern_.data() + lay_.word_offset(l); }

  // Map of layer l + 1 for the next child of a node at layer l, whose layer-l bits are already in the
  // pattern. `changed` lists the units whose bit differs from the previous child's (nullptr: first
  // child). Updates when few units changed, recomputes otherwise and every kRefresh children so
  // rounding from the updates stays bounded.
  void child_map(int l, const int* changed, int n_changed) {
    LayerMap<K>& cur = maps_[static_cast<std::size_t>(l)];
    LayerMap<K>& next = maps_[static_cast<std::size_t>(l) + 1];
    const int active_cost = net_.relu_layer(l) ? count_active(l) : lay_.width(l);
    if (changed == nullptr || since_refresh_[static_cast<std::size_t>(l)] >= kRefresh || 2 * n_changed > active_cost) {
      fill_factors(l, factor_.data());
      cur.propagate(net_, l + 1, factor_.data(), next);
      since_refresh_[static_cast<std::size_t>(l)] = 0;
      exact_[static_cast<std::size_t>(l) + 1] = exact_[static_cast<std::size_t>(l)];
      g_[static_cast<std::size_t>(l) + 1] = g_[static_cast<std::size_t>(l)] + gamma_step(l + 1);
      updates_[static_cast<std::size_t>(l) + 1] = 0;
      return;
    }
    exact_[static_cast<std::size_t>(l) + 1] = 0;
    updates_[static_cast<std::size_t>(l) + 1] += n_changed;
    g_[static_cast<std::size_t>(l) + 1] =
        g_[static_cast<std::size_t>(l)] + gamma_step(l + 1) + 8.0 * kEps * updates_[static_cast<std::size_t>(l) + 1];
    const std::uint64_t* bits = layer_bits(l);
    for (int k = 0; k < n_changed; ++k) {
      const int i = changed[k];
      const bool on = (bits[i >> 6] >> (i & 63)) & 1u;
      const double s = net_.slope(l, i);
      cur.update(net_, l + 1, i, on ? 1.0 - s : s - 1.0, next);
    }
    ++since_refresh_[static_cast<std::size_t>(l)];
  }

  // A node's layer bits at its previous leaf: the next leaf's map of layer l + 1 only needs the units
  // whose bit changed since then (the node's candidates).
  struct LeafBits {
    std::vector<std::uint64_t> prev;
    bool has_prev = false;
    std::vector<int> changed;
  };

  // Map of layer l + 1 for the current leaf of a node at layer l (its layer-l bits set).
  void leaf_map(int l, LeafBits& lb) {
    const int lw = lay_.layer_words(l);
    const std::uint64_t* bits = layer_bits(l);
    if (lb.has_prev) {
      lb.changed.clear();
      for (int w = 0; w < lw; ++w) {
        std::uint64_t diff = bits[w] ^ lb.prev[static_cast<std::size_t>(w)];
        while (diff) {
          lb.changed.push_back(w * 64 + __builtin_ctzll(diff));
          diff &= diff - 1;
        }
      }
      child_map(l, lb.changed.data(), static_cast<int>(lb.changed.size()));
    } else {
      child_map(l, nullptr, 0);
      lb.prev.resize(static_cast<std::size_t>(lw));
      lb.has_prev = true;
    }
    std::copy(bits, bits + lw, lb.prev.begin());
  }

  // Sets the bit of unit i of layer l, recording it in `undo` (for clear_bits).
  void set_unit_bit(int l, int i, std::vector<int>& undo) {
    layer_bits(l)[i >> 6] |= std::uint64_t{1} << (i & 63);
    undo.push_back(i);
  }

  // Sorts the units at positions pos_of(q), q in [first, last), of the node's tables (L.unit) on a
  // piece by side(pos): crossing ones are appended to L.cands, on ones get their bit set, off ones are
  // dropped.
  template <class Level, class PosOf, class SideOf>
  void sort_candidates(int l, Level& L, std::uint32_t first, std::uint32_t last, PosOf&& pos_of, SideOf&& side) {
    for (std::uint32_t q = first; q < last; ++q) {
      const std::uint32_t pos = pos_of(q);
      const Side s = side(pos);
      if (s == Side::split)
        L.cands.push_back(pos);
      else if (s == Side::on)
        set_unit_bit(l, L.unit[pos], L.undo);
    }
  }

  // Clears the layer-l bits of units[0, n) (undoing a depth-first step).
  void clear_bits(int l, const int* units, std::size_t n) {
    std::uint64_t* bits = layer_bits(l);
    for (std::size_t k = 0; k < n; ++k) bits[units[k] >> 6] &= ~(std::uint64_t{1} << (units[k] & 63));
  }

  // A node of layer l is entered (the polygon and vertex engines' Level): the layer's bits cleared and
  // the level's path, candidates and pieces emptied (the engine clears its own per-unit arrays).
  template <class Level>
  void reset_level(int l, Level& L) {
    std::uint64_t* bits = layer_bits(l);
    std::fill(bits, bits + lay_.layer_words(l), 0);
    L.arena.clear();
    L.frames.clear();
    L.cands.clear();
    L.undo.clear();
    L.leaf.has_prev = false;
    L.unit.clear();
    L.crosses_node.clear();
  }

  // Leaves the innermost frame of level l: the bits it set cleared, its candidates and pieces dropped.
  template <class Level>
  void pop_frame(int l, Level& L) {
    const auto& F = L.frames.back();
    clear_bits(l, L.undo.data() + F.undo_begin, L.undo.size() - F.undo_begin);
    L.undo.resize(F.undo_begin);
    L.cands.resize(F.cand_begin);
    L.arena.truncate(F.arena_mark);
    L.frames.pop_back();
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

  std::shared_ptr<const EngineNetwork> owned_;  // set when built from a plain Network
  const EngineNetwork& en_;
  const Network& net_;
  Control& ctl_;
  const PatternLayout& lay_;
  const int H_;
  std::vector<std::vector<double>> ceiling_;
  ExactMaps exact_maps_;
  std::vector<double> gamma_fresh_, g_;
  std::vector<int> updates_;  // rank-1 column updates applied to each layer's map since it was computed
  std::uint64_t exact_decisions_ = 0;
  std::vector<LayerMap<K>> maps_;  // maps_[l]: layer l's pre-activations on the current node
  LayerMap<K> out_;
  std::vector<std::uint64_t> pattern_, prev_;
  std::vector<double> factor_, mag_factor_;
  std::vector<int> since_refresh_ = std::vector<int>(static_cast<std::size_t>(std::max(1, H_)), 0);
  // exact_[l]: maps_[l] computed without rank-1 updates from exact maps (layer 0 always is).
  std::vector<char> exact_ = std::vector<char>(static_cast<std::size_t>(std::max(1, H_)) + 1, 1);
};

}  // namespace reluregions
