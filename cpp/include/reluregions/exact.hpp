// Exact arithmetic for the engines' fallback decisions.
//
// Weights, biases, slopes and domain coordinates are the exact rationals their float64 values denote.
// ExactNetwork holds the network an engine works on (the domain folded into the first layer, every
// hidden unit rescaled by a power of two) in rationals; `to_network()` rounds it to the float network
// the fast path uses. ExactMaps gives the exact affine map of any unit along the current depth-first
// path, recomputing only the layers whose pattern prefix changed. Rationals are Boost.Multiprecision's
// header-only cpp_rational.
#pragma once
#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "network.hpp"
#include "pattern.hpp"

namespace reluregions {

using Rational = boost::multiprecision::cpp_rational;
using BigInt = boost::multiprecision::cpp_int;

// Unit roundoff of float64 and its smallest positive subnormal.
inline constexpr double kEps = 1.1102230246251565e-16;  // 2^-53
inline constexpr double kTiny = 4.9406564584124654e-324;

// floor(log2 |r|) for r != 0.
inline long floor_log2(const Rational& r) {
  const BigInt n = boost::multiprecision::abs(boost::multiprecision::numerator(r));
  const BigInt d = boost::multiprecision::denominator(r);
  long e = static_cast<long>(boost::multiprecision::msb(n)) - static_cast<long>(boost::multiprecision::msb(d));
  // 2^e <= |r| unless n < d 2^e.
  const bool below = e >= 0 ? n < (d << static_cast<unsigned>(e)) : (n << static_cast<unsigned>(-e)) < d;
  return below ? e - 1 : e;
}

// r * 2^k, exactly.
inline Rational ldexp_exact(const Rational& r, long k) {
  if (k == 0 || r == 0) return r;
  const BigInt n = boost::multiprecision::numerator(r), d = boost::multiprecision::denominator(r);
  if (k > 0) return Rational(n << static_cast<unsigned>(k), d);
  return Rational(n, d << static_cast<unsigned>(-k));
}

// The nearest double (ties to even through the library's conversion); +-inf beyond the range.
inline double to_double(const Rational& r) { return r.convert_to<double>(); }

inline int sign(const Rational& r) { return r.sign(); }

// A dyadic rational m * 2^e (every value of the engines' networks is one: sums of products of floats,
// rescaled by powers of two).
struct Dyadic {
  BigInt m;
  long e = 0;
};

inline Dyadic to_dyadic(const Rational& r) {
  Dyadic d;
  if (r == 0) return d;
  const BigInt& den = boost::multiprecision::denominator(r);
  const auto k = static_cast<long>(boost::multiprecision::msb(den));
  if (den != (BigInt(1) << static_cast<unsigned>(k))) throw std::logic_error("exact: a value that is not dyadic");
  d.m = boost::multiprecision::numerator(r);
  d.e = -k;
  return d;
}

// The exact value of a double times 2^shift.
inline Dyadic to_dyadic(double v, long shift = 0) {
  Dyadic d;
  if (v == 0.0) return d;
  int e = 0;
  const double f = std::frexp(v, &e);  // v = f 2^e, |f| in [0.5, 1): f 2^53 is an integer
  d.m = BigInt(static_cast<long long>(std::ldexp(f, 53)));
  d.e = static_cast<long>(e) - 53 + shift;
  return d;
}

inline Dyadic operator*(const Dyadic& a, const Dyadic& b) {
  Dyadic d;
  if (a.m == 0 || b.m == 0) return d;
  d.m = a.m * b.m;
  d.e = a.e + b.e;
  return d;
}

// A network in exact rationals: the weights of layer l in compressed rows (row i's columns idx[l] and
// values W[l] at ptr[l][i] .. ptr[l][i + 1]; zeros are not stored), b[l], the negative slope of each
// hidden unit, and the power-of-two factor by which each hidden unit was rescaled (scale_log2[l][i]:
// the unit's incoming weights and bias were multiplied by 2^scale_log2, its outgoing weights divided).
class ExactNetwork {
 public:
  std::vector<int> dims;
  std::vector<std::vector<std::size_t>> ptr;
  std::vector<std::vector<int>> idx;
  std::vector<std::vector<Rational>> W, b;
  std::vector<std::vector<Rational>> slopes;  // per hidden unit
  std::vector<std::vector<double>> slopes_f;
  std::vector<std::vector<char>> linear;  // linear (pass-through) units: no pattern bit
  std::vector<std::vector<long>> scale_log2;

  ExactNetwork() = default;

  // The exact values of a float network's weights.
  explicit ExactNetwork(const Network& net) : dims(net.dims()) {
    const int L = net.num_layers();
    ptr.resize(static_cast<std::size_t>(L));
    idx.resize(static_cast<std::size_t>(L));
    W.resize(static_cast<std::size_t>(L));
    b.resize(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      ptr[ul].push_back(0);
      for (int i = 0; i < net.out_dim(l); ++i) {
        net.for_row(l, i, [&](int j, double w) {
          if (w == 0.0) return;
          idx[ul].push_back(j);
          W[ul].emplace_back(w);
        });
        ptr[ul].push_back(idx[ul].size());
      }
      b[ul].assign(net.b(l), net.b(l) + net.out_dim(l));
    }
    slopes_f = net.unit_slopes();
    linear = net.linear_masks();
    for (const auto& layer : slopes_f) slopes.emplace_back(layer.begin(), layer.end());
    scale_log2.resize(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l)
      scale_log2[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)), 0);
  }

  int num_layers() const { return static_cast<int>(dims.size()) - 1; }
  int in_dim(int l) const { return dims[static_cast<std::size_t>(l)]; }
  int out_dim(int l) const { return dims[static_cast<std::size_t>(l) + 1]; }

  // The weight of row i, column j of layer l (zero when not stored).
  Rational weight(int l, int i, int j) const {
    const auto ul = static_cast<std::size_t>(l);
    const auto first = idx[ul].begin() + static_cast<std::ptrdiff_t>(ptr[ul][static_cast<std::size_t>(i)]);
    const auto last = idx[ul].begin() + static_cast<std::ptrdiff_t>(ptr[ul][static_cast<std::size_t>(i) + 1]);
    const auto it = std::lower_bound(first, last, j);
    return it != last && *it == j ? W[ul][static_cast<std::size_t>(it - idx[ul].begin())] : Rational(0);
  }

  // Rescales every hidden unit by a power of two so that its incoming row (weights and bias) has its
  // largest entry in [1, 2); its outgoing weights are divided by the same factor. Positive rescaling
  // commutes with (leaky) ReLU: the regions, their patterns and the network's output are unchanged.
  void normalize_units() {
    const int L = num_layers();
    std::vector<long> prev;  // the previous layer's new scales (its units' outgoing factor 2^-k)
    for (int l = 0; l < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      for (int i = 0; i < out_dim(l); ++i) {
        const std::size_t a = ptr[ul][static_cast<std::size_t>(i)], e = ptr[ul][static_cast<std::size_t>(i) + 1];
        if (l > 0)
          for (std::size_t k = a; k < e; ++k)
            W[ul][k] = ldexp_exact(W[ul][k], -prev[static_cast<std::size_t>(idx[ul][k])]);
      }
      if (l + 1 == L) break;
      std::vector<long> cur(static_cast<std::size_t>(out_dim(l)), 0);
      for (int i = 0; i < out_dim(l); ++i) {
        const auto ui = static_cast<std::size_t>(i);
        Rational mx = boost::multiprecision::abs(b[ul][ui]);
        for (std::size_t k = ptr[ul][ui]; k < ptr[ul][ui + 1]; ++k)
          mx = std::max(mx, Rational(boost::multiprecision::abs(W[ul][k])));
        if (mx == 0) continue;
        const long sc = -floor_log2(mx);
        cur[ui] = sc;
        scale_log2[ul][ui] += sc;
        for (std::size_t k = ptr[ul][ui]; k < ptr[ul][ui + 1]; ++k) W[ul][k] = ldexp_exact(W[ul][k], sc);
        b[ul][ui] = ldexp_exact(b[ul][ui], sc);
      }
      prev = std::move(cur);
    }
  }

  // The float network nearest to this one (every entry rounded). Throws std::overflow_error naming the
  // layer when an entry is beyond the float64 range.
  Network to_network() const {
    const int L = num_layers();
    std::vector<WeightMatrix> Wf(static_cast<std::size_t>(L));
    std::vector<std::vector<double>> bf(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      WeightMatrix& m = Wf[ul];
      m.sparse = true;
      m.ptr = ptr[ul];
      m.idx = idx[ul];
      for (const Rational& w : W[ul]) m.val.push_back(to_double(w));
      for (const Rational& v : b[ul]) bf[ul].push_back(to_double(v));
      for (double v : m.val)
        if (!std::isfinite(v))
          throw std::overflow_error("layer " + std::to_string(l) +
                                    ": a weight of the folded network overflows float64 (|w| > 1.8e308)");
      for (double v : bf[ul])
        if (!std::isfinite(v))
          throw std::overflow_error("layer " + std::to_string(l) +
                                    ": a bias of the folded network overflows float64 (|b| > 1.8e308)");
      if (!WeightMatrix::worth_compressing(
              m.val.size(), static_cast<std::size_t>(in_dim(l)) * static_cast<std::size_t>(out_dim(l)))) {
        std::vector<double> dense(static_cast<std::size_t>(in_dim(l)) * static_cast<std::size_t>(out_dim(l)), 0.0);
        for (int i = 0; i < out_dim(l); ++i)
          for (std::size_t k = m.ptr[static_cast<std::size_t>(i)]; k < m.ptr[static_cast<std::size_t>(i) + 1]; ++k)
            dense[static_cast<std::size_t>(i) * static_cast<std::size_t>(in_dim(l)) +
                  static_cast<std::size_t>(m.idx[k])] = m.val[k];
        m = WeightMatrix::from_dense(std::move(dense));
      }
    }
    return Network(dims, std::move(Wf), std::move(bf), slopes_f, linear);
  }

  // The exact activation pattern at the point x (dims[0] doubles): bit set iff z > 0, exactly.
  void pattern(const double* x, const PatternLayout& lay, std::uint64_t* bits) const {
    const int L = num_layers();
    lay.clear(bits);
    std::vector<Rational> h(x, x + dims[0]), z;
    for (int l = 0; l + 1 < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      z.assign(static_cast<std::size_t>(out_dim(l)), Rational(0));
      for (int i = 0; i < out_dim(l); ++i) {
        const auto ui = static_cast<std::size_t>(i);
        Rational acc = b[ul][ui];
        for (std::size_t k = ptr[ul][ui]; k < ptr[ul][ui + 1]; ++k) {
          const Rational& hj = h[static_cast<std::size_t>(idx[ul][k])];
          if (hj != 0) acc += W[ul][k] * hj;
        }
        if (acc > 0 && !linear[ul][ui])
          lay.set(bits, l, i);
        else if (acc < 0)
          acc *= slopes[ul][ui];
        z[ui] = std::move(acc);
      }
      h.swap(z);
    }
  }
};

// The affine frame x = p + M u of a domain in rationals: p = origin + basis lo, M = basis diag(hi - lo)
// (origin: n0 entries, basis: n0 x K row-major, lo / hi: K entries; M: n0 x K row-major).
inline void exact_frame(int n0, int K, const double* origin, const double* basis, const double* lo, const double* hi,
                        std::vector<Rational>& p, std::vector<Rational>& M) {
  const auto uK = static_cast<std::size_t>(K);
  p.assign(static_cast<std::size_t>(n0), Rational(0));
  M.assign(static_cast<std::size_t>(n0) * uK, Rational(0));
  for (int j = 0; j < n0; ++j) {
    Rational pj(origin[j]);
    for (int k = 0; k < K; ++k) {
      const Rational bjk(basis[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)]);
      if (bjk == 0) continue;
      pj += bjk * Rational(lo[k]);
      M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)] = bjk * (Rational(hi[k]) - Rational(lo[k]));
    }
    p[static_cast<std::size_t>(j)] = pj;
  }
}

// A float network and its exact counterpart, as handed to the engines, with the domain's frame: the
// engines work in u in [0, 1]^K; the domain's coordinates are s = s_lo + u * span (float64 operations,
// as Python's Frame computes them), and the exact point of s is u* = (s - s_lo) / (s_hi - s_lo).
//
// The network is u -> source(origin + basis (s_lo + (s_hi - s_lo) u)), every hidden unit rescaled by a
// power of two so that its incoming row has its largest entry in [1, 2) (see
// ExactNetwork::normalize_units). The folded first layer is kept exactly (rationals, n1 x K); every
// other weight of the exact network is a weight of the source times a power of two (scale()), so
// exact maps need no rational network (ExactMaps). Sparse layers stay sparse.
class EngineNetwork {
  // Declared first: build() fills them while `net` is initialized.
  Network source_{{1, 1}, std::vector<std::vector<double>>{{0.0}}, {{0.0}}, {}};
  int K_ = 0;
  bool framed_ = false;
  std::vector<Rational> W0_, b0_;  // framed: the folded first layer (n1 x K, row-major), before rescaling
  std::vector<std::vector<long>> scale_;

 public:
  std::vector<double> s_lo, s_hi, span;  // before net: build() sets them
  Network net;

  // The network as given, no folding (u = x; s_lo = 0, span = 1 are nominal).
  explicit EngineNetwork(const Network& source)
      : EngineNetwork(source, source.input_dim(), nullptr, nullptr, nullptr, nullptr) {}

  // origin: n0 entries; basis: n0 x K row-major; lo, hi: K entries (null: the identity frame).
  EngineNetwork(const Network& source, int K, const double* origin, const double* basis, const double* lo,
                const double* hi)
      : net(build(source, K, origin, basis, lo, hi)) {}

  const Network& source() const { return source_; }
  // Is the first layer the exactly folded domain (exact_first()), or the source's first layer?
  bool framed() const { return framed_; }
  // The folded first layer in rationals (framed only): n1 x K row-major, and the biases.
  const std::vector<Rational>& exact_first_weights() const { return W0_; }
  const std::vector<Rational>& exact_first_biases() const { return b0_; }
  // log2 of the factor by which hidden unit i of layer l was rescaled (0 for the output layer).
  long scale(int l, int i) const { return scale_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]; }

  // Is unit i of layer l identically zero on every node with this pattern, by structure alone (no
  // rationals)? Zero bias, and every input read through a non-zero weight is zero: an inactive ReLU
  // unit, or a linear (carry) unit whose own pre-activation is structurally zero (looked through up to
  // a budget of rows).
  bool structurally_zero(int l, int i, const std::uint64_t* pattern, const PatternLayout& lay) const {
    int budget = 4096;
    return zero_by_structure(l, i, pattern, lay, budget);
  }

  // Domain coordinate k of frame coordinate u (the float expression Python uses).
  double coord(int k, double u) const {
    return s_lo[static_cast<std::size_t>(k)] + u * span[static_cast<std::size_t>(k)];
  }
  // The exact frame coordinate of domain coordinate s.
  Rational exact_u(int k, double s) const {
    const auto j = static_cast<std::size_t>(k);
    return (Rational(s) - Rational(s_lo[j])) / (Rational(s_hi[j]) - Rational(s_lo[j]));
  }

 private:
  bool zero_by_structure(int l, int i, const std::uint64_t* pattern, const PatternLayout& lay, int& budget) const {
    if (--budget < 0) return false;
    if (l == 0 && framed_) {
      if (b0_[static_cast<std::size_t>(i)] != 0) return false;
      for (int k = 0; k < K_; ++k)
        if (W0_[static_cast<std::size_t>(i) * static_cast<std::size_t>(K_) + static_cast<std::size_t>(k)] != 0)
          return false;
      return true;
    }
    if (source_.b(l)[i] != 0.0) return false;
    bool zero = true;
    source_.for_row(l, i, [&](int j, double w) {
      if (!zero || w == 0.0) return;
      if (l == 0) {
        zero = false;
        return;
      }
      const bool inactive = !lay.get(pattern, l - 1, j) && source_.slope(l - 1, j) == 0.0;
      if (inactive) return;
      zero = source_.is_linear(l - 1, j) && zero_by_structure(l - 1, j, pattern, lay, budget);
    });
    return zero;
  }

  // (exponent, mantissa) order of |v|, v != 0: |v| = m 2^e, m in [1, 2).
  static bool larger(int e1, double m1, int e2, double m2) { return e1 > e2 || (e1 == e2 && m1 > m2); }

  // The folded first layer in rationals: x = p + M u with p = origin + basis lo, M = basis diag(hi - lo).
  void fold_first(const Network& source, int K, const double* origin, const double* basis, const double* lo,
                  const double* hi) {
    const int n0 = source.input_dim(), n1 = source.out_dim(0);
    const auto uK = static_cast<std::size_t>(K);
    std::vector<Rational> p, M;
    exact_frame(n0, K, origin, basis, lo, hi, p, M);
    W0_.assign(static_cast<std::size_t>(n1) * uK, Rational(0));
    b0_.assign(static_cast<std::size_t>(n1), Rational(0));
    for (int i = 0; i < n1; ++i) {
      Rational bi(source.b(0)[i]);
      source.for_row(0, i, [&](int j, double wf) {
        if (wf == 0.0) return;
        const Rational w(wf);
        bi += w * p[static_cast<std::size_t>(j)];
        for (int k = 0; k < K; ++k) {
          const Rational& m = M[static_cast<std::size_t>(j) * uK + static_cast<std::size_t>(k)];
          if (m != 0) W0_[static_cast<std::size_t>(i) * uK + static_cast<std::size_t>(k)] += w * m;
        }
      });
      b0_[static_cast<std::size_t>(i)] = bi;
    }
  }

  Network build(const Network& source, int K, const double* origin, const double* basis, const double* lo,
                const double* hi) {
    source_ = source;
    K_ = K;
    framed_ = origin != nullptr;
    const int L = source.num_layers();
    s_lo.assign(static_cast<std::size_t>(K), 0.0);
    s_hi.assign(static_cast<std::size_t>(K), 1.0);
    span.assign(static_cast<std::size_t>(K), 1.0);
    if (framed_)
      for (int k = 0; k < K; ++k) {
        s_lo[static_cast<std::size_t>(k)] = lo[k];
        s_hi[static_cast<std::size_t>(k)] = hi[k];
        span[static_cast<std::size_t>(k)] = hi[k] - lo[k];  // may be +inf: only results in coordinates need it
      }
    std::vector<int> dims = source.dims();
    dims[0] = K;
    scale_.assign(static_cast<std::size_t>(L), {});
    for (int l = 0; l < L; ++l)
      scale_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(source.out_dim(l)), 0);
    std::vector<WeightMatrix> Wf(static_cast<std::size_t>(L));
    std::vector<std::vector<double>> bf(static_cast<std::size_t>(L));
    const bool output_only = L == 1;
    int first_float = 0;  // layers from here on: source floats times powers of two
    if (framed_) {
      // Layer 0: the exact folded rows, rescaled, rounded.
      fold_first(source, K, origin, basis, lo, hi);
      first_float = 1;
      const int n1 = source.out_dim(0);
      const auto uK = static_cast<std::size_t>(K);
      std::vector<double> w0(static_cast<std::size_t>(n1) * uK);
      bf[0].resize(static_cast<std::size_t>(n1));
      for (int i = 0; i < n1; ++i) {
        Rational mx = boost::multiprecision::abs(b0_[static_cast<std::size_t>(i)]);
        for (int k = 0; k < K; ++k)
          mx = std::max(mx, Rational(boost::multiprecision::abs(
                                W0_[static_cast<std::size_t>(i) * uK + static_cast<std::size_t>(k)])));
        const long sc = (output_only || mx == 0) ? 0 : -floor_log2(mx);
        scale_[0][static_cast<std::size_t>(i)] = sc;
        for (int k = 0; k < K; ++k) {
          const std::size_t at = static_cast<std::size_t>(i) * uK + static_cast<std::size_t>(k);
          w0[at] = to_double(ldexp_exact(W0_[at], sc));
        }
        bf[0][static_cast<std::size_t>(i)] = to_double(ldexp_exact(b0_[static_cast<std::size_t>(i)], sc));
      }
      Wf[0] = WeightMatrix::from_dense(std::move(w0));
    }
    // Layers from source floats: w * 2^(k_i - k_j) by exponent arithmetic (exact unless it leaves the
    // float range), the sparsity of the source kept.
    const std::vector<long> no_scale(static_cast<std::size_t>(source.input_dim()), 0);
    for (int l = first_float; l < L; ++l) {
      const int out = source.out_dim(l);
      const bool hidden = l + 1 < L;
      const std::vector<long>& kin = l == 0 ? no_scale : scale_[static_cast<std::size_t>(l) - 1];
      WeightMatrix m = source.weight_matrix(l);
      bf[static_cast<std::size_t>(l)].resize(static_cast<std::size_t>(out));
      for (int i = 0; i < out; ++i) {
        const double bi = source.b(l)[i];
        long sc = 0;
        if (hidden) {
          bool any = false;
          int e_max = 0;
          double m_max = 0.0;
          auto consider = [&](double v, long shift) {
            if (v == 0.0) return;
            int e = 0;
            const double mant = 2.0 * std::fabs(std::frexp(v, &e));  // |v| = mant 2^(e - 1), mant in [1, 2)
            const long ee = static_cast<long>(e - 1) + shift;
            const int ei = static_cast<int>(std::max<long>(std::min<long>(ee, 1L << 30), -(1L << 30)));
            if (!any || larger(ei, mant, e_max, m_max)) {
              e_max = ei;
              m_max = mant;
              any = true;
            }
          };
          source.for_row(l, i, [&](int j, double w) { consider(w, -kin[static_cast<std::size_t>(j)]); });
          consider(bi, 0);
          sc = any ? -static_cast<long>(e_max) : 0;
        }
        scale_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] = sc;
        if (m.sparse) {
          for (std::size_t k = m.ptr[static_cast<std::size_t>(i)]; k < m.ptr[static_cast<std::size_t>(i) + 1]; ++k)
            m.val[k] = scaled(m.val[k], sc - kin[static_cast<std::size_t>(m.idx[k])], l);
        } else {
          const int in = source.in_dim(l);
          double* row = m.dense.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(in);
          for (int j = 0; j < in; ++j) row[j] = scaled(row[j], sc - kin[static_cast<std::size_t>(j)], l);
        }
        bf[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] = scaled(bi, sc, l);
      }
      Wf[static_cast<std::size_t>(l)] = std::move(m);
    }
    return Network(dims, std::move(Wf), std::move(bf), source.unit_slopes(), source.linear_masks());
  }

  // v 2^k rounded to float64 (exact unless subnormal); overflow is an error naming the layer.
  static double scaled(double v, long k, int l) {
    if (v == 0.0) return 0.0;
    const double r = std::ldexp(v, static_cast<int>(std::max<long>(std::min<long>(k, 1L << 20), -(1L << 20))));
    if (!std::isfinite(r))
      throw std::overflow_error("layer " + std::to_string(l) +
                                ": a weight of the rescaled network overflows float64 (|w| > 1.8e308)");
    return r;
  }
};

// The engine network of u -> net(origin + basis (lo + (hi - lo) u)), u in [0, 1]^K, every hidden unit
// rescaled by a power of two (see ExactNetwork::normalize_units).
inline EngineNetwork make_engine_network(const Network& net, int K, const double* origin, const double* basis,
                                         const double* lo, const double* hi) {
  return EngineNetwork(net, K, origin, basis, lo, hi);
}

// Exact affine maps (K coefficients, then the constant) of every layer's units along the current
// depth-first path. A layer's maps depend on the pattern bits of the layers before it only; they are
// recomputed when those bits change, from the first layer that differs. Entries are integers times a
// fixed power of two per layer (every value is dyadic), so no rational arithmetic is needed; the
// weights are kept by column, non-zeros only.
class ExactMaps {
 public:
  // Nothing is computed before the first row().
  ExactMaps(const EngineNetwork& net, const PatternLayout& lay) : source_(&net), lay_(lay), K_(net.net.input_dim()) {}
  ExactMaps(const ExactNetwork& en, const PatternLayout& lay) : en_(&en), lay_(lay), K_(en.dims[0]) {}

  int dim() const { return K_; }

  // Row of unit i of layer l (l = num_layers - 1 is the output layer) for the pattern's bits of the
  // layers before l, as rationals. The pointer stays valid for the next three calls.
  const Rational* row(int l, int i, const std::uint64_t* pattern) {
    if (!ready_) init();
    ensure(l, pattern);
    std::vector<Rational>& out = scratch_[next_scratch_++ % scratch_.size()];
    const BigInt* r = raw_row(l, i);
    for (int k = 0; k <= K_; ++k)
      out[static_cast<std::size_t>(k)] =
          r[k] == 0 ? Rational(0) : ldexp_exact(Rational(r[k]), E_[static_cast<std::size_t>(l)]);
    return out.data();
  }

  // Number of layer maps computed (a measure of the fallback's cost).
  std::uint64_t layers_computed() const { return computed_; }

 private:
  // One layer's weights by column (inputs): rows, the weight, and the weight times the input unit's
  // negative slope (what an inactive input contributes).
  struct Columns {
    std::vector<std::size_t> ptr;
    std::vector<int> row;
    std::vector<Dyadic> on, off;
  };

  // Collects (row, column, weight) triplets of one layer, then sorts them into columns.
  struct Triplets {
    std::vector<int> row, col;
    std::vector<Dyadic> w;
    void add(int i, int j, Dyadic d) {
      if (d.m == 0) return;
      row.push_back(i);
      col.push_back(j);
      w.push_back(std::move(d));
    }
  };

  void set_layer(int l, int in, Triplets t, const std::vector<Dyadic>& slope_in) {
    Columns& c = cols_[static_cast<std::size_t>(l)];
    c.ptr.assign(static_cast<std::size_t>(in) + 1, 0);
    for (int j : t.col) ++c.ptr[static_cast<std::size_t>(j) + 1];
    for (int j = 0; j < in; ++j) c.ptr[static_cast<std::size_t>(j) + 1] += c.ptr[static_cast<std::size_t>(j)];
    c.row.resize(t.row.size());
    c.on.resize(t.row.size());
    c.off.resize(slope_in.empty() ? 0 : t.row.size());
    std::vector<std::size_t> next(c.ptr.begin(), c.ptr.end() - 1);
    for (std::size_t k = 0; k < t.row.size(); ++k) {
      const auto j = static_cast<std::size_t>(t.col[k]);
      const std::size_t at = next[j]++;
      c.row[at] = t.row[k];
      if (!slope_in.empty()) c.off[at] = t.w[k] * slope_in[j];
      c.on[at] = std::move(t.w[k]);
    }
  }

  void init() {
    ready_ = true;
    const int L = source_ ? source_->net.num_layers() : en_->num_layers();
    const Network* src = source_ ? &source_->source() : nullptr;
    cols_.resize(static_cast<std::size_t>(L));
    b_.resize(static_cast<std::size_t>(L));
    E_.assign(static_cast<std::size_t>(L), 0);
    out_.assign(static_cast<std::size_t>(L), 0);
    for (int l = 0; l < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      const int in = l == 0 ? K_ : (src ? src->in_dim(l) : en_->in_dim(l));
      const int out = src ? src->out_dim(l) : en_->out_dim(l);
      out_[ul] = out;
      Triplets t;
      std::vector<Dyadic> slope_in;
      if (l > 0) {
        for (int j = 0; j < in; ++j)
          slope_in.push_back(src ? to_dyadic(src->slope(l - 1, j))
                                 : to_dyadic(en_->slopes[ul - 1][static_cast<std::size_t>(j)]));
      }
      b_[ul].resize(static_cast<std::size_t>(out));
      if (src && l == 0 && source_->framed()) {
        const std::vector<Rational>& W0 = source_->exact_first_weights();
        for (int i = 0; i < out; ++i) {
          const long sc = source_->scale(0, i);
          for (int k = 0; k < K_; ++k)
            t.add(
                i, k,
                to_dyadic(ldexp_exact(
                    W0[static_cast<std::size_t>(i) * static_cast<std::size_t>(K_) + static_cast<std::size_t>(k)], sc)));
          b_[ul][static_cast<std::size_t>(i)] =
              to_dyadic(ldexp_exact(source_->exact_first_biases()[static_cast<std::size_t>(i)], sc));
        }
      } else if (src) {
        for (int i = 0; i < out; ++i) {
          const long sc = source_->scale(l, i);
          src->for_row(
              l, i, [&](int j, double w) { t.add(i, j, to_dyadic(w, sc - (l == 0 ? 0 : source_->scale(l - 1, j)))); });
          b_[ul][static_cast<std::size_t>(i)] = to_dyadic(src->b(l)[i], sc);
        }
      } else {
        for (int i = 0; i < out; ++i) {
          for (std::size_t k = en_->ptr[ul][static_cast<std::size_t>(i)];
               k < en_->ptr[ul][static_cast<std::size_t>(i) + 1]; ++k)
            t.add(i, en_->idx[ul][k], to_dyadic(en_->W[ul][k]));
          b_[ul][static_cast<std::size_t>(i)] = to_dyadic(en_->b[ul][static_cast<std::size_t>(i)]);
        }
      }
      set_layer(l, in, std::move(t), slope_in);
      constexpr long kNone = std::numeric_limits<long>::max();
      long min_w = kNone, min_b = kNone;
      const Columns& c = cols_[ul];
      for (const Dyadic& d : c.on) min_w = std::min(min_w, d.e);
      for (const Dyadic& d : c.off)
        if (d.m != 0) min_w = std::min(min_w, d.e);
      for (const Dyadic& d : b_[ul])
        if (d.m != 0) min_b = std::min(min_b, d.e);
      const long prev = l == 0 ? 0 : E_[ul - 1];
      long E = min_b;
      if (min_w != kNone) E = std::min(E, prev + min_w);
      E_[ul] = E == kNone ? 0 : E;
    }
    maps_.resize(static_cast<std::size_t>(L));
    maps_[0].assign(static_cast<std::size_t>(out_[0]) * static_cast<std::size_t>(K_ + 1), BigInt(0));
    const Columns& c0 = cols_[0];
    for (int k = 0; k < K_; ++k)
      for (std::size_t at = c0.ptr[static_cast<std::size_t>(k)]; at < c0.ptr[static_cast<std::size_t>(k) + 1]; ++at)
        add_shifted(raw_row(0, c0.row[at])[k], c0.on[at], 0, E_[0]);
    for (int i = 0; i < out_[0]; ++i) add_shifted(raw_row(0, i)[K_], b_[0][static_cast<std::size_t>(i)], 0, E_[0]);
    bits_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    for (auto& sc : scratch_) sc.resize(static_cast<std::size_t>(K_ + 1));
  }

  BigInt* raw_row(int l, int i) {
    return maps_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(K_ + 1);
  }

  // acc += x * 2^(x.e + extra - E), with x.e + extra >= E.
  static void add_shifted(BigInt& acc, const Dyadic& x, long extra, long E) {
    if (x.m == 0) return;
    const long sh = x.e + extra - E;
    if (sh < 0) throw std::logic_error("exact: negative shift");
    acc += x.m << static_cast<unsigned>(sh);
  }

  bool same_bits(int l, const std::uint64_t* pattern) const {
    const int off = lay_.word_offset(l), n = lay_.layer_words(l);
    return std::memcmp(bits_.data() + off, pattern + off, static_cast<std::size_t>(n) * sizeof(std::uint64_t)) == 0;
  }

  void ensure(int l, const std::uint64_t* pattern) {
    for (int k = 1; k <= l; ++k) {
      if (k < valid_ && same_bits(k - 1, pattern)) continue;
      const int off = lay_.word_offset(k - 1), n = lay_.layer_words(k - 1);
      std::memcpy(bits_.data() + off, pattern + off, static_cast<std::size_t>(n) * sizeof(std::uint64_t));
      compute(k);
      valid_ = k + 1;
    }
  }

  void compute(int l) {
    ++computed_;
    const auto ul = static_cast<std::size_t>(l);
    const Columns& c = cols_[ul];
    const int in = static_cast<int>(c.ptr.size()) - 1, out = out_[ul];
    std::vector<BigInt>& dst = maps_[ul];
    dst.assign(static_cast<std::size_t>(out) * static_cast<std::size_t>(K_ + 1), BigInt(0));
    const long Ein = E_[ul - 1], E = E_[ul];
    BigInt prod;
    for (int j = 0; j < in; ++j) {
      const bool on = lay_.get(bits_.data(), l - 1, j);
      const std::vector<Dyadic>& Wl = on ? c.on : c.off;
      const BigInt* src = raw_row(l - 1, j);
      bool any = false;
      for (int k = 0; k <= K_; ++k) any = any || src[k] != 0;
      if (!any) continue;
      for (std::size_t at = c.ptr[static_cast<std::size_t>(j)]; at < c.ptr[static_cast<std::size_t>(j) + 1]; ++at) {
        const Dyadic& w = Wl[at];
        if (w.m == 0) continue;
        const long sh = w.e + Ein - E;
        BigInt* d = dst.data() + static_cast<std::size_t>(c.row[at]) * static_cast<std::size_t>(K_ + 1);
        for (int k = 0; k <= K_; ++k) {
          if (src[k] == 0) continue;
          prod = w.m * src[k];
          if (sh > 0) prod <<= static_cast<unsigned>(sh);
          d[k] += prod;
        }
      }
    }
    for (int i = 0; i < out; ++i) add_shifted(raw_row(l, i)[K_], b_[ul][static_cast<std::size_t>(i)], 0, E);
  }

  const EngineNetwork* source_ = nullptr;
  const ExactNetwork* en_ = nullptr;
  const PatternLayout& lay_;
  const int K_;
  bool ready_ = false;
  std::vector<Columns> cols_;
  std::vector<std::vector<Dyadic>> b_;
  std::vector<int> out_;
  std::vector<long> E_;  // layer l's entries are integers times 2^E_[l]
  std::vector<std::vector<BigInt>> maps_;
  std::vector<std::uint64_t> bits_;
  std::array<std::vector<Rational>, 4> scratch_;
  std::size_t next_scratch_ = 0;
  int valid_ = 1;
  std::uint64_t computed_ = 0;
};

// The value of an exact map row (K coefficients, then the constant) at a rational point u.
inline Rational exact_value(const Rational* row, const Rational* u, int K) {
  Rational v = row[K];
  for (int k = 0; k < K; ++k)
    if (row[k] != 0) v += row[k] * u[k];
  return v;
}

}  // namespace reluregions
