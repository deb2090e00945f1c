// The low-dimension engine (3 <= K <= 6 domain coordinates): splits the unit box layer by layer, depth
// first, as the 2-D polygon engine does, with each piece a convex polytope held by its vertices. Every
// vertex carries float coordinates within a rigorous error bound `delta` of the exact vertex and the
// labels of the hyperplanes it lies on (its tight set: a side of the box or a hidden unit's zero set).
// A hyperplane cuts a piece where its certified signs at the vertices differ; the new vertices are the
// cuts of the piece's edges between a positive and a negative vertex. Edges are read off the tight
// sets (two vertices sharing K - 1 labels, one of them simple; the combinatorial test otherwise), so
// degenerate input (several hyperplanes through a vertex, duplicated or parallel ones) is handled
// exactly too. A sign that floating point cannot settle is decided on the exact vertex (rationals,
// from its tight set); a vertex whose error bound grows too large is recomputed exactly.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <vector>

#include "layerwise.hpp"
#include "polygon_engine.hpp"  // split_order
#include "results.hpp"
#include "tolerances.hpp"

namespace reluregions {

// Vertices of the pieces on a depth-first path, in flat arrays used as a stack.
// Marks an absent extra label (labels are unit indices >= 0 or box sides >= -12).
inline constexpr std::int32_t kNoExtraLabel = std::numeric_limits<std::int32_t>::min();

template <int K>
struct VertexArena {
  std::vector<double> x;  // K coordinates per vertex
  std::vector<double> delta;
  std::vector<std::uint32_t> lab_off, lab_n;  // the vertex's labels: lab[lab_off, lab_off + lab_n), sorted
  std::vector<std::int32_t> lab;
  std::vector<std::uint32_t> ids;  // the pieces' vertices: a piece is ids[off, off + n)
  // For each entry of ids, K entries: in a simple piece, adj[K (off + k) + j] is the position in the
  // piece of the neighbour of its vertex k across the vertex's j-th label (the edge on the others).
  std::vector<std::uint32_t> adj;

  // simple: every vertex on exactly K hyperplanes, adj valid.
  struct Piece {
    std::uint32_t off, n;
    bool simple;
  };
  struct Mark {
    std::uint32_t vertices, labels, ids;
  };

  void clear() {
    x.clear();
    delta.clear();
    lab_off.clear();
    lab_n.clear();
    lab.clear();
    ids.clear();
    adj.clear();
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(delta.size()); }
  Mark mark() const { return {size(), static_cast<std::uint32_t>(lab.size()), static_cast<std::uint32_t>(ids.size())}; }
  void truncate(Mark m) {
    x.resize(static_cast<std::size_t>(m.vertices) * K);
    delta.resize(m.vertices);
    lab_off.resize(m.vertices);
    lab_n.resize(m.vertices);
    lab.resize(m.labels);
    ids.resize(m.ids);
    adj.resize(static_cast<std::size_t>(m.ids) * K);
  }
  // Appends a vertex (not to any piece) and returns its index; `extra` joins its labels (kept sorted).
  std::uint32_t push(const double* px, double d, const std::int32_t* labels, std::uint32_t n,
                     std::int32_t extra = kNoExtraLabel) {
    x.insert(x.end(), px, px + K);
    delta.push_back(d);
    lab_off.push_back(static_cast<std::uint32_t>(lab.size()));
    std::uint32_t k = 0;
    if (extra != kNoExtraLabel) {
      for (; k < n && labels[k] < extra; ++k) lab.push_back(labels[k]);
      lab.push_back(extra);
    }
    for (; k < n; ++k) lab.push_back(labels[k]);
    lab_n.push_back(n + (extra != kNoExtraLabel ? 1u : 0u));
    return size() - 1;
  }
  // Copies vertex v of `src` (which may be this arena: its storage may move).
  std::uint32_t push_copy_from(const VertexArena& src, std::uint32_t v, std::int32_t extra = kNoExtraLabel) {
    double px[K];
    for (int k = 0; k < K; ++k) px[k] = src.x[static_cast<std::size_t>(v) * K + static_cast<std::size_t>(k)];
    const std::uint32_t n = src.lab_n[v], off = src.lab_off[v];
    if (&src != this) return push(px, src.delta[v], src.lab.data() + off, n, extra);
    scratch_.assign(lab.begin() + off, lab.begin() + off + n);
    return push(px, delta[v], scratch_.data(), n, extra);
  }

 private:
  std::vector<std::int32_t> scratch_;
};

template <int K, class Sink>
class VertexEngine : Layerwise<K> {
  using Base = Layerwise<K>;
  using Arena = VertexArena<K>;
  using Piece = typename Arena::Piece;
  using Base::coef_err;
  using Base::ctl_;
  using Base::en_;
  using Base::exact_decisions_;
  using Base::exact_row;
  using Base::H_;
  using Base::is_zero;
  using Base::lay_;
  using Base::layer_bits;
  using Base::leaf_map;
  using Base::maps_;
  using Base::net_;
  using Base::pop_frame;
  using Base::reset_level;
  using Base::set_unit_bit;
  using Base::sign_at;
  using Base::sort_candidates;

 public:
  VertexEngine(const EngineNetwork& en, Control& ctl, Sink& sink) : Base(en, ctl), sink_(sink) { init(); }
  VertexEngine(const Network& net, Control& ctl, Sink& sink) : Base(net, ctl), sink_(sink) { init(); }

  using Base::exact_decisions;

  // Enumerates the regions of the unit box [0, 1]^K.
  void run() {
    if (H_ == 0) {
      ctl_.add_region();
      return;
    }
    // The box's 2^K vertices; side label -1 - 2k is u_k = 0, -2 - 2k is u_k = 1.
    Arena& root = box_;
    root.clear();
    for (std::uint32_t c = 0; c < (1u << K); ++c) {
      double px[K];
      std::int32_t labels[K];
      for (int k = 0; k < K; ++k) {
        const bool up = (c >> k) & 1u;
        px[k] = up ? 1.0 : 0.0;
        labels[K - 1 - k] = up ? -2 - 2 * k : -1 - 2 * k;  // sorted ascending
      }
      root.ids.push_back(root.push(px, 0.0, labels, K));
      for (int j = 0; j < K; ++j) root.adj.push_back(c ^ (1u << (K - 1 - j)));  // label j: coordinate K-1-j
    }
    maps_[0].init_first(net_);
    visit(0, root, Piece{0, 1u << K, true});
  }

 private:
  void init() {
    if (net_.input_dim() != K) throw std::invalid_argument("the vertex engine needs a K-input network");
    levels_.resize(static_cast<std::size_t>(std::max(1, H_)));
    for (int l = 0; l < H_; ++l) levels_[static_cast<std::size_t>(l)].order = split_order(net_.out_dim(l), l);
    for (std::int32_t label = -2 * K; label < lay_.units(); ++label) label_hash_.push_back(label_hash(label));
  }

  struct Frame {
    Piece piece;
    std::uint32_t cand_begin, cand_end;
    std::uint32_t undo_begin;
    typename Arena::Mark arena_mark;  // the arena when it was entered (its kids come after)
    Piece kids[2];
    int next;  // 0: not split yet; 1, 2: the kid to enter next; 3: done
  };

  struct Level {
    std::vector<int> order;
    Arena arena;  // the pieces of the current path
    std::vector<Frame> frames;
    // Candidate units of the node (split order): unit index, K + 1 frozen float coefficients, and
    // the error bound of their value at a vertex: base + slope * (the vertex's delta).
    std::vector<int> unit;
    std::vector<double> coef, base, slope;
    std::vector<char> crosses_node;
    std::vector<std::uint32_t> cands;
    std::vector<int> undo;
    std::vector<double> lo, hi;
    typename Base::LeafBits leaf;
  };

  // Per-vertex scratch of a split: exact side, float value and its bound (+inf: decided exactly).
  std::vector<signed char> cls_;
  std::vector<double> z_, zb_;
  std::vector<std::uint32_t> pos_, neg_;
  std::vector<std::uint32_t> fresh_;  // the new vertices of a split (on the cut)
  std::vector<Rational> rows_;

  // Value of candidate pos at vertex v (float) and its error bound.
  static double value(const Level& L, std::uint32_t pos, const double* x) {
    const double* a = L.coef.data() + static_cast<std::size_t>(pos) * (K + 1);
    double z = a[K];
    for (int k = 0; k < K; ++k) z += a[k] * x[k];
    return z;
  }

  // The exact row (K coefficients, then the constant; the hyperplane is row . u + const = 0) of a label.
  void exact_label_row(std::int32_t label, Rational* row) {
    if (label < 0) {
      const int k = (-label - 1) / 2;
      for (int j = 0; j < K; ++j) row[j] = j == k ? 1 : 0;
      row[K] = (-label - 1) % 2 == 0 ? 0 : -1;
      return;
    }
    const Rational* r = exact_row(label);
    for (int j = 0; j <= K; ++j) row[j] = r[j];
  }

  // The exact vertex on the hyperplanes of `labels` (rank K): Gauss-Jordan elimination in rationals.
  void exact_vertex(const std::int32_t* labels, std::uint32_t n, Rational* pt) {
    const std::size_t cols = K + 1;
    rows_.resize(static_cast<std::size_t>(n) * cols);
    for (std::uint32_t r = 0; r < n; ++r) exact_label_row(labels[r], rows_.data() + r * cols);
    std::uint32_t rank = 0;
    int pivot_row[K];
    for (int c = 0; c < K; ++c) {
      std::uint32_t p = rank;
      while (p < n && rows_[p * cols + static_cast<std::size_t>(c)] == 0) ++p;
      if (p == n) throw std::logic_error("vertex engine: a vertex whose hyperplanes have rank < K");
      if (p != rank)
        for (std::size_t j = 0; j < cols; ++j) std::swap(rows_[p * cols + j], rows_[rank * cols + j]);
      for (std::uint32_t r = 0; r < n; ++r) {
        if (r == rank || rows_[r * cols + static_cast<std::size_t>(c)] == 0) continue;
        const Rational f =
            rows_[r * cols + static_cast<std::size_t>(c)] / rows_[rank * cols + static_cast<std::size_t>(c)];
        for (std::size_t j = static_cast<std::size_t>(c); j < cols; ++j)
          rows_[r * cols + j] -= f * rows_[rank * cols + j];
      }
      pivot_row[c] = static_cast<int>(rank);
      ++rank;
    }
    for (int c = 0; c < K; ++c) {
      const std::size_t r = static_cast<std::size_t>(pivot_row[c]) * cols;
      pt[c] = -rows_[r + K] / rows_[r + static_cast<std::size_t>(c)];
    }
  }

  // The exact vertex, rounded, with its error bound.
  void exact_float_vertex(const std::int32_t* labels, std::uint32_t n, double* px, double& d) {
    ++exact_decisions_;
    Rational pt[K];
    exact_vertex(labels, n, pt);
    double m = 1.0;
    for (int k = 0; k < K; ++k) {
      px[k] = to_double(pt[k]);
      m = std::max(m, std::fabs(px[k]));
    }
    d = 2 * kEps * m + kTiny;
  }

  // The float row of a label (K coefficients, then the constant) and a bound on each entry's error.
  void float_label_row(std::int32_t label, double* row, double& err) {
    err = 0.0;
    if (label < 0) {
      const int k = (-label - 1) / 2;
      for (int j = 0; j < K; ++j) row[j] = j == k ? 1.0 : 0.0;
      row[K] = (-label - 1) % 2 == 0 ? 0.0 : -1.0;
      return;
    }
    int l = 0, i = 0;
    lay_.locate(label, l, i);
    const LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
    for (int j = 0; j < K; ++j) row[j] = m.lin(j)[i];
    row[K] = m.cst()[i];
    err = coef_err(l, i, false);
  }

  // The vertex on the K hyperplanes of a simple vertex's labels, solved in floats (an approximate
  // inverse R of the row matrix A), with a rigorous bound: x - x* = A*^-1 r* for the exact residual
  // r* = A* x + c*, and ||A*^-1|| <= ||R|| / (1 - ||I - R A*||). False when not certified.
  bool solve_vertex(const std::int32_t* labels, std::uint32_t n, double* px, double& d) {
    if (n != K) return false;
    double A[K][K + 1], err[K], M[K][2 * K];
    for (int r = 0; r < K; ++r) {
      float_label_row(labels[r], A[r], err[r]);
      for (int j = 0; j < K; ++j) {
        M[r][j] = A[r][j];
        M[r][K + j] = r == j ? 1.0 : 0.0;
      }
    }
    // Gauss-Jordan with partial pivoting: M = [A | I] -> [I | R].
    for (int c = 0; c < K; ++c) {
      int p = c;
      for (int r = c + 1; r < K; ++r)
        if (std::fabs(M[r][c]) > std::fabs(M[p][c])) p = r;
      if (!(std::fabs(M[p][c]) > 0.0)) return false;
      if (p != c)
        for (int j = 0; j < 2 * K; ++j) std::swap(M[p][j], M[c][j]);
      const double inv = 1.0 / M[c][c];
      for (int j = 0; j < 2 * K; ++j) M[c][j] *= inv;
      for (int r = 0; r < K; ++r) {
        if (r == c || M[r][c] == 0.0) continue;
        const double f = M[r][c];
        for (int j = 0; j < 2 * K; ++j) M[r][j] -= f * M[c][j];
      }
    }
    // x = -R c; alpha >= ||I - R A*|| (rounding of the products, then the rows' errors).
    double alpha = 0.0, norm_r = 0.0;
    for (int r = 0; r < K; ++r) {
      double x = 0.0, row_alpha = 0.0, row_r = 0.0;
      for (int j = 0; j < K; ++j) {
        x -= M[r][K + j] * A[j][K];
        row_r += std::fabs(M[r][K + j]);
      }
      for (int c = 0; c < K; ++c) {
        double s = r == c ? -1.0 : 0.0, t = r == c ? 1.0 : 0.0, e = 0.0;
        for (int j = 0; j < K; ++j) {
          s += M[r][K + j] * A[j][c];
          t += std::fabs(M[r][K + j] * A[j][c]);
          e += std::fabs(M[r][K + j]) * err[j];
        }
        row_alpha += std::fabs(s) + (K + 2) * kEps * t + e;
      }
      px[r] = x;
      alpha = std::max(alpha, row_alpha);
      norm_r = std::max(norm_r, row_r);
    }
    alpha *= 1.01;
    if (!(alpha < 0.5)) return false;
    // ||r*||: the float residual, its rounding, and the rows' errors at x.
    double xsum = 1.0;
    for (int k = 0; k < K; ++k) xsum += std::fabs(px[k]);
    double res = 0.0;
    for (int r = 0; r < K; ++r) {
      double z = A[r][K], terms = std::fabs(z);
      for (int k = 0; k < K; ++k) {
        z += A[r][k] * px[k];
        terms += std::fabs(A[r][k] * px[k]);
      }
      res = std::max(res, std::fabs(z) + (K + 2) * kEps * terms * 1.01 + err[r] * xsum);
    }
    d = norm_r * (1 + 4 * kEps) * res / (1 - alpha) * 1.01 + kTiny;
    return std::isfinite(d);
  }

  // Exact side of candidate `pos` at vertex v of arena A: float with its bound, else sign_at (the
  // tight maps, then rationals). Writes z_/zb_ at slot s.
  int vertex_sign(int l, Level& L, std::uint32_t pos, const Arena& A, std::uint32_t v, std::size_t s) {
    const double* x = A.x.data() + static_cast<std::size_t>(v) * K;
    const double d = A.delta[v];
    const double z = value(L, pos, x), b = L.base[pos] + L.slope[pos] * d;
    z_[s] = z;
    zb_[s] = b;
    if (z > b) return 1;
    if (z < -b) return -1;
    const std::int32_t* labels = A.lab.data() + A.lab_off[v];
    const std::uint32_t n = A.lab_n[v];
    double zz = 0.0, bb = 0.0;
    const int sg = sign_at(l, L.unit[pos], x, d, [&](Rational* pt) { exact_vertex(labels, n, pt); }, &zz, &bb);
    z_[s] = zz;
    zb_[s] = bb;
    return sg;
  }

  // Side of candidate pos on piece p, stopping at the first vertices of both signs.
  Side side_of(int l, Level& L, std::uint32_t pos, const Arena& A, Piece p) {
    bool pos_side = false, neg = false;
    const double* a = L.coef.data() + static_cast<std::size_t>(pos) * (K + 1);
    const double base = L.base[pos], slope = L.slope[pos];
    std::uint32_t unsure = 0;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const std::uint32_t v = A.ids[p.off + k];
      const double* x = A.x.data() + static_cast<std::size_t>(v) * K;
      double z = a[K];
      for (int j = 0; j < K; ++j) z += a[j] * x[j];
      const double b = base + slope * A.delta[v];
      if (z > b)
        pos_side = true;
      else if (z < -b)
        neg = true;
      else
        ++unsure;
      if (pos_side && neg) return Side::split;
    }
    if (unsure) {
      ensure_scratch(p.n);
      for (std::uint32_t k = 0; k < p.n; ++k) {
        const int sg = vertex_sign(l, L, pos, A, A.ids[p.off + k], k);
        pos_side = pos_side || sg > 0;
        neg = neg || sg < 0;
        if (pos_side && neg) return Side::split;
      }
    }
    return pos_side ? Side::on : Side::off;
  }

  void ensure_scratch(std::size_t n) {
    if (cls_.size() >= n) return;
    cls_.resize(2 * n + 8);
    z_.resize(2 * n + 8);
    zb_.resize(2 * n + 8);
  }

  // Number of labels two sorted lists share.
  static std::uint32_t common(const std::int32_t* a, std::uint32_t na, const std::int32_t* b, std::uint32_t nb) {
    std::uint32_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
      if (a[i] < b[j])
        ++i;
      else if (a[i] > b[j])
        ++j;
      else {
        ++c;
        ++i;
        ++j;
      }
    }
    return c;
  }

  // Are vertices u and v (of piece p, both non-simple, sharing >= K - 1 labels) the ends of an edge?
  // The smallest face containing both is where their common labels are tight; it is an edge iff no
  // other vertex of the piece has every common label.
  bool combinatorial_edge(const Arena& A, Piece p, std::uint32_t u, std::uint32_t v) {
    common_.clear();
    const std::int32_t* a = A.lab.data() + A.lab_off[u];
    const std::int32_t* b = A.lab.data() + A.lab_off[v];
    std::set_intersection(a, a + A.lab_n[u], b, b + A.lab_n[v], std::back_inserter(common_));
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const std::uint32_t w = A.ids[p.off + k];
      if (w == u || w == v) continue;
      const std::int32_t* c = A.lab.data() + A.lab_off[w];
      if (std::includes(c, c + A.lab_n[w], common_.begin(), common_.end())) return false;
    }
    return true;
  }
  std::vector<std::int32_t> common_, new_labels_;

  // The new vertex where the hyperplane `cut` crosses the edge (u, v) (u positive, v negative), into fresh_.
  void cross_edge(Arena& A, std::uint32_t u, std::uint32_t v, std::size_t su, std::size_t sv, std::int32_t cut) {
    const std::int32_t* a = A.lab.data() + A.lab_off[u];
    const std::int32_t* b = A.lab.data() + A.lab_off[v];
    new_labels_.clear();
    std::set_intersection(a, a + A.lab_n[u], b, b + A.lab_n[v], std::back_inserter(new_labels_));
    new_labels_.insert(std::upper_bound(new_labels_.begin(), new_labels_.end(), cut), cut);
    cross_edge_labels(A, u, v, su, sv, new_labels_.data(), static_cast<std::uint32_t>(new_labels_.size()));
  }

  // The same, with the new vertex's labels given (sorted).
  void cross_edge_labels(Arena& A, std::uint32_t u, std::uint32_t v, std::size_t su, std::size_t sv,
                         const std::int32_t* labels, std::uint32_t n) {
    double px[K], d = std::numeric_limits<double>::infinity();
    const double za = z_[su], zb = -z_[sv], ba = zb_[su], bb = zb_[sv];
    if (std::isfinite(ba) && std::isfinite(bb)) {
      // x = xu + t (xv - xu), t = za / (za + zb); the exact t* = za* / (za* + zb*) with |za - za*| <= ba,
      // |zb - zb*| <= bb (za > ba, zb > bb: certified signs). x - x* = (1 - t*)(xu - xu*) + t* (xv - xv*)
      // + (t - t*)(xv - xu), and (1 - t*) du + t* dv <= (1 - t) du + t dv + |t - t*| |du - dv|.
      const double sum = za + zb;
      const double t = za / sum;
      const double et = ((ba * zb + za * bb) / ((sum - ba - bb) * sum) + 4 * kEps) * 1.01;
      const double du = A.delta[u], dv = A.delta[v], dt = (1 - t) * du + t * dv, ddiff = std::fabs(du - dv);
      const double* xu = A.x.data() + static_cast<std::size_t>(u) * K;
      const double* xv = A.x.data() + static_cast<std::size_t>(v) * K;
      d = 0.0;
      for (int k = 0; k < K; ++k) {
        const double diff = xv[k] - xu[k];
        px[k] = xu[k] + t * diff;
        const double e =
            dt + et * (std::fabs(diff) + ddiff) + 4 * kEps * (std::fabs(xu[k]) + std::fabs(xv[k]) + std::fabs(px[k]));
        d = std::max(d, e);
      }
      d = d * 1.01 + kTiny;
    }
    if (!(d < tol::vertex_resolve_delta) && !(solve_vertex(labels, n, px, d) && d < tol::polygon_vertex_delta))
      exact_float_vertex(labels, n, px, d);
    fresh_.push_back(A.push(px, d, labels, n));
  }

  // The node at layer l: piece p of L.input, on which layers < l have fixed states.
  void visit(int l, const Arena& in, Piece p) {
    ctl_.checkpoint();
    if (ctl_.stopped()) return;
    Level& L = levels_[static_cast<std::size_t>(l)];
    const LayerMap<K>& m = maps_[static_cast<std::size_t>(l)];
    const int n = m.width;
    reset_level(l, L);
    std::uint64_t* bits = layer_bits(l);
    L.coef.clear();
    L.base.clear();
    L.slope.clear();
    double md = 0.0;
    for (std::uint32_t k = 0; k < p.n; ++k) md = std::max(md, in.delta[in.ids[p.off + k]]);

    L.lo.resize(static_cast<std::size_t>(n));
    L.hi.resize(static_cast<std::size_t>(n));
    {
      double* lo = L.lo.data();
      double* hi = L.hi.data();
      const double* c = m.cst();
      std::fill(lo, lo + n, std::numeric_limits<double>::infinity());
      std::fill(hi, hi + n, -std::numeric_limits<double>::infinity());
      for (std::uint32_t k = 0; k < p.n; ++k) {
        const double* x = in.x.data() + static_cast<std::size_t>(in.ids[p.off + k]) * K;
        for (int i = 0; i < n; ++i) {
          double z = c[i];
          for (int j = 0; j < K; ++j) z += m.lin(j)[i] * x[j];
          lo[i] = z < lo[i] ? z : lo[i];
          hi[i] = z > hi[i] ? z : hi[i];
        }
      }
    }
    // Bounds of a float value at a vertex within delta of an exact vertex in [0, 1]^K: coefficient
    // errors (K + 1 terms), the rounding of K + 1 products and sums, and the vertex's error.
    for (const int i : L.order) {
      if (net_.is_linear(l, i)) continue;
      double g1 = 0.0;
      for (int j = 0; j < K; ++j) g1 += std::fabs(m.lin(j)[i]);
      const double ce = coef_err(l, i, false), c = m.cst()[i];
      const double base = ((K + 1) * ce + (K + 2) * kEps * (g1 + std::fabs(c))) * 1.01 + kTiny;
      const double slope = (g1 + (K + 1) * ce) * (1 + (K + 2) * kEps) * 1.01;
      const double bound = base + slope * md, lo = L.lo[static_cast<std::size_t>(i)],
                   hi = L.hi[static_cast<std::size_t>(i)];
      if (lo > bound) {
        bits[i >> 6] |= std::uint64_t{1} << (i & 63);
        continue;
      }
      if (hi < -bound) continue;
      const bool crosses = lo < -bound && hi > bound;
      if (!crosses && is_zero(l, i)) continue;
      L.unit.push_back(i);
      for (int j = 0; j < K; ++j) L.coef.push_back(m.lin(j)[i]);
      L.coef.push_back(c);
      L.base.push_back(base);
      L.slope.push_back(slope);
      L.crosses_node.push_back(crosses ? 1 : 0);
    }

    for (std::uint32_t k = 0; k < p.n; ++k) L.arena.ids.push_back(L.arena.push_copy_from(in, in.ids[p.off + k]));
    L.arena.adj.assign(in.adj.begin() + static_cast<std::ptrdiff_t>(p.off) * K,
                       in.adj.begin() + static_cast<std::ptrdiff_t>(p.off + p.n) * K);
    const Piece root{0, p.n, p.simple};
    sort_candidates(
        l, L, 0, static_cast<std::uint32_t>(L.unit.size()), [](std::uint32_t q) { return q; },
        [&](std::uint32_t pos) { return L.crosses_node[pos] ? Side::split : side_of(l, L, pos, L.arena, root); });
    L.frames.push_back(Frame{root, 0, static_cast<std::uint32_t>(L.cands.size()), 0, L.arena.mark(), {}, 0});
    walk_layer(l, L);
  }

  void walk_layer(int l, Level& L) {
    const std::int32_t unit0 = lay_.unit_offset(l);
    walk_pieces<!Sink::stores>(
        ctl_, L.frames, l + 1 == H_, [&](Piece p) { leaf_of_layer(l, L, p, l + 1 == H_); },
        [&](Frame& F) { split(l, L, F.piece, L.cands[F.cand_begin], unit0, F.kids); },
        [&](std::size_t f, int kid) { enter(l, L, f, kid); }, [&] { pop_frame(l, L); });
  }

  // The edges of a simple piece between a positive and a negative vertex: two vertices sharing K - 1
  // labels (every vertex is on K hyperplanes). Negative vertices' (K - 1)-subsets go into a hash table
  // (keyed by a sum of label hashes), positive ones look theirs up; a match is checked exactly.
  void cut_edges_simple(Arena& A, Piece p, std::int32_t cut) {
    const std::size_t mask = reset_table(K * neg_.size());
    std::uint64_t h[K];
    for (const std::uint32_t b : neg_) {
      const std::int32_t* lb = A.lab.data() + A.lab_off[A.ids[p.off + b]];
      std::uint64_t sum = 0;
      for (int j = 0; j < K; ++j) sum += h[j] = label_hash_[static_cast<std::size_t>(lb[j] + 2 * K)];
      for (int j = 0; j < K; ++j) {
        const std::uint64_t key = sum - h[j];
        std::size_t slot = (key * 0x9e3779b97f4a7c15ull >> 40) & mask;
        while (table_stamp_[slot] == stamp_) slot = (slot + 1) & mask;
        table_stamp_[slot] = stamp_;
        table_key_[slot] = key;
        table_at_[slot] = b;
      }
    }
    for (const std::uint32_t a : pos_) {
      const std::uint32_t u = A.ids[p.off + a];
      std::uint64_t sum = 0;
      for (int j = 0; j < K; ++j) sum += h[j] = label_hash_[static_cast<std::size_t>(A.lab[A.lab_off[u] + j] + 2 * K)];
      for (int j = 0; j < K; ++j) {
        const std::uint64_t key = sum - h[j];
        for (std::size_t slot = (key * 0x9e3779b97f4a7c15ull >> 40) & mask; table_stamp_[slot] == stamp_;
             slot = (slot + 1) & mask) {
          if (table_key_[slot] != key) continue;
          const std::uint32_t b = table_at_[slot], v = A.ids[p.off + b];
          if (common(A.lab.data() + A.lab_off[u], K, A.lab.data() + A.lab_off[v], K) + 1 == K)
            cross_edge(A, u, v, a, b, cut);
        }
      }
    }
  }

  // Any piece: every positive-negative pair sharing K - 1 labels, the combinatorial test when both
  // vertices are degenerate.
  void cut_edges_general(Arena& A, Piece p, std::int32_t cut) {
    for (const std::uint32_t a : pos_) {
      const std::uint32_t u = A.ids[p.off + a];
      const std::uint32_t na = A.lab_n[u];
      for (const std::uint32_t b : neg_) {
        const std::uint32_t v = A.ids[p.off + b];
        const std::uint32_t nb = A.lab_n[v];
        const std::uint32_t c = common(A.lab.data() + A.lab_off[u], na, A.lab.data() + A.lab_off[v], nb);
        if (c + 1 < K) continue;
        if (na != K && nb != K && !combinatorial_edge(A, p, u, v)) continue;
        cross_edge(A, u, v, a, b, cut);
      }
    }
  }

  // Empties the hash table (open addressing, entries of the current stamp) for `entries` keys at a
  // load of at most 1/4; returns the slot mask.
  std::size_t reset_table(std::size_t entries) {
    std::size_t size = 16;
    while (size < 4 * entries) size *= 2;
    if (table_key_.size() < size) {
      table_key_.resize(size);
      table_at_.resize(size);
      table_stamp_.assign(size, 0);
    }
    if (++stamp_ == 0) {
      std::fill(table_stamp_.begin(), table_stamp_.end(), 0);
      stamp_ = 1;
    }
    const std::size_t mask = size - 1;
    return mask;
  }

  static std::uint64_t label_hash(std::int32_t label) {
    std::uint64_t z = static_cast<std::uint64_t>(static_cast<std::uint32_t>(label)) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::vector<std::uint64_t> label_hash_;  // per label + 2K
  std::vector<std::uint64_t> table_key_;
  std::vector<std::uint32_t> table_at_, table_stamp_;
  std::uint32_t stamp_ = 0;

  // Splits piece p by candidate pos into kids[0] (off side) and kids[1] (on side), appended to the arena.
  void split(int l, Level& L, Piece p, std::uint32_t pos, std::int32_t unit0, Piece* kids) {
    Arena& A = L.arena;
    ensure_scratch(p.n);
    pos_.clear();
    neg_.clear();
    bool simple = true;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const std::uint32_t v = A.ids[p.off + k];
      const int sg = vertex_sign(l, L, pos, A, v, k);
      cls_[k] = static_cast<signed char>(sg);
      if (sg > 0) pos_.push_back(k);
      if (sg < 0) neg_.push_back(k);
      simple = simple && A.lab_n[v] == K;
    }
    if (pos_.empty() || neg_.empty()) throw std::logic_error("vertex engine: a candidate no longer crosses its piece");
    const std::int32_t cut = unit0 + L.unit[pos];
    fresh_.clear();
    if (p.simple && pos_.size() + neg_.size() == p.n) {
      split_simple(A, p, cut, kids);
      return;
    }
    // Vertices on the cut (exactly) belong to both kids, with the cut among their labels.
    for (std::uint32_t k = 0; k < p.n; ++k)
      if (cls_[k] == 0) fresh_.push_back(A.push_copy_from(A, A.ids[p.off + k], cut));
    if (simple)
      cut_edges_simple(A, p, cut);
    else
      cut_edges_general(A, p, cut);
    for (int side = -1; side <= 1; side += 2) {
      const auto off = static_cast<std::uint32_t>(A.ids.size());
      for (std::uint32_t k = 0; k < p.n; ++k)
        if (cls_[k] == side) A.ids.push_back(A.ids[p.off + k]);
      A.ids.insert(A.ids.end(), fresh_.begin(), fresh_.end());
      A.adj.resize(A.ids.size() * K);
      kids[side < 0 ? 0 : 1] = Piece{off, static_cast<std::uint32_t>(A.ids.size()) - off, false};
    }
  }

  // A simple piece that no vertex of the cut touches: the edges from the adjacency, the kids' adjacency
  // from the parent's and, among the new vertices (a simple polytope in the cut), from their labels.
  void split_simple(Arena& A, Piece p, std::int32_t cut, Piece* kids) {
    const std::size_t nk = static_cast<std::size_t>(p.n) * K;
    if (edge_new_.size() < nk) edge_new_.resize(2 * nk);
    kid_slot_.resize(p.n);
    std::uint32_t n_side[2] = {0, 0};
    for (std::uint32_t k = 0; k < p.n; ++k) kid_slot_[k] = n_side[cls_[k] > 0]++;
    ends_.clear();
    const std::uint32_t* adj = A.adj.data() + static_cast<std::size_t>(p.off) * K;
    for (const std::uint32_t a : pos_) {
      for (int j = 0; j < K; ++j) {
        const std::uint32_t b = adj[static_cast<std::size_t>(a) * K + static_cast<std::size_t>(j)];
        if (cls_[b] > 0) continue;
        int jb = 0;
        while (adj[static_cast<std::size_t>(b) * K + static_cast<std::size_t>(jb)] != a) ++jb;
        const auto f = static_cast<std::uint32_t>(fresh_.size());
        edge_new_[static_cast<std::size_t>(a) * K + static_cast<std::size_t>(j)] = f;
        edge_new_[static_cast<std::size_t>(b) * K + static_cast<std::size_t>(jb)] = f;
        const std::uint32_t u = A.ids[p.off + a];
        const std::int32_t* lu = A.lab.data() + A.lab_off[u];
        std::int32_t labels[K];
        int m = 0;
        bool placed = false;
        for (int i = 0; i < K; ++i) {
          if (i == j) continue;
          if (!placed && cut < lu[i]) {
            labels[m++] = cut;
            placed = true;
          }
          labels[m++] = lu[i];
        }
        if (!placed) labels[m++] = cut;
        cross_edge_labels(A, u, A.ids[p.off + b], a, b, labels, K);
        ends_.push_back({a, b});
      }
    }
    link_fresh(A, cut);
    // The kids' entries, written in place: kid 0 (off side) first, each its old vertices then the new.
    const auto nf = static_cast<std::uint32_t>(fresh_.size());
    const std::size_t base = A.ids.size();
    const std::uint32_t start[2] = {static_cast<std::uint32_t>(base),
                                    static_cast<std::uint32_t>(base) + n_side[0] + nf};
    A.ids.resize(base + n_side[0] + n_side[1] + 2 * static_cast<std::size_t>(nf));
    A.adj.resize(A.ids.size() * K);
    std::uint32_t* ids = A.ids.data();
    std::uint32_t* adj_out = A.adj.data();
    const std::uint32_t* adj_in = A.adj.data() + static_cast<std::size_t>(p.off) * K;
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const int side = cls_[k] > 0;
      const std::size_t at = start[side] + kid_slot_[k];
      ids[at] = ids[p.off + k];
      for (std::size_t j = 0; j < K; ++j) {
        const std::uint32_t b = adj_in[k * K + j];
        adj_out[at * K + j] = cls_[b] == cls_[k] ? kid_slot_[b] : n_side[side] + edge_new_[k * K + j];
      }
    }
    for (int side = 0; side < 2; ++side) {
      for (std::uint32_t f = 0; f < nf; ++f) {
        const std::size_t at = start[side] + n_side[side] + f;
        ids[at] = fresh_[f];
        const std::uint32_t end = kid_slot_[side ? ends_[f].pos : ends_[f].neg];
        for (std::size_t j = 0; j < K; ++j) {
          const std::uint32_t g = fresh_adj_[f * K + j];
          adj_out[at * K + j] = g == kNoVertex ? end : n_side[side] + g;
        }
      }
      kids[side] = Piece{start[side], n_side[side] + nf, true};
    }
  }

  // fresh_adj_[K f + j]: the new vertex adjacent to new vertex f across its j-th label (kNoVertex for
  // the cut: across it lies the old end of its edge). Two new vertices are adjacent iff they share
  // K - 1 labels (the cut and K - 2 others); the pairs are matched through hashes of those labels.
  void link_fresh(const Arena& A, std::int32_t cut) {
    const std::size_t nf = fresh_.size();
    fresh_adj_.assign(nf * K, kNoVertex);
    const std::size_t mask = reset_table(K * nf);
    for (std::size_t f = 0; f < nf; ++f) {
      const std::int32_t* lf = A.lab.data() + A.lab_off[fresh_[f]];
      std::uint64_t h[K], sum = 0;
      for (int j = 0; j < K; ++j) sum += h[j] = label_hash_[static_cast<std::size_t>(lf[j] + 2 * K)];
      for (int j = 0; j < K; ++j) {
        if (lf[j] == cut) continue;
        const std::uint64_t key = sum - h[j];
        std::size_t slot = (key * 0x9e3779b97f4a7c15ull >> 40) & mask;
        bool matched = false;
        for (; table_stamp_[slot] == stamp_; slot = (slot + 1) & mask) {
          if (table_key_[slot] != key) continue;
          const std::uint32_t g = table_at_[slot] / K;
          const std::int32_t* lg = A.lab.data() + A.lab_off[fresh_[g]];
          if (common(lf, K, lg, K) + 1 != K) continue;
          fresh_adj_[f * K + static_cast<std::size_t>(j)] = g;
          fresh_adj_[table_at_[slot]] = static_cast<std::uint32_t>(f);
          table_key_[slot] = ~key;  // matched: each (K - 1)-subset has two vertices
          matched = true;
          break;
        }
        if (matched) continue;
        table_stamp_[slot] = stamp_;
        table_key_[slot] = key;
        table_at_[slot] = static_cast<std::uint32_t>(f * K + static_cast<std::size_t>(j));
      }
    }
    for (std::size_t f = 0; f < nf; ++f)
      for (int j = 0; j < K; ++j)
        if (fresh_adj_[f * K + static_cast<std::size_t>(j)] == kNoVertex &&
            A.lab[A.lab_off[fresh_[f]] + static_cast<std::uint32_t>(j)] != cut)
          throw std::logic_error("vertex engine: a new vertex without a neighbour in the cut");
  }

  static constexpr std::uint32_t kNoVertex = ~std::uint32_t{0};
  struct Ends {
    std::uint32_t pos, neg;
  };
  std::vector<Ends> ends_;  // per new vertex: the positions of its edge's ends in the parent piece
  std::vector<std::uint32_t> edge_new_, kid_slot_, fresh_adj_;

  void enter(int l, Level& L, std::size_t f, int kid) {
    const Frame parent = L.frames[f];
    const Piece p = parent.kids[kid];
    Frame child{
        p, static_cast<std::uint32_t>(L.cands.size()), 0, static_cast<std::uint32_t>(L.undo.size()), L.arena.mark(), {},
        0};
    if (kid == 1) set_unit_bit(l, L.unit[L.cands[parent.cand_begin]], L.undo);
    sort_candidates(
        l, L, parent.cand_begin + 1, parent.cand_end, [&](std::uint32_t q) { return L.cands[q]; },
        [&](std::uint32_t pos) { return side_of(l, L, pos, L.arena, p); });
    child.cand_end = static_cast<std::uint32_t>(L.cands.size());
    L.frames.push_back(child);
  }

  void leaf_of_layer(int l, Level& L, Piece p, bool last) {
    if (last) {
      ctl_.add_region();
      return;
    }
    leaf_map(l, L.leaf);
    visit(l + 1, L.arena, p);
  }

  [[maybe_unused]] Sink& sink_;
  std::vector<Level> levels_;
  Arena box_;
};

}  // namespace reluregions
