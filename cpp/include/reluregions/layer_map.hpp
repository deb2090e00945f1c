// Affine maps of a layer's pre-activations over a node, and their propagation to the next layer.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "network.hpp"
#include "tolerances.hpp"

namespace reluregions {

// The pre-activations of one layer as affine functions of K domain coordinates, column by column:
// z_i(u) = sum_k lin(k)[i] * u_k + cst()[i], for u in the unit box.
// mag[i] bounds the magnitude of the terms summed to get z_i (the same network through |W|, |b| and
// inputs in [0, 1]); it only matters for the identically-zero test, so engines compute it lazily.
template <int K>
struct LayerMap {
  std::vector<double> data;  // K + 1 columns of `width` entries
  std::vector<double> mag;
  int width = 0;
  bool mag_valid = false;

  void resize(int n) {
    width = n;
    data.assign(static_cast<std::size_t>(K + 1) * n, 0.0);
    mag.assign(static_cast<std::size_t>(n), 0.0);
    mag_valid = false;
  }
  double* lin(int k) { return data.data() + static_cast<std::size_t>(k) * width; }
  double* cst() { return data.data() + static_cast<std::size_t>(K) * width; }
  const double* lin(int k) const { return data.data() + static_cast<std::size_t>(k) * width; }
  const double* cst() const { return data.data() + static_cast<std::size_t>(K) * width; }

  // The first layer: the inputs are the K domain coordinates in [0, 1].
  void init_first(const Network& net) {
    const int n = net.out_dim(0);
    resize(n);
    const double* b = net.b(0);
    for (int i = 0; i < n; ++i) {
      double m = std::fabs(b[i]);
      for (int k = 0; k < K; ++k) lin(k)[i] = 0.0;
      net.for_row(0, i, [&](int k, double w) { lin(k)[i] = w; });
      for (int k = 0; k < K; ++k) m += std::fabs(lin(k)[i]);
      cst()[i] = b[i];
      mag[static_cast<std::size_t>(i)] = m;
    }
    mag_valid = true;
  }

  // next = layer l applied to this map, unit j of this layer multiplied by factor[j] (1 if active,
  // the negative slope otherwise). Units with factor 0 cost nothing.
  // Always inlined: where link-time optimisation left it out of line, the 2-D engine ran 20% slower.
#if defined(__GNUC__)
  [[gnu::always_inline]]
#endif
  void propagate(const Network& net, int l, const double* factor, LayerMap& next) const {
    const int in = width, out = net.out_dim(l);
    if (next.width != out) next.resize(out);
    next.mag_valid = false;
    const double* b = net.b(l);
    for (int k = 0; k < K; ++k) std::fill(next.lin(k), next.lin(k) + out, 0.0);
    std::copy(b, b + out, next.cst());
    for (int j = 0; j < in; ++j)
      if (factor[j] != 0.0) add_column(net, l, factor[j], j, next);
  }

  // next += (new_factor - old_factor) * (contribution of unit j): a child differing from its
  // predecessor in a few units is updated instead of recomputed.
  void update(const Network& net, int l, int j, double delta, LayerMap& next) const {
    add_column(net, l, delta, j, next);
    next.mag_valid = false;
  }

  // next.mag = |W_l| (|factor| * mag) + |b_l|; requires this->mag_valid.
  void propagate_mag(const Network& net, int l, const double* factor, LayerMap& next) const {
    const int in = width, out = net.out_dim(l);
    const double* b = net.b(l);
    double* dm = next.mag.data();
    for (int i = 0; i < out; ++i) dm[i] = std::fabs(b[i]);
    const double* aWt = net.absWt(l);
    for (int j = 0; j < in; ++j) {
      const double v = std::fabs(factor[j]) * mag[static_cast<std::size_t>(j)];
      if (v == 0.0) continue;
      if (aWt) {
        const double* aw = aWt + static_cast<std::size_t>(j) * out;
        for (int i = 0; i < out; ++i) dm[i] += aw[i] * v;
      } else {
        const SparseLines& c = net.cols(l);
        for (std::size_t at = c.ptr[static_cast<std::size_t>(j)]; at < c.ptr[static_cast<std::size_t>(j) + 1]; ++at)
          dm[c.idx[at]] += c.aval[at] * v;
      }
    }
    next.mag_valid = true;
  }

 private:
  // next += f * (unit j's map) * (column j of layer l's weights).
  void add_column(const Network& net, int l, double f, int j, LayerMap& next) const {
    const int out = next.width;
    double v[K + 1];
    for (int k = 0; k <= K; ++k) v[k] = f * data[static_cast<std::size_t>(k) * width + static_cast<std::size_t>(j)];
    double* dst[K + 1];
    for (int k = 0; k <= K; ++k) dst[k] = next.data.data() + static_cast<std::size_t>(k) * out;
    if (net.sparse(l)) {
      const SparseLines& c = net.cols(l);
      for (std::size_t at = c.ptr[static_cast<std::size_t>(j)]; at < c.ptr[static_cast<std::size_t>(j) + 1]; ++at)
        for (int k = 0; k <= K; ++k) dst[k][c.idx[at]] += c.val[at] * v[k];
      return;
    }
    const double* w = net.Wt(l) + static_cast<std::size_t>(j) * static_cast<std::size_t>(out);
    for (int k = 0; k <= K; ++k) {
      double* d = dst[k];
      const double vk = v[k];
      for (int i = 0; i < out; ++i) d[i] += w[i] * vk;
    }
  }
};

// Network-wide upper bounds of every unit's magnitude bound (all units active, inputs in [0, 1]):
// a cheap first test before the exact, lazily computed per-node bound.
inline std::vector<std::vector<double>> magnitude_ceiling(const Network& net, int inputs) {
  std::vector<std::vector<double>> ceil(static_cast<std::size_t>(net.num_layers()));
  std::vector<double> prev(static_cast<std::size_t>(inputs), 1.0);
  for (int l = 0; l < net.num_layers(); ++l) {
    const int out = net.out_dim(l);
    std::vector<double>& cur = ceil[static_cast<std::size_t>(l)];
    cur.assign(static_cast<std::size_t>(out), 0.0);
    for (int i = 0; i < out; ++i) {
      double m = std::fabs(net.b(l)[i]);
      net.for_row(l, i, [&](int j, double w) { m += std::fabs(w) * prev[static_cast<std::size_t>(j)]; });
      cur[static_cast<std::size_t>(i)] = m;
    }
    if (l + 1 < net.num_layers()) {
      const double s = std::max(1.0, net.max_abs_slope(l));
      prev = cur;
      for (double& v : prev) v *= s;
    }
  }
  return ceil;
}

// How a unit behaves on a piece of the polygon and vertex engines.
enum class Side { off, on, split };

}  // namespace reluregions
