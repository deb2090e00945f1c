// A fully connected network: affine layers, with ReLU or leaky ReLU after every layer but the last.
// Each hidden unit has its own negative slope; a *linear* unit (slope exactly 1, flagged) is the
// identity: it carries a value to a later layer (skip connections, max-pool), has no boundary, and its
// pattern bit is always 0, so engines never split on it.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "pattern.hpp"

namespace reluregions {

// A layer's weight matrix (out x in) as given to a Network: dense (row-major) or sparse (compressed
// rows: row i's entries are idx/val[ptr[i] .. ptr[i + 1]), columns increasing).
struct WeightMatrix {
  bool sparse = false;
  std::vector<double> dense;
  std::vector<std::size_t> ptr;
  std::vector<int> idx;
  std::vector<double> val;

  static WeightMatrix from_dense(std::vector<double> w) {
    WeightMatrix m;
    m.dense = std::move(w);
    return m;
  }
  // Compressed rows of a dense out x in matrix (zeros dropped).
  static WeightMatrix compress(const double* w, int out, int in) {
    WeightMatrix m;
    m.sparse = true;
    m.ptr.reserve(static_cast<std::size_t>(out) + 1);
    m.ptr.push_back(0);
    for (int i = 0; i < out; ++i) {
      for (int j = 0; j < in; ++j) {
        const double v = w[static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)];
        if (v != 0.0) {
          m.idx.push_back(j);
          m.val.push_back(v);
        }
      }
      m.ptr.push_back(m.idx.size());
    }
    return m;
  }
  // Sparse storage pays when at most a third of the entries are non-zero.
  static bool worth_compressing(std::size_t nonzeros, std::size_t size) { return 3 * nonzeros <= size; }
};

// A sparse matrix's compressed rows or columns (for columns: idx are rows, aval = |val|).
struct SparseLines {
  std::vector<std::size_t> ptr;
  std::vector<int> idx;
  std::vector<double> val, aval;
};

class Network {
 public:
  // dims = {n0, n1, ..., nL}; weights[l] is row-major (dims[l+1] x dims[l]); biases[l] has dims[l+1]
  // entries; slopes[l] is the negative slope after hidden layer l (0 for ReLU), one per hidden layer.
  Network(std::vector<int> dims, std::vector<std::vector<double>> weights, std::vector<std::vector<double>> biases,
          const std::vector<double>& slopes)
      : Network(dims, std::move(weights), std::move(biases), per_unit(dims, slopes), {}) {}

  // unit_slopes[l][i]: the negative slope of unit i of hidden layer l; linear[l][i] != 0: a linear unit
  // (its slope must be 1). An empty `linear` means no linear unit.
  // Dense matrices with at most a third of their entries non-zero are stored sparse.
  Network(std::vector<int> dims, std::vector<std::vector<double>> weights, std::vector<std::vector<double>> biases,
          std::vector<std::vector<double>> unit_slopes, std::vector<std::vector<char>> linear)
      : Network(dims, auto_sparse(std::move(weights), dims), std::move(biases), std::move(unit_slopes),
                std::move(linear)) {}

  // Weight matrices as given (dense or sparse, see WeightMatrix).
  Network(std::vector<int> dims, std::vector<WeightMatrix> weights, std::vector<std::vector<double>> biases,
          std::vector<std::vector<double>> unit_slopes, std::vector<std::vector<char>> linear)
      : dims_(std::move(dims)), b_(std::move(biases)), slopes_(std::move(unit_slopes)), linear_(std::move(linear)) {
    if (dims_.size() < 2) throw std::invalid_argument("a network needs at least one layer");
    const int L = num_layers();
    if (static_cast<int>(weights.size()) != L || static_cast<int>(b_.size()) != L)
      throw std::invalid_argument("expected " + std::to_string(L) + " weight matrices and bias vectors");
    if (static_cast<int>(slopes_.size()) != L - 1)
      throw std::invalid_argument("expected one negative slope per hidden layer");
    for (int d : dims_)
      if (d < 1) throw std::invalid_argument("layer widths must be positive");
    if (linear_.empty()) linear_.resize(static_cast<std::size_t>(L - 1));
    if (static_cast<int>(linear_.size()) != L - 1)
      throw std::invalid_argument("expected one linear-unit mask per hidden layer");
    layer_kind_.assign(static_cast<std::size_t>(L - 1), 0);
    max_slope_.assign(static_cast<std::size_t>(L - 1), 0.0);
    for (int l = 0; l + 1 < L; ++l) {
      const auto ul = static_cast<std::size_t>(l), n = static_cast<std::size_t>(dims_[ul + 1]);
      if (linear_[ul].empty()) linear_[ul].assign(n, 0);
      if (slopes_[ul].size() != n || linear_[ul].size() != n)
        throw std::invalid_argument("hidden layer " + std::to_string(l) + ": expected one slope per unit");
      bool relu = true;
      for (std::size_t i = 0; i < n; ++i) {
        if (linear_[ul][i] && slopes_[ul][i] != 1.0)
          throw std::invalid_argument("hidden layer " + std::to_string(l) + ": a linear unit needs slope 1");
        relu = relu && slopes_[ul][i] == 0.0 && !linear_[ul][i];
        max_slope_[ul] = std::max(max_slope_[ul], std::fabs(slopes_[ul][i]));
      }
      layer_kind_[ul] = relu ? 1 : 0;
    }
    W_.resize(static_cast<std::size_t>(L));
    Wt_.resize(static_cast<std::size_t>(L));
    absWt_.resize(static_cast<std::size_t>(L));
    rows_.resize(static_cast<std::size_t>(L));
    cols_.resize(static_cast<std::size_t>(L));
    sparse_.assign(static_cast<std::size_t>(L), 0);
    for (int l = 0; l < L; ++l) {
      const int out = dims_[l + 1];
      const auto ul = static_cast<std::size_t>(l);
      WeightMatrix& m = weights[ul];
      if (b_[ul].size() != static_cast<std::size_t>(out))
        throw std::invalid_argument("layer " + std::to_string(l) + ": bias vector has the wrong size");
      if (m.sparse)
        set_sparse(l, std::move(m));
      else
        set_dense(l, std::move(m.dense));
      if (dims_[l + 1] > max_width_) max_width_ = dims_[l + 1];
    }
    if (dims_[0] > max_width_) max_width_ = dims_[0];
    layout_ = PatternLayout(std::vector<int>(dims_.begin() + 1, dims_.end() - 1));
  }

  int input_dim() const { return dims_.front(); }
  int output_dim() const { return dims_.back(); }
  int num_layers() const { return static_cast<int>(dims_.size()) - 1; }  // affine layers
  int num_hidden_layers() const { return num_layers() - 1; }
  int in_dim(int l) const { return dims_[l]; }
  int out_dim(int l) const { return dims_[l + 1]; }
  int max_width() const { return max_width_; }
  const std::vector<int>& dims() const { return dims_; }
  // Dense layers: the weights (W: out x in, Wt and |Wt|: in x out, row-major). Null for a sparse layer.
  const double* W(int l) const { return dense(l) ? W_[static_cast<std::size_t>(l)].data() : nullptr; }
  const double* Wt(int l) const { return dense(l) ? Wt_[static_cast<std::size_t>(l)].data() : nullptr; }
  const double* absWt(int l) const { return dense(l) ? absWt_[static_cast<std::size_t>(l)].data() : nullptr; }
  bool sparse(int l) const { return sparse_[static_cast<std::size_t>(l)] != 0; }
  bool dense(int l) const { return !sparse(l); }
  // Sparse layers: compressed rows and columns (cols().aval holds |w|).
  const SparseLines& rows(int l) const { return rows_[static_cast<std::size_t>(l)]; }
  const SparseLines& cols(int l) const { return cols_[static_cast<std::size_t>(l)]; }
  // Number of stored weights of layer l.
  std::size_t stored(int l) const { return sparse(l) ? rows(l).idx.size() : W_[static_cast<std::size_t>(l)].size(); }

  // f(j, w) for the weights of row i of layer l (a dense row: every column, zeros included).
  template <class F>
  void for_row(int l, int i, F&& f) const {
    if (sparse(l)) {
      const SparseLines& r = rows(l);
      for (std::size_t k = r.ptr[static_cast<std::size_t>(i)]; k < r.ptr[static_cast<std::size_t>(i) + 1]; ++k)
        f(r.idx[k], r.val[k]);
      return;
    }
    const int in = dims_[static_cast<std::size_t>(l)];
    const double* w =
        W_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(in);
    for (int j = 0; j < in; ++j) f(j, w[j]);
  }
  // f(i, w) for the weights of column j of layer l (a dense column: every row, zeros included).
  template <class F>
  void for_col(int l, int j, F&& f) const {
    if (sparse(l)) {
      const SparseLines& c = cols(l);
      for (std::size_t k = c.ptr[static_cast<std::size_t>(j)]; k < c.ptr[static_cast<std::size_t>(j) + 1]; ++k)
        f(c.idx[k], c.val[k]);
      return;
    }
    const int out = dims_[static_cast<std::size_t>(l) + 1];
    const double* w =
        Wt_[static_cast<std::size_t>(l)].data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(out);
    for (int i = 0; i < out; ++i) f(i, w[i]);
  }
  // Row i of layer l written densely into `out` (in_dim(l) entries).
  void dense_row(int l, int i, double* out) const {
    std::fill(out, out + dims_[static_cast<std::size_t>(l)], 0.0);
    for_row(l, i, [out](int j, double w) { out[j] = w; });
  }
  // The weights of layer l as given to the constructor (for copies and transformations).
  WeightMatrix weight_matrix(int l) const {
    if (dense(l)) return WeightMatrix::from_dense(W_[static_cast<std::size_t>(l)]);
    WeightMatrix m;
    m.sparse = true;
    m.ptr = rows(l).ptr;
    m.idx = rows(l).idx;
    m.val = rows(l).val;
    return m;
  }
  const double* b(int l) const { return b_[l].data(); }
  // Negative slope of unit i of hidden layer l (1 for a linear unit).
  double slope(int l, int i) const { return slopes_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]; }
  const double* slopes(int l) const { return slopes_[static_cast<std::size_t>(l)].data(); }
  // A linear (pass-through) unit: no boundary, never split on, pattern bit always 0.
  bool is_linear(int l, int i) const { return linear_[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)] != 0; }
  const std::vector<std::vector<char>>& linear_masks() const { return linear_; }
  const std::vector<std::vector<double>>& unit_slopes() const { return slopes_; }
  // Every unit of hidden layer l is a plain ReLU (slope 0, not linear).
  bool relu_layer(int l) const { return layer_kind_[static_cast<std::size_t>(l)] != 0; }
  double max_abs_slope(int l) const { return max_slope_[static_cast<std::size_t>(l)]; }
  const PatternLayout& layout() const { return layout_; }

  // Scratch space for one thread's forward passes.
  struct Scratch {
    std::vector<double> h, z, e, e2;
    explicit Scratch(const Network& net)
        : h(net.max_width_), z(net.max_width_), e(net.max_width_), e2(net.max_width_) {}
  };

  // One forward pass. Writes the output (if out != nullptr) and the activation pattern in the aligned
  // layout (if pattern != nullptr): bit = z > tol * E, with E the same pass through |W|, |b| and |x|.
  void forward(const double* x, double* out, std::uint64_t* pattern, double tol, Scratch& s) const {
    const int L = num_layers();
    double* h = s.h.data();
    double* z = s.z.data();
    double* e = s.e.data();
    double* e2 = s.e2.data();
    const bool track = pattern != nullptr && tol > 0;
    for (int j = 0; j < dims_[0]; ++j) {
      h[j] = x[j];
      e[j] = std::fabs(x[j]);
    }
    if (pattern) layout_.clear(pattern);
    for (int l = 0; l < L; ++l) {
      const int in = dims_[l], outw = dims_[l + 1];
      const double* bl = b_[l].data();
      if (sparse(l)) {
        const SparseLines& r = rows(l);
        for (int i = 0; i < outw; ++i) {
          double acc = bl[i], mag = std::fabs(bl[i]);
          for (std::size_t k = r.ptr[static_cast<std::size_t>(i)]; k < r.ptr[static_cast<std::size_t>(i) + 1]; ++k) {
            acc += r.val[k] * h[r.idx[k]];
            if (track) mag += std::fabs(r.val[k]) * e[r.idx[k]];
          }
          z[i] = acc;
          e2[i] = mag;
        }
      } else {
        const double* Wl = W_[l].data();
        for (int i = 0; i < outw; ++i) {
          const double* row = Wl + static_cast<std::size_t>(i) * in;
          double acc = bl[i], mag = std::fabs(bl[i]);
          for (int j = 0; j < in; ++j) acc += row[j] * h[j];
          if (track)
            for (int j = 0; j < in; ++j) mag += std::fabs(row[j]) * e[j];
          z[i] = acc;
          e2[i] = mag;
        }
      }
      if (l == L - 1) {
        if (out)
          for (int i = 0; i < outw; ++i) out[i] = z[i];
        break;
      }
      const double* a_l = slopes_[static_cast<std::size_t>(l)].data();
      const char* lin = linear_[static_cast<std::size_t>(l)].data();
      for (int i = 0; i < outw; ++i) {
        const double a = a_l[i];
        const bool on = !lin[i] && z[i] > tol * e2[i];
        if (pattern && on) layout_.set(pattern, l, i);
        h[i] = on ? z[i] : a * z[i];
        e[i] = on ? e2[i] : std::fabs(a) * e2[i];
      }
    }
  }

  // The affine map of the network on the activation region of x (strict pattern, z > 0):
  // output = J x + c, with J out x in (row-major). E (optional, out entries) bounds the magnitude of the
  // terms summed for each output (the same pass through |W|, |b|, |x|). Not a hot path.
  void local_affine(const double* x, double* J, double* c, double* E = nullptr) const {
    const int L = num_layers();
    const int d = dims_[0];
    const std::size_t cols = static_cast<std::size_t>(d) + 1;
    // [J | c] of the current layer's values as functions of x, width x (d + 1), row-major.
    std::vector<double> cur(static_cast<std::size_t>(d) * cols, 0.0), nxt;
    for (int j = 0; j < d; ++j) cur[static_cast<std::size_t>(j) * cols + static_cast<std::size_t>(j)] = 1.0;
    std::vector<double> h(x, x + d), z, e(static_cast<std::size_t>(d)), e2;
    for (int j = 0; j < d; ++j) e[static_cast<std::size_t>(j)] = std::fabs(x[j]);
    for (int l = 0; l < L; ++l) {
      const int outw = dims_[l + 1];
      nxt.assign(static_cast<std::size_t>(outw) * cols, 0.0);
      z.assign(static_cast<std::size_t>(outw), 0.0);
      e2.assign(static_cast<std::size_t>(outw), 0.0);
      for (int i = 0; i < outw; ++i) {
        double* row_out = &nxt[static_cast<std::size_t>(i) * cols];
        double acc = b_[l][i], mag = std::fabs(b_[l][i]);
        for_row(l, i, [&](int j, double w) {
          if (w == 0.0) return;
          acc += w * h[static_cast<std::size_t>(j)];
          mag += std::fabs(w) * e[static_cast<std::size_t>(j)];
          const double* row_in = &cur[static_cast<std::size_t>(j) * cols];
          for (std::size_t k = 0; k < cols; ++k) row_out[k] += w * row_in[k];
        });
        row_out[d] += b_[l][i];
        z[i] = acc;
        e2[i] = mag;
      }
      if (l < L - 1)
        for (int i = 0; i < outw; ++i) {
          const double f = z[i] > 0 ? 1.0 : slope(l, i);
          z[i] *= f;
          e2[i] *= std::fabs(f);
          for (std::size_t k = 0; k < cols; ++k) nxt[static_cast<std::size_t>(i) * cols + k] *= f;
        }
      h.swap(z);
      e.swap(e2);
      cur.swap(nxt);
    }
    for (int i = 0; i < dims_[L]; ++i) {
      if (E) E[i] = e[i];
      for (int k = 0; k < d; ++k) J[static_cast<std::size_t>(i) * d + k] = cur[static_cast<std::size_t>(i) * cols + k];
      c[i] = cur[static_cast<std::size_t>(i) * cols + static_cast<std::size_t>(d)];
    }
  }

 private:
  static std::vector<WeightMatrix> auto_sparse(std::vector<std::vector<double>> weights, const std::vector<int>& dims) {
    std::vector<WeightMatrix> out;
    for (std::size_t l = 0; l < weights.size(); ++l) {
      const std::vector<double>& w = weights[l];
      const std::size_t nz =
          static_cast<std::size_t>(std::count_if(w.begin(), w.end(), [](double v) { return v != 0.0; }));
      const bool fits =
          l + 1 < dims.size() && w.size() == static_cast<std::size_t>(dims[l]) * static_cast<std::size_t>(dims[l + 1]);
      if (fits && WeightMatrix::worth_compressing(nz, w.size()))
        out.push_back(WeightMatrix::compress(w.data(), dims[l + 1], dims[l]));
      else
        out.push_back(WeightMatrix::from_dense(std::move(weights[l])));
    }
    return out;
  }

  void set_dense(int l, std::vector<double> w) {
    const auto ul = static_cast<std::size_t>(l);
    const int in = dims_[ul], out = dims_[ul + 1];
    if (w.size() != static_cast<std::size_t>(in) * static_cast<std::size_t>(out))
      throw std::invalid_argument("layer " + std::to_string(l) + ": weight matrix has the wrong size");
    W_[ul] = std::move(w);
    Wt_[ul].resize(W_[ul].size());
    absWt_[ul].resize(W_[ul].size());
    for (int i = 0; i < out; ++i)
      for (int j = 0; j < in; ++j) {
        const double v =
            W_[ul][static_cast<std::size_t>(i) * static_cast<std::size_t>(in) + static_cast<std::size_t>(j)];
        Wt_[ul][static_cast<std::size_t>(j) * static_cast<std::size_t>(out) + static_cast<std::size_t>(i)] = v;
        absWt_[ul][static_cast<std::size_t>(j) * static_cast<std::size_t>(out) + static_cast<std::size_t>(i)] =
            std::fabs(v);
      }
  }

  void set_sparse(int l, WeightMatrix m) {
    const auto ul = static_cast<std::size_t>(l);
    const int in = dims_[ul], out = dims_[ul + 1];
    const std::string at = "layer " + std::to_string(l) + ": sparse weight matrix: ";
    if (m.ptr.size() != static_cast<std::size_t>(out) + 1 || m.ptr.front() != 0 || m.ptr.back() != m.idx.size() ||
        m.idx.size() != m.val.size())
      throw std::invalid_argument(at + "inconsistent row pointers");
    for (int i = 0; i < out; ++i) {
      const std::size_t a = m.ptr[static_cast<std::size_t>(i)], e = m.ptr[static_cast<std::size_t>(i) + 1];
      if (a > e) throw std::invalid_argument(at + "decreasing row pointers");
      for (std::size_t k = a; k < e; ++k)
        if (m.idx[k] < 0 || m.idx[k] >= in || (k > a && m.idx[k] <= m.idx[k - 1]))
          throw std::invalid_argument(at + "column indices out of range or not increasing");
    }
    sparse_[ul] = 1;
    SparseLines& r = rows_[ul];
    r.ptr = std::move(m.ptr);
    r.idx = std::move(m.idx);
    r.val = std::move(m.val);
    // Columns: counting sort of the entries by column (rows stay increasing within a column).
    SparseLines& c = cols_[ul];
    c.ptr.assign(static_cast<std::size_t>(in) + 1, 0);
    for (int j : r.idx) ++c.ptr[static_cast<std::size_t>(j) + 1];
    for (int j = 0; j < in; ++j) c.ptr[static_cast<std::size_t>(j) + 1] += c.ptr[static_cast<std::size_t>(j)];
    c.idx.resize(r.idx.size());
    c.val.resize(r.idx.size());
    c.aval.resize(r.idx.size());
    std::vector<std::size_t> next(c.ptr.begin(), c.ptr.end() - 1);
    for (int i = 0; i < out; ++i)
      for (std::size_t k = r.ptr[static_cast<std::size_t>(i)]; k < r.ptr[static_cast<std::size_t>(i) + 1]; ++k) {
        const std::size_t at_c = next[static_cast<std::size_t>(r.idx[k])]++;
        c.idx[at_c] = i;
        c.val[at_c] = r.val[k];
        c.aval[at_c] = std::fabs(r.val[k]);
      }
  }

  static std::vector<std::vector<double>> per_unit(const std::vector<int>& dims, const std::vector<double>& slopes) {
    if (dims.size() < 2 || slopes.size() + 2 != dims.size())
      throw std::invalid_argument("expected one negative slope per hidden layer");
    std::vector<std::vector<double>> out;
    for (std::size_t l = 0; l < slopes.size(); ++l)
      out.emplace_back(static_cast<std::size_t>(std::max(0, dims[l + 1])), slopes[l]);
    return out;
  }

  std::vector<int> dims_;
  std::vector<std::vector<double>> W_, b_;
  std::vector<std::vector<double>> slopes_;
  std::vector<std::vector<char>> linear_;
  std::vector<char> layer_kind_;  // 1: every unit a plain ReLU
  std::vector<double> max_slope_;
  std::vector<std::vector<double>> Wt_, absWt_;  // dense layers
  std::vector<SparseLines> rows_, cols_;         // sparse layers
  std::vector<char> sparse_;
  int max_width_ = 0;
  PatternLayout layout_;
};

}  // namespace reluregions
