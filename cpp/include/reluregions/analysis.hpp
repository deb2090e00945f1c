// Regions near data: batched counts on segments, planes and small neighbourhoods of points (through the
// interval, polygon and walk engines), exact activation patterns of points (a float pass with a rigorous
// error bound, rationals when it cannot settle a sign) and the Euclidean distance from a point to the
// boundary of its activation region.
#pragma once
#include <algorithm>
#include <atomic>
#include <bitset>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "control.hpp"
#include "exact.hpp"
#include "exact_walk.hpp"
#include "interval_engine.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "polygon_engine.hpp"
#include "results.hpp"
#include "walk.hpp"

namespace reluregions {

// A Control for one item of a batch: no limits; its poll (run by the engine's own thread) stops the
// item when the batch is cancelled.
inline Control item_control(const std::atomic<bool>& cancel) {
  return Control(
      Limits{},
      [&cancel](const Progress&) {
        if (cancel.load()) throw BatchCancelled{};
      },
      0.1);
}

// The number of regions of net on origin + basis s, lo <= s <= hi (K = 1: a segment, interval engine;
// K = 2: a rectangle, polygon engine). basis: n0 x K row-major. With `breaks`, the interval engine's
// breakpoints (K = 1) are appended in domain coordinates s.
inline std::uint64_t count_on_frame(const Network& net, int K, const double* origin, const double* basis,
                                    const double* lo, const double* hi, Control& ctl,
                                    std::vector<double>* breaks = nullptr) {
  const EngineNetwork en(net, K, origin, basis, lo, hi);
  if (K == 1 && breaks != nullptr) {
    RegionStore store(1, en.net.layout().words(), en.net.output_dim(), false);
    IntervalEngine<RegionStore> engine(en, ctl, store);
    engine.run();
    for (std::size_t r = 1; r < store.size(); ++r) breaks->push_back(en.coord(0, store.intervals[2 * r]));
    return store.size();
  }
  CountSink sink;
  if (K == 1) {
    IntervalEngine<CountSink> engine(en, ctl, sink);
    engine.run();
  } else if (K == 2) {
    PolygonEngine<CountSink> engine(en, ctl, sink);
    engine.run();
  } else {
    throw std::invalid_argument("count_on_frame: the domain must be 1- or 2-dimensional");
  }
  return ctl.regions();
}

// The number of regions meeting the neighbourhood x + B a of the point x, a in the k-dimensional
// cross-polytope ||a||_1 <= r (`cross`) or cube ||a||_inf <= r; B: n0 x k row-major. k = 1 and the
// square go to the interval and polygon engines; other shapes to the walk (one thread: batches run
// points in parallel), in coordinates a / s with s the power of two above r so that the rows are exact.
inline std::uint64_t local_count(const Network& net, int k, const double* x, const double* B, double r, bool cross,
                                 Control& ctl) {
  const auto uk = static_cast<std::size_t>(k);
  if (k == 1 || (k == 2 && !cross)) {
    const std::vector<double> lo(uk, -r), hi(uk, r);
    return count_on_frame(net, k, x, B, lo.data(), hi.data(), ctl);
  }
  if (net.num_hidden_layers() < 1) return 1;
  const int n0 = net.input_dim();
  int e = 0;
  std::frexp(r, &e);
  const double s = std::ldexp(1.0, e);  // r / s in [1/2, 1), exact
  std::vector<double> Bs(static_cast<std::size_t>(n0) * uk);
  for (std::size_t j = 0; j < Bs.size(); ++j) {
    Bs[j] = B[j] * s;
    if (!std::isfinite(Bs[j]) || Bs[j] / s != B[j])
      throw std::invalid_argument("local_count: radius times a direction is out of the float64 range");
  }
  const std::vector<double> zeros(uk, 0.0), ones(uk, 1.0);
  const EngineNetwork en(net, k, x, Bs.data(), zeros.data(), ones.data());  // u -> net(x + B s u)
  std::vector<double> eye(uk * uk, 0.0);
  for (std::size_t j = 0; j < uk; ++j) eye[j * uk + j] = 1.0;
  const double rho = r / s;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> xlo(uk, -inf), xhi(uk, inf), A, b;
  if (cross) {
    const std::size_t m = std::size_t{1} << uk;
    for (std::size_t sgn = 0; sgn < m; ++sgn) {
      for (std::size_t j = 0; j < uk; ++j) A.push_back(((sgn >> j) & 1u) ? -1.0 : 1.0);
      b.push_back(rho);
    }
  } else {
    std::fill(xlo.begin(), xlo.end(), -rho);
    std::fill(xhi.begin(), xhi.end(), rho);
  }
  // The domain in u itself (an identity frame of R^k): {u : A u <= b} or the box [-rho, rho]^k.
  const ExactWalkDomain ed =
      make_exact_walk_domain(k, k, zeros.data(), eye.data(), zeros.data(), ones.data(), false, xlo.data(), xhi.data(),
                             A.data(), b.data(), static_cast<int>(b.size()));
  const WalkDomain dom = float_walk_domain(ed, inf);
  WalkOptions opt;
  opt.threads = 1;
  WalkStore store;
  walk(en, dom, ed, ctl, opt, store);
  return store.count;
}

// Exact activation patterns of points, and their distance to the boundary of their activation region.
//
// The float pass computes every hidden pre-activation z with a rigorous bound on its error against the
// exact value (weights, biases and the point are the exact rationals their doubles denote): a sum of m
// products computed in any order is within gamma_(m+1) of the sum of the magnitudes of its terms, and an
// error d_j on an input adds sum_j |w_ij| d_j. A sign the bound cannot settle sends the point to the
// exact pass (rationals). One instance per thread; `exact` is shared, built on first use.
class PointAnalyzer {
 public:
  PointAnalyzer(const Network& net, const std::function<const ExactNetwork&()>& exact)
      : net_(net), lay_(net.layout()), exact_(exact) {
    const int H = net.num_hidden_layers();
    const auto units = static_cast<std::size_t>(lay_.units());
    z_.assign(units, 0.0);
    err_.assign(units, 0.0);
    sign_.assign(units, 0);
    bits_.assign(static_cast<std::size_t>(std::max(1, lay_.words())), 0);
    const auto w = static_cast<std::size_t>(net.max_width());
    h_.assign(w, 0.0);
    t_.assign(w, 0.0);
    hn_.assign(w, 0.0);
    tn_.assign(w, 0.0);
    // Norms of the first layer's rows, the gradients of its units (0: identically zero).
    if (net.sparse(0)) {  // the first layer's rows are the gradients of its units: kept dense
      w0_dense_.resize(static_cast<std::size_t>(net.out_dim(0)) * static_cast<std::size_t>(net.input_dim()));
      for (int i = 0; i < net.out_dim(0); ++i)
        net.dense_row(0, i, w0_dense_.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(net.input_dim()));
    }
    w0_ = net.sparse(0) ? w0_dense_.data() : net.W(0);
    if (H > 0)
      for (int i = 0; i < net.out_dim(0); ++i) {
        const double* row = w0_ + static_cast<std::size_t>(i) * static_cast<std::size_t>(net.input_dim());
        double mx = 0.0, ss = 0.0;
        for (int k = 0; k < net.input_dim(); ++k) mx = std::max(mx, std::fabs(row[k]));
        for (int k = 0; mx > 0 && k < net.input_dim(); ++k) ss += (row[k] / mx) * (row[k] / mx);
        norm0_.push_back(mx > 0 ? mx * std::sqrt(ss) : 0.0);
      }
    gamma_.resize(static_cast<std::size_t>(std::max(1, H)));
    for (int l = 0; l < H; ++l) {
      const double m = net.in_dim(l) + 2;
      gamma_[static_cast<std::size_t>(l)] = m * kEps / (1 - m * kEps);
    }
  }

  // Signs (-1, 0, 1) of every hidden unit's exact pre-activation at x, and the exact pattern (bits()).
  // Returns true when the float pass settled every sign, false when the exact pass was needed.
  bool signs(const double* x) {
    if (float_pass(x, false)) return true;
    exact_pass(x);
    float_pass(x, true);  // z along the exact pattern
    return false;
  }

  const std::uint64_t* bits() const { return bits_.data(); }

  // Is unit i of layer l identically zero on the activation region of the last signs() (exactly)?
  bool identically_zero(int l, int i) {
    if (!maps_) maps_ = std::make_unique<ExactMaps>(exact_(), lay_);
    const Rational* row = maps_->row(l, i, bits_.data());
    for (int k = 0; k <= net_.input_dim(); ++k)
      if (row[k] != 0) return false;
    return true;
  }
  const std::vector<signed char>& sign() const { return sign_; }

  struct Boundary {
    double distance = std::numeric_limits<double>::infinity();
    int unit = -1;  // flat hidden unit index of the nearest boundary, -1 if there is none
  };

  // The Euclidean distance from x to the boundary of its activation region: the minimum over the
  // hidden units that are not identically zero on the region of |z_i(x)| / ||grad z_i||, the unit's
  // affine map on the region (0 when such a unit is 0 at x exactly). Call signs(x) first. When
  // `point` is given, writes the nearest boundary point (x itself for 0, NaN when there is none).
  Boundary distance(const double* x, double* point) {
    const int H = net_.num_hidden_layers();
    const int d = net_.input_dim();
    const auto ud = static_cast<std::size_t>(d);
    Boundary best;
    std::vector<double>& g = grad_;
    g.assign(ud, 0.0);
    auto consider = [&](int unit, const double* row) {
      double mx = 0.0;
      for (int k = 0; k < d; ++k) mx = std::max(mx, std::fabs(row[k]));
      double dist = std::numeric_limits<double>::infinity();  // a gradient below the float64 range
      if (mx > 0) {
        double ss = 0.0;
        for (int k = 0; k < d; ++k) ss += (row[k] / mx) * (row[k] / mx);
        dist = std::fabs(z_[static_cast<std::size_t>(unit)]) / (mx * std::sqrt(ss));
      }
      if (sign_[static_cast<std::size_t>(unit)] == 0 || dist < best.distance) {
        best.distance = sign_[static_cast<std::size_t>(unit)] == 0 ? 0.0 : dist;
        best.unit = unit;
        g.assign(row, row + d);
      }
    };
    // Layer 0: the gradients are the weight rows (exact); a zero row is identically zero.
    bool on_boundary = false;
    for (int i = 0; i < net_.out_dim(0) && H > 0 && !on_boundary; ++i) {
      const double norm = norm0_[static_cast<std::size_t>(i)];
      if (norm == 0.0 || net_.is_linear(0, i)) continue;  // identically zero, or a carry unit (no boundary)
      const double dist = std::fabs(z_[static_cast<std::size_t>(i)]) / norm;
      if (sign_[static_cast<std::size_t>(i)] == 0 || dist < best.distance) {
        best.distance = sign_[static_cast<std::size_t>(i)] == 0 ? 0.0 : dist;
        best.unit = i;
        const double* row = w0_ + static_cast<std::size_t>(i) * ud;
        g.assign(row, row + d);
        on_boundary = best.distance == 0.0;
      }
    }
    for (int l = 1; l < H && !on_boundary; ++l) {
      const int in = net_.in_dim(l), out = net_.out_dim(l);
      const int u0 = lay_.unit_offset(l - 1), u1 = lay_.unit_offset(l);
      const double gam = gamma_[static_cast<std::size_t>(l)];
      const double* prevJ = l == 1 ? w0_ : prev_.data();  // the previous layer's gradients
      // D J of the previous layer (rows scaled by the activation's slope), with per-row bounds: the
      // largest entry m_j and the error e_j of every entry.
      dj_.assign(static_cast<std::size_t>(in) * ud, 0.0);
      rowmax_.assign(static_cast<std::size_t>(in), 0.0);
      rowerr_.assign(static_cast<std::size_t>(in), 0.0);
      active_.clear();
      is_active_.assign(static_cast<std::size_t>(in), 0);
      double fro = 0.0;  // ||D J||_F^2, a bound on ||D J||_2^2 (the last layer's pruning)
      for (int j = 0; j < in; ++j) {
        const bool on = sign_[static_cast<std::size_t>(u0 + j)] > 0;
        const double f = on ? 1.0 : net_.slope(l - 1, j);
        if (f == 0.0) continue;
        active_.push_back(j);
        is_active_[static_cast<std::size_t>(j)] = 1;
        const double* src = prevJ + static_cast<std::size_t>(j) * ud;
        double* dst = dj_.data() + static_cast<std::size_t>(j) * ud;
        double m = 0.0, ss = 0.0;
        for (int k = 0; k < d; ++k) {
          dst[k] = f * src[k];
          m = std::max(m, std::fabs(dst[k]));
          ss += dst[k] * dst[k];
        }
        fro += ss;
        rowmax_[static_cast<std::size_t>(j)] = m;
        const double perr = l == 1 ? 0.0 : prev_err_[static_cast<std::size_t>(j)];
        rowerr_[static_cast<std::size_t>(j)] = std::fabs(f) * perr + (f == 1.0 ? 0.0 : kEps * m + kTiny);
      }
      const bool last = l + 1 == H;
      const double sigma = std::sqrt(fro) * (1 + 1e-6);
      cur_.assign(last ? ud : static_cast<std::size_t>(out) * ud, 0.0);
      cur_err_.assign(static_cast<std::size_t>(out), 0.0);
      // The last layer: units by increasing lower bound |z| / (||w_active|| sigma) of their distance.
      order_.clear();
      if (last) {  // ||w^T D J|| <= ||w restricted to D != 0|| ||D J||_2
        wnorm_.assign(static_cast<std::size_t>(out), 0.0);
        for (int j : active_)
          net_.for_col(l, j, [&](int i, double w) { wnorm_[static_cast<std::size_t>(i)] += w * w; });
      }
      for (int i = 0; i < out; ++i) {
        if (!last) {
          order_.emplace_back(0.0, i);
          continue;
        }
        const double wn = wnorm_[static_cast<std::size_t>(i)];
        const double ub = std::sqrt(wn) * (1 + 1e-6) * sigma;
        const double zi = std::fabs(z_[static_cast<std::size_t>(u1 + i)]);
        const double lower = sign_[static_cast<std::size_t>(u1 + i)] == 0 ? 0.0 : (ub > 0 ? zi / ub * (1 - 1e-6) : 0.0);
        order_.emplace_back(lower, i);
      }
      if (last) std::sort(order_.begin(), order_.end());
      for (const auto& item : order_) {
        const int i = item.second;
        if (last && item.first >= best.distance) break;
        if (last && net_.is_linear(l, i)) continue;  // a carry unit: no boundary, and no later layer
        double* row = cur_.data() + (last ? 0 : static_cast<std::size_t>(i) * ud);
        std::fill(row, row + d, 0.0);
        double bound_m = 0.0, bound_e = 0.0;
        auto add = [&](int j, double wj) {
          if (wj == 0.0) return;
          const double* r = dj_.data() + static_cast<std::size_t>(j) * ud;
          for (int k = 0; k < d; ++k) row[k] += wj * r[k];
          bound_m += std::fabs(wj) * rowmax_[static_cast<std::size_t>(j)];
          bound_e += std::fabs(wj) * rowerr_[static_cast<std::size_t>(j)];
        };
        if (net_.dense(l)) {
          const double* w = net_.W(l) + static_cast<std::size_t>(i) * static_cast<std::size_t>(in);
          for (int j : active_) add(j, w[j]);
        } else {
          net_.for_row(l, i, [&](int j, double wj) {
            if (is_active_[static_cast<std::size_t>(j)]) add(j, wj);
          });
        }
        const double err = (gam * bound_m + bound_e) * 1.01 + (in + 2) * kTiny;
        cur_err_[static_cast<std::size_t>(i)] = err;
        double mx = 0.0;
        for (int k = 0; k < d; ++k) mx = std::max(mx, std::fabs(row[k]));
        // Certainly not identically zero when an entry exceeds the bound; otherwise decided exactly
        // (and then the exact gradient, rounded, replaces the float one).
        bool nonzero = mx > err;
        if (!nonzero) nonzero = exact_gradient(l, i, row);
        if (nonzero && !net_.is_linear(l, i)) {
          consider(u1 + i, row);
          if (best.distance == 0.0) {
            on_boundary = true;
            break;
          }
        }
      }
      prev_.swap(cur_);
      prev_err_.swap(cur_err_);
    }
    if (point) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      if (best.unit < 0) {
        std::fill(point, point + d, nan);
      } else if (best.distance == 0.0) {
        std::copy(x, x + d, point);
      } else {
        // x - z g / ||g||^2, with g scaled by its largest entry (no overflow or underflow in ||g||^2).
        double gg = 0.0, mx = 0.0;
        for (double v : g) mx = std::max(mx, std::fabs(v));
        for (double v : g) gg += (v / mx) * (v / mx);
        const double zi = z_[static_cast<std::size_t>(best.unit)];
        for (int k = 0; k < d; ++k) point[k] = x[k] - zi * (g[static_cast<std::size_t>(k)] / mx) / (gg * mx);
      }
    }
    return best;
  }

 private:
  // Float pass through the hidden layers: z_, err_ and (unless `forced`) sign_ and bits_. Returns
  // false when a sign is not settled. `forced`: propagate along the signs already in sign_.
  bool float_pass(const double* x, bool forced) {
    const int H = net_.num_hidden_layers();
    const int d = net_.input_dim();
    // h_: the layer's inputs; tn_: the bound delta_j on each input's error (0 for the point itself).
    for (int j = 0; j < d; ++j) {
      h_[static_cast<std::size_t>(j)] = x[j];
      tn_[static_cast<std::size_t>(j)] = 0.0;
    }
    if (!forced) lay_.clear(bits_.data());
    bool certain = true;
    for (int l = 0; l < H; ++l) {
      const int in = net_.in_dim(l), out = net_.out_dim(l);
      const auto uout = static_cast<std::size_t>(out);
      const double* Wt = net_.Wt(l);  // in x out: column sweeps (axpy) vectorize, dot products do not
      const double* absWt = net_.absWt(l);
      const double* b = net_.b(l);
      const double gam = gamma_[static_cast<std::size_t>(l)];
      const double* slope = net_.slopes(l);
      const int u0 = lay_.unit_offset(l);
      // err_i = gamma (|b_i| + sum_j |w_ij| |h_j|) + sum_j |w_ij| delta_j = gamma |b_i| + sum_j |w_ij| t_j.
      double* acc = hn_.data();
      double* e = t_.data();
      for (int i = 0; i < out; ++i) {
        acc[i] = b[i];
        e[i] = gam * std::fabs(b[i]);
      }
      for (int j = 0; j < in; ++j) {
        const double hj = h_[static_cast<std::size_t>(j)];
        const double tj = gam * std::fabs(hj) + tn_[static_cast<std::size_t>(j)];
        if (hj == 0.0 && tj == 0.0) continue;  // an exact zero input (ReLU off)
        if (Wt) {
          const double* w = Wt + static_cast<std::size_t>(j) * uout;
          const double* aw = absWt + static_cast<std::size_t>(j) * uout;
          for (int i = 0; i < out; ++i) {
            acc[i] += w[i] * hj;
            e[i] += aw[i] * tj;
          }
        } else {
          const SparseLines& c = net_.cols(l);
          for (std::size_t at = c.ptr[static_cast<std::size_t>(j)]; at < c.ptr[static_cast<std::size_t>(j) + 1]; ++at) {
            acc[c.idx[at]] += c.val[at] * hj;
            e[c.idx[at]] += c.aval[at] * tj;
          }
        }
      }
      for (int i = 0; i < out; ++i) {
        const double err = e[i] * 1.01 + (in + 2) * kTiny;
        const auto u = static_cast<std::size_t>(u0 + i);
        z_[u] = acc[i];
        err_[u] = err;
        if (forced) continue;
        signed char sg = 0;
        if (net_.is_linear(l, i))  // a carry unit: the identity, no boundary, bit 0 in patterns
          sg = acc[i] > 0 ? 1 : -1;
        else if (acc[i] > err)
          sg = 1;
        else if (acc[i] < -err)
          sg = -1;
        else if (acc[i] == 0.0 && all_terms_zero(l, i))
          sg = 0;
        else {
          certain = false;
          sg = acc[i] > 0 ? 1 : -1;  // provisional
        }
        sign_[u] = sg;
        if (sg > 0 && !net_.is_linear(l, i)) lay_.set(bits_.data(), l, i);
      }
      // The next layer's inputs and their error bounds.
      for (int i = 0; i < out; ++i) {
        const auto ui = static_cast<std::size_t>(i), u = static_cast<std::size_t>(u0 + i);
        const double a = slope[i];
        if (sign_[u] > 0 || a == 1.0) {
          h_[ui] = z_[u];
          tn_[ui] = err_[u];
        } else if (a == 0.0) {
          h_[ui] = 0.0;  // exactly, when the exact z is <= 0
          tn_[ui] = 0.0;
        } else {
          h_[ui] = a * z_[u];
          tn_[ui] = std::fabs(a) * err_[u] + kEps * std::fabs(h_[ui]) + kTiny;
        }
      }
    }
    return certain;
  }

  // Is every term b + sum_j w_j h_j of unit i of layer l exactly zero (each h_j exact: no error)?
  bool all_terms_zero(int l, int i) const {
    if (net_.b(l)[i] != 0.0) return false;
    bool zero = true;
    net_.for_row(l, i, [&](int j, double w) {
      if (w != 0.0 && (h_[static_cast<std::size_t>(j)] != 0.0 || tn_[static_cast<std::size_t>(j)] != 0.0)) zero = false;
    });
    return zero;
  }

  // Exact signs (rationals) of every hidden pre-activation at x: sign_ and bits_.
  void exact_pass(const double* x) {
    const ExactNetwork& en = exact_();
    const int H = net_.num_hidden_layers();
    lay_.clear(bits_.data());
    std::vector<Rational> h(x, x + net_.input_dim()), z;
    for (int l = 0; l < H; ++l) {
      const int out = en.out_dim(l);
      const auto ul = static_cast<std::size_t>(l);
      z.assign(static_cast<std::size_t>(out), Rational(0));
      for (int i = 0; i < out; ++i) {
        Rational acc = en.b[ul][static_cast<std::size_t>(i)];
        for (std::size_t k = en.ptr[ul][static_cast<std::size_t>(i)]; k < en.ptr[ul][static_cast<std::size_t>(i) + 1];
             ++k) {
          const Rational& hj = h[static_cast<std::size_t>(en.idx[ul][k])];
          if (hj != 0) acc += en.W[ul][k] * hj;
        }
        const int s = acc.sign();
        sign_[static_cast<std::size_t>(lay_.unit_offset(l) + i)] = static_cast<signed char>(s);
        if (s > 0 && !net_.is_linear(l, i))
          lay_.set(bits_.data(), l, i);
        else if (s <= 0)
          acc *= en.slopes[ul][static_cast<std::size_t>(i)];
        z[static_cast<std::size_t>(i)] = std::move(acc);
      }
      h.swap(z);
    }
  }

  // The exact gradient of unit i of layer l on the region of the current pattern, rounded into `out`;
  // false when it is exactly zero (the unit is identically zero on the region).
  bool exact_gradient(int l, int i, double* out) {
    if (!maps_) maps_ = std::make_unique<ExactMaps>(exact_(), lay_);
    const Rational* row = maps_->row(l, i, bits_.data());
    bool nonzero = false;
    for (int k = 0; k < net_.input_dim(); ++k) {
      nonzero = nonzero || row[k] != 0;
      out[k] = to_double(row[k]);
    }
    return nonzero;
  }

  const Network& net_;
  const PatternLayout& lay_;
  std::function<const ExactNetwork&()> exact_;
  std::unique_ptr<ExactMaps> maps_;
  std::vector<double> z_, err_, gamma_;
  std::vector<signed char> sign_;
  std::vector<std::uint64_t> bits_;
  std::vector<double> h_, t_, hn_, tn_;
  std::vector<double> prev_, prev_err_, cur_, cur_err_, dj_, rowmax_, rowerr_, grad_, wnorm_, norm0_;
  std::vector<int> active_;
  std::vector<char> is_active_;
  std::vector<double> w0_dense_;  // a sparse first layer, dense
  const double* w0_ = nullptr;    // the first layer's weights, dense (out x in)
  std::vector<std::pair<double, int>> order_;
};

// The exact network of `net`, built once on first use by any thread.
class SharedExact {
 public:
  explicit SharedExact(const Network& net) : net_(net) {}
  const ExactNetwork& get() {
    std::call_once(once_, [this] { exact_ = std::make_unique<ExactNetwork>(net_); });
    return *exact_;
  }

 private:
  const Network& net_;
  std::once_flag once_;
  std::unique_ptr<ExactNetwork> exact_;
};

}  // namespace reluregions
