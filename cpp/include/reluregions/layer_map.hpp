// Affine maps of a layer's pre-activations over a node, and their propagation to the next layer.
#pragma once
#include <cmath>
#include <vector>

#include "network.hpp"

namespace reluregions {

// The pre-activations of one layer as affine functions of K domain coordinates, column by column:
// z_i(u) = sum_k lin[k][i] * u_k + cst[i], plus mag[i], a bound on the magnitude of the terms summed
// to get z_i over the unit domain (the same network with |W|, |b| and inputs in [0, 1]).
template <int K>
struct LayerMap {
  std::vector<double> data;  // (K + 2) columns of `width` entries
  int width = 0;

  void resize(int n) {
    width = n;
    data.assign(static_cast<std::size_t>(K + 2) * n, 0.0);
  }
  double* lin(int k) { return data.data() + static_cast<std::size_t>(k) * width; }
  double* cst() { return data.data() + static_cast<std::size_t>(K) * width; }
  double* mag() { return data.data() + static_cast<std::size_t>(K + 1) * width; }
  const double* lin(int k) const { return data.data() + static_cast<std::size_t>(k) * width; }
  const double* cst() const { return data.data() + static_cast<std::size_t>(K) * width; }
  const double* mag() const { return data.data() + static_cast<std::size_t>(K + 1) * width; }

  // The first layer: inputs are the K domain coordinates in [0, 1].
  void init_first(const Network& net) {
    const int n = net.out_dim(0);
    resize(n);
    const double* W = net.W(0);
    const double* b = net.b(0);
    for (int i = 0; i < n; ++i) {
      double m = std::fabs(b[i]);
      for (int k = 0; k < K; ++k) {
        lin(k)[i] = W[static_cast<std::size_t>(i) * K + k];
        m += std::fabs(lin(k)[i]);
      }
      cst()[i] = b[i];
      mag()[i] = m;
    }
  }

  // next = layer `l` applied to this map, where unit j of this layer has been multiplied by factor[j]
  // (1 if active, the negative slope otherwise).
  void propagate(const Network& net, int l, const double* factor, LayerMap& next) const {
    const int in = width, out = net.out_dim(l);
    next.width = out;
    next.data.resize(static_cast<std::size_t>(K + 2) * out);
    const double* b = net.b(l);
    for (int k = 0; k < K; ++k) std::fill(next.lin(k), next.lin(k) + out, 0.0);
    for (int i = 0; i < out; ++i) {
      next.cst()[i] = b[i];
      next.mag()[i] = std::fabs(b[i]);
    }
    const double* Wt = net.Wt(l);
    const double* aWt = net.absWt(l);
    for (int j = 0; j < in; ++j) {
      const double f = factor[j];
      if (f == 0.0) continue;
      const double* w = Wt + static_cast<std::size_t>(j) * out;
      const double* aw = aWt + static_cast<std::size_t>(j) * out;
      for (int k = 0; k < K; ++k) {
        const double v = f * lin(k)[j];
        double* dst = next.lin(k);
        for (int i = 0; i < out; ++i) dst[i] += w[i] * v;
      }
      const double vc = f * cst()[j];
      const double vm = std::fabs(f) * mag()[j];
      double* dc = next.cst();
      double* dm = next.mag();
      for (int i = 0; i < out; ++i) {
        dc[i] += w[i] * vc;
        dm[i] += aw[i] * vm;
      }
    }
  }
};

// How a unit behaves on a piece, from its values at the piece's vertices.
enum class Side { off, on, split };

// zero_band: |z| below it everywhere means the unit is identically zero (off). geo_band: values within
// it of zero put a vertex on the unit's line. A split needs vertices beyond the band on both sides.
inline Side decide(const double* z, int n, double zero_band, double geo_band) {
  double lo = z[0], hi = z[0];
  for (int k = 1; k < n; ++k) {
    lo = z[k] < lo ? z[k] : lo;
    hi = z[k] > hi ? z[k] : hi;
  }
  if (hi <= zero_band && lo >= -zero_band) return Side::off;
  const bool pos = hi > geo_band, neg = lo < -geo_band;
  if (pos && neg) return Side::split;
  if (pos) return Side::on;
  if (neg) return Side::off;
  return (hi + lo) > 2 * zero_band ? Side::on : Side::off;  // a piece thinner than the band
}

}  // namespace reluregions
