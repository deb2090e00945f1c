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

// A network in exact rationals: W[l] (out x in, row-major), b[l], the negative slope after each hidden
// layer, and the power-of-two factor by which each hidden unit was rescaled (scale_log2[l][i]: the
// unit's incoming weights and bias were multiplied by 2^scale_log2, its outgoing weights divided).
class ExactNetwork {
 public:
  std::vector<int> dims;
  std::vector<std::vector<Rational>> W, b;
  std::vector<std::vector<Rational>> slopes;  // per hidden unit
  std::vector<std::vector<double>> slopes_f;
  std::vector<std::vector<char>> linear;  // linear (pass-through) units: no pattern bit
  std::vector<std::vector<long>> scale_log2;

  ExactNetwork() = default;

  // The exact values of a float network's weights.
  explicit ExactNetwork(const Network& net) : dims(net.dims()) {
    const int L = net.num_layers();
    W.resize(static_cast<std::size_t>(L));
    b.resize(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l) {
      const std::size_t n = static_cast<std::size_t>(net.in_dim(l)) * static_cast<std::size_t>(net.out_dim(l));
      W[static_cast<std::size_t>(l)].assign(net.W(l), net.W(l) + n);
      b[static_cast<std::size_t>(l)].assign(net.b(l), net.b(l) + net.out_dim(l));
    }
    slopes_f = net.unit_slopes();
    linear = net.linear_masks();
    for (const auto& layer : slopes_f) slopes.emplace_back(layer.begin(), layer.end());
    scale_log2.resize(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l)
      scale_log2[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.out_dim(l)), 0);
  }

  // The network of u -> net(origin + basis (lo + (hi - lo) u)), u in R^K: the domain folded exactly into
  // the first layer. origin: n0 entries; basis: n0 x K, row-major; lo, hi: K entries.
  static ExactNetwork folded(const Network& net, int K, const double* origin, const double* basis, const double* lo,
                             const double* hi) {
    ExactNetwork e(net);
    const int n0 = net.input_dim(), n1 = net.out_dim(0);
    // x = p + M u with p = origin + basis lo, M = basis diag(hi - lo).
    std::vector<Rational> p(static_cast<std::size_t>(n0)),
        M(static_cast<std::size_t>(n0) * static_cast<std::size_t>(K));
    for (int j = 0; j < n0; ++j) {
      Rational pj(origin[j]);
      for (int k = 0; k < K; ++k) {
        const Rational bjk(
            basis[static_cast<std::size_t>(j) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)]);
        if (bjk == 0) continue;
        pj += bjk * Rational(lo[k]);
        M[static_cast<std::size_t>(j) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)] =
            bjk * (Rational(hi[k]) - Rational(lo[k]));
      }
      p[static_cast<std::size_t>(j)] = pj;
    }
    std::vector<Rational> W0(static_cast<std::size_t>(n1) * static_cast<std::size_t>(K)),
        b0(static_cast<std::size_t>(n1));
    for (int i = 0; i < n1; ++i) {
      Rational bi = e.b[0][static_cast<std::size_t>(i)];
      for (int j = 0; j < n0; ++j) {
        const Rational& w =
            e.W[0][static_cast<std::size_t>(i) * static_cast<std::size_t>(n0) + static_cast<std::size_t>(j)];
        if (w == 0) continue;
        bi += w * p[static_cast<std::size_t>(j)];
        for (int k = 0; k < K; ++k) {
          const Rational& m =
              M[static_cast<std::size_t>(j) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)];
          if (m != 0)
            W0[static_cast<std::size_t>(i) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)] += w * m;
        }
      }
      b0[static_cast<std::size_t>(i)] = bi;
    }
    e.W[0] = std::move(W0);
    e.b[0] = std::move(b0);
    e.dims[0] = K;
    return e;
  }

  int num_layers() const { return static_cast<int>(dims.size()) - 1; }
  int in_dim(int l) const { return dims[static_cast<std::size_t>(l)]; }
  int out_dim(int l) const { return dims[static_cast<std::size_t>(l) + 1]; }

  // Rescales every hidden unit by a power of two so that its incoming row (weights and bias) has its
  // largest entry in [1, 2); its outgoing weights are divided by the same factor. Positive rescaling
  // commutes with (leaky) ReLU: the regions, their patterns and the network's output are unchanged.
  void normalize_units() {
    const int L = num_layers();
    for (int l = 0; l + 1 < L; ++l) {
      const int in = in_dim(l), out = out_dim(l);
      for (int i = 0; i < out; ++i) {
        Rational mx = boost::multiprecision::abs(b[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]);
        for (int j = 0; j < in; ++j) {
          const Rational a = boost::multiprecision::abs(W[static_cast<std::size_t>(
              l)][static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)]);
          if (a > mx) mx = a;
        }
        if (mx != 0) scale_unit(l, i, -floor_log2(mx));
      }
    }
  }

  // Rescales hidden unit i of layer l by 2^scale[l][i] (as normalize_units would choose).
  void apply_scales(const std::vector<std::vector<long>>& scale) {
    for (int l = 0; l + 1 < num_layers(); ++l)
      for (int i = 0; i < out_dim(l); ++i)
        scale_unit(l, i, scale[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]);
  }

  // Unit i of layer l: incoming weights and bias times 2^k, outgoing weights times 2^-k.
  void scale_unit(int l, int i, long k) {
    if (k == 0) return;
    const auto ul = static_cast<std::size_t>(l), ui = static_cast<std::size_t>(i);
    const auto in = static_cast<std::size_t>(in_dim(l)), out = static_cast<std::size_t>(out_dim(l));
    scale_log2[ul][ui] += k;
    for (std::size_t j = 0; j < in; ++j) W[ul][ui * in + j] = ldexp_exact(W[ul][ui * in + j], k);
    b[ul][ui] = ldexp_exact(b[ul][ui], k);
    for (int o = 0; o < out_dim(l + 1); ++o) {
      Rational& w = W[ul + 1][static_cast<std::size_t>(o) * out + ui];
      w = ldexp_exact(w, -k);
    }
  }

  // The float network nearest to this one (every entry rounded). Throws std::overflow_error naming the
  // layer when an entry is beyond the float64 range.
  Network to_network() const {
    const int L = num_layers();
    std::vector<std::vector<double>> Wf(static_cast<std::size_t>(L)), bf(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l) {
      for (const Rational& w : W[static_cast<std::size_t>(l)]) Wf[static_cast<std::size_t>(l)].push_back(to_double(w));
      for (const Rational& v : b[static_cast<std::size_t>(l)]) bf[static_cast<std::size_t>(l)].push_back(to_double(v));
      for (double v : Wf[static_cast<std::size_t>(l)])
        if (!std::isfinite(v))
          throw std::overflow_error("layer " + std::to_string(l) +
                                    ": a weight of the folded network overflows float64 (|w| > 1.8e308)");
      for (double v : bf[static_cast<std::size_t>(l)])
        if (!std::isfinite(v))
          throw std::overflow_error("layer " + std::to_string(l) +
                                    ": a bias of the folded network overflows float64 (|b| > 1.8e308)");
    }
    return Network(dims, std::move(Wf), std::move(bf), slopes_f, linear);
  }

  // The exact activation pattern at the point x (dims[0] doubles): bit set iff z > 0, exactly.
  void pattern(const double* x, const PatternLayout& lay, std::uint64_t* bits) const {
    const int L = num_layers();
    lay.clear(bits);
    std::vector<Rational> h(x, x + dims[0]), z;
    for (int l = 0; l + 1 < L; ++l) {
      const int in = in_dim(l), out = out_dim(l);
      z.assign(static_cast<std::size_t>(out), Rational(0));
      for (int i = 0; i < out; ++i) {
        Rational acc = b[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)];
        for (int j = 0; j < in; ++j) {
          const Rational& w =
              W[static_cast<std::size_t>(l)]
               [static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)];
          if (w != 0 && h[static_cast<std::size_t>(j)] != 0) acc += w * h[static_cast<std::size_t>(j)];
        }
        if (acc > 0 && !linear[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)])
          lay.set(bits, l, i);
        else if (acc < 0)
          acc *= slopes[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)];
        z[static_cast<std::size_t>(i)] = std::move(acc);
      }
      h.swap(z);
    }
  }
};

// A float network and its exact counterpart, as handed to the engines, with the domain's frame: the
// engines work in u in [0, 1]^K; the domain's coordinates are s = s_lo + u * span (float64 operations,
// as Python's Frame computes them), and the exact point of s is u* = (s - s_lo) / (s_hi - s_lo).
//
// The network is u -> source(origin + basis (s_lo + (s_hi - s_lo) u)), every hidden unit rescaled by a
// power of two so that its incoming row has its largest entry in [1, 2) (see normalize_units). The float
// network is computed directly (the folded first layer in rationals, deeper layers by exact exponent
// arithmetic on the floats); the exact network, in rationals, only on first use (exact()).
class EngineNetwork {
  // Declared first: build() fills them while `net` is initialized.
  Network source_{{1, 1}, {{0.0}}, {{0.0}}, {}};
  int K_ = 0;
  std::vector<double> frame_;
  std::vector<Rational> W0_, b0_;
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
      : net(build(source, K, origin, basis, lo, hi)), lazy_(std::make_shared<Lazy>()) {}

  // The exact network (built once, thread-safe).
  const ExactNetwork& exact() const {
    std::call_once(lazy_->once, [this] {
      ExactNetwork e = folded_exact(source_, K_, frame_.data());
      e.apply_scales(scale_);
      lazy_->exact = std::make_unique<ExactNetwork>(std::move(e));
    });
    return *lazy_->exact;
  }

  // Is a weight (layer l, row-major index) or bias of the exact network zero? (No rationals needed.)
  bool zero_weight(int l, std::size_t idx) const { return l == 0 ? W0_[idx] == 0 : source_.W(l)[idx] == 0.0; }
  bool zero_bias(int l, int i) const { return l == 0 ? b0_[static_cast<std::size_t>(i)] == 0 : source_.b(l)[i] == 0.0; }

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
  struct Lazy {
    std::once_flag once;
    std::unique_ptr<ExactNetwork> exact;
  };

  // The folded network in rationals: frame = origin (n0), basis (n0 x K), lo (K), hi (K), or empty.
  static ExactNetwork folded_exact(const Network& source, int K, const double* frame) {
    if (frame == nullptr) return ExactNetwork(source);
    const int n0 = source.input_dim();
    const double* origin = frame;
    const double* basis = origin + n0;
    const double* lo = basis + static_cast<std::size_t>(n0) * static_cast<std::size_t>(K);
    const double* hi = lo + K;
    return ExactNetwork::folded(source, K, origin, basis, lo, hi);
  }

  // (exponent, mantissa) order of |v|, v != 0: |v| = m 2^e, m in [1, 2).
  static bool larger(int e1, double m1, int e2, double m2) { return e1 > e2 || (e1 == e2 && m1 > m2); }

  Network build(const Network& source, int K, const double* origin, const double* basis, const double* lo,
                const double* hi) {
    source_ = source;
    K_ = K;
    const int n0 = source.input_dim(), L = source.num_layers();
    if (origin) {
      frame_.assign(origin, origin + n0);
      frame_.insert(frame_.end(), basis, basis + static_cast<std::size_t>(n0) * static_cast<std::size_t>(K));
      frame_.insert(frame_.end(), lo, lo + K);
      frame_.insert(frame_.end(), hi, hi + K);
    }
    s_lo.assign(static_cast<std::size_t>(K), 0.0);
    s_hi.assign(static_cast<std::size_t>(K), 1.0);
    span.assign(static_cast<std::size_t>(K), 1.0);
    if (origin)
      for (int k = 0; k < K; ++k) {
        s_lo[static_cast<std::size_t>(k)] = lo[k];
        s_hi[static_cast<std::size_t>(k)] = hi[k];
        span[static_cast<std::size_t>(k)] = hi[k] - lo[k];  // may be +inf: only results in coordinates need it
      }
    // The folded first layer, exactly (small: n1 x (K + 1)).
    std::vector<int> dims = source.dims();
    dims[0] = K;
    {
      const ExactNetwork first =
          origin
              ? ExactNetwork::folded(
                    Network({n0, source.out_dim(0)},
                            {std::vector<double>(source.W(0),
                                                 source.W(0) + static_cast<std::size_t>(n0) *
                                                                   static_cast<std::size_t>(source.out_dim(0)))},
                            {std::vector<double>(source.b(0), source.b(0) + source.out_dim(0))}, {}),
                    K, origin, basis, lo, hi)
              : ExactNetwork(Network(
                    {n0, source.out_dim(0)},
                    {std::vector<double>(source.W(0), source.W(0) + static_cast<std::size_t>(n0) *
                                                                        static_cast<std::size_t>(source.out_dim(0)))},
                    {std::vector<double>(source.b(0), source.b(0) + source.out_dim(0))}, {}));
      W0_ = first.W[0];
      b0_ = first.b[0];
    }
    scale_.assign(static_cast<std::size_t>(L), {});
    for (int l = 0; l < L; ++l)
      scale_[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(source.out_dim(l)), 0);
    std::vector<std::vector<double>> Wf(static_cast<std::size_t>(L)), bf(static_cast<std::size_t>(L));
    const bool output_only = L == 1;
    // Layer 0: the exact folded rows, rescaled, rounded.
    {
      const int n1 = source.out_dim(0);
      Wf[0].resize(static_cast<std::size_t>(n1) * static_cast<std::size_t>(K));
      bf[0].resize(static_cast<std::size_t>(n1));
      for (int i = 0; i < n1; ++i) {
        Rational mx = boost::multiprecision::abs(b0_[static_cast<std::size_t>(i)]);
        for (int k = 0; k < K; ++k)
          mx = std::max(
              mx, Rational(boost::multiprecision::abs(
                      W0_[static_cast<std::size_t>(i) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)])));
        const long sc = (output_only || mx == 0) ? 0 : -floor_log2(mx);
        scale_[0][static_cast<std::size_t>(i)] = sc;
        for (int k = 0; k < K; ++k) {
          const std::size_t at =
              static_cast<std::size_t>(i) * static_cast<std::size_t>(K) + static_cast<std::size_t>(k);
          Wf[0][at] = to_double(ldexp_exact(W0_[at], sc));
        }
        bf[0][static_cast<std::size_t>(i)] = to_double(ldexp_exact(b0_[static_cast<std::size_t>(i)], sc));
      }
    }
    // Deeper layers: w * 2^(k_i - k_j) by exponent arithmetic (exact unless it leaves the float range).
    for (int l = 1; l < L; ++l) {
      const int in = source.in_dim(l), out = source.out_dim(l);
      const bool hidden = l + 1 < L;
      const std::vector<long>& kin = scale_[static_cast<std::size_t>(l) - 1];
      Wf[static_cast<std::size_t>(l)].resize(static_cast<std::size_t>(in) * static_cast<std::size_t>(out));
      bf[static_cast<std::size_t>(l)].resize(static_cast<std::size_t>(out));
      for (int i = 0; i < out; ++i) {
        const double* w = source.W(l) + static_cast<std::size_t>(i) * static_cast<std::size_t>(in);
        const double bi = source.b(l)[i];
        long sc = 0;
        if (hidden) {
          bool any = false;
          int e_max = 0;
          double m_max = 0.0;
          auto consider = [&](double v, long shift) {
            if (v == 0.0) return;
            int e = 0;
            const double m = 2.0 * std::fabs(std::frexp(v, &e));  // |v| = m 2^(e - 1), m in [1, 2)
            const long ee = static_cast<long>(e - 1) + shift;
            const int ei = static_cast<int>(std::max<long>(std::min<long>(ee, 1L << 30), -(1L << 30)));
            if (!any || larger(ei, m, e_max, m_max)) {
              e_max = ei;
              m_max = m;
              any = true;
            }
          };
          for (int j = 0; j < in; ++j) consider(w[j], -kin[static_cast<std::size_t>(j)]);
          consider(bi, 0);
          sc = any ? -static_cast<long>(e_max) : 0;
        }
        scale_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] = sc;
        for (int j = 0; j < in; ++j)
          Wf[static_cast<std::size_t>(l)]
            [static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)] =
                scaled(w[j], sc - kin[static_cast<std::size_t>(j)], l);
        bf[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] = scaled(bi, sc, l);
      }
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

  std::shared_ptr<Lazy> lazy_;
};

// The engine network of u -> net(origin + basis (lo + (hi - lo) u)), u in [0, 1]^K, every hidden unit
// rescaled by a power of two (see ExactNetwork::normalize_units).
inline EngineNetwork make_engine_network(const Network& net, int K, const double* origin, const double* basis,
                                         const double* lo, const double* hi) {
  return EngineNetwork(net, K, origin, basis, lo, hi);
}

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

// Exact affine maps (K coefficients, then the constant) of every layer's units along the current
// depth-first path. A layer's maps depend on the pattern bits of the layers before it only; they are
// recomputed when those bits change, from the first layer that differs. Entries are integers times a
// fixed power of two per layer (every value is dyadic), so no rational arithmetic is needed.
class ExactMaps {
 public:
  // Nothing is computed before the first row() (the exact network itself is built on first use).
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
  void init() {
    ready_ = true;
    if (!en_) en_ = &source_->exact();
    const ExactNetwork& en = *en_;
    const int L = en.num_layers();
    W_.resize(static_cast<std::size_t>(L));
    Woff_.resize(static_cast<std::size_t>(L));
    b_.resize(static_cast<std::size_t>(L));
    E_.assign(static_cast<std::size_t>(L), 0);
    constexpr long kNone = std::numeric_limits<long>::max();
    for (int l = 0; l < L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      long min_w = kNone, min_b = kNone;
      for (const Rational& w : en.W[ul]) {
        W_[ul].push_back(to_dyadic(w));
        if (w != 0) min_w = std::min(min_w, W_[ul].back().e);
        if (l > 0) {
          const std::size_t col = (W_[ul].size() - 1) % static_cast<std::size_t>(en.in_dim(l));
          Woff_[ul].push_back(to_dyadic(w * en.slopes[ul - 1][col]));
          if (Woff_[ul].back().m != 0) min_w = std::min(min_w, Woff_[ul].back().e);
        }
      }
      for (const Rational& v : en.b[ul]) {
        b_[ul].push_back(to_dyadic(v));
        if (v != 0) min_b = std::min(min_b, b_[ul].back().e);
      }
      const long prev = l == 0 ? 0 : E_[ul - 1];
      long E = min_b;
      if (min_w != kNone) E = std::min(E, prev + min_w);
      E_[ul] = E == kNone ? 0 : E;
    }
    maps_.resize(static_cast<std::size_t>(L));
    maps_[0].assign(static_cast<std::size_t>(en.out_dim(0)) * static_cast<std::size_t>(K_ + 1), BigInt(0));
    for (int i = 0; i < en.out_dim(0); ++i) {
      BigInt* row = raw_row(0, i);
      for (int k = 0; k < K_; ++k)
        add_shifted(row[k],
                    W_[0][static_cast<std::size_t>(i) * static_cast<std::size_t>(K_) + static_cast<std::size_t>(k)], 0,
                    E_[0]);
      add_shifted(row[K_], b_[0][static_cast<std::size_t>(i)], 0, E_[0]);
    }
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
    const int in = en_->in_dim(l), out = en_->out_dim(l);
    std::vector<BigInt>& dst = maps_[ul];
    dst.assign(static_cast<std::size_t>(out) * static_cast<std::size_t>(K_ + 1), BigInt(0));
    const long Ein = E_[ul - 1], E = E_[ul];
    BigInt prod;
    for (int j = 0; j < in; ++j) {
      const bool on = lay_.get(bits_.data(), l - 1, j);
      const std::vector<Dyadic>& Wl = on ? W_[ul] : Woff_[ul];
      const BigInt* src = raw_row(l - 1, j);
      bool any = false;
      for (int k = 0; k <= K_; ++k) any = any || src[k] != 0;
      if (!any) continue;
      for (int i = 0; i < out; ++i) {
        const Dyadic& w = Wl[static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)];
        if (w.m == 0) continue;
        const long sh = w.e + Ein - E;
        BigInt* d = dst.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(K_ + 1);
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
  std::vector<std::vector<Dyadic>> W_, Woff_, b_;  // weights, weights times the slope, biases
  std::vector<long> E_;                            // layer l's entries are integers times 2^E_[l]
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
