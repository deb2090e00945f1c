// Network: construction from NumPy arrays, batched forward pass, activation patterns, local maps.
#include "common.hpp"

#include <algorithm>

#include <reluregions/exact.hpp>
#include <reluregions/network.hpp>

using reluregions::Network;

namespace {

// `sparse`: None stores a matrix sparse when at most a third of its entries are non-zero; True / False
// force one storage for every layer (tests compare both).
Network make_network(const std::vector<py::handle>& weights, const std::vector<py::handle>& biases,
                     const std::vector<double>& slopes, const py::object& unit_slopes, const py::object& linear,
                     const py::object& sparse) {
  if (weights.empty()) throw py::value_error("a network needs at least one layer");
  if (weights.size() != biases.size()) throw py::value_error("need as many bias vectors as weight matrices");
  std::vector<int> dims;
  std::vector<reluregions::WeightMatrix> W;
  std::vector<std::vector<double>> b;
  for (std::size_t l = 0; l < weights.size(); ++l) {
    const std::string at = "layer " + std::to_string(l);
    darray v = darray::ensure(biases[l]);
    if (!v) throw py::type_error(at + ": biases must be numeric arrays");
    if (py::hasattr(weights[l], "indptr") && sparse.is_none()) {
      // Compressed rows (indptr, indices, data, shape), taken as they are.
      const auto shape = weights[l].attr("shape").cast<std::pair<py::ssize_t, py::ssize_t>>();
      auto indptr =
          py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(weights[l].attr("indptr"));
      auto indices =
          py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(weights[l].attr("indices"));
      darray data = darray::ensure(weights[l].attr("data"));
      if (!indptr || !indices || !data || indptr.ndim() != 1 || indptr.shape(0) != shape.first + 1 ||
          indices.ndim() != 1 || data.ndim() != 1 || indices.shape(0) != data.shape(0))
        throw py::value_error(at + ": inconsistent compressed rows");
      if (v.ndim() != 1 || v.shape(0) != shape.first)
        throw py::value_error(at + ": bias must be 1-D with one entry per output");
      if (l == 0)
        dims.push_back(static_cast<int>(shape.second));
      else if (shape.second != dims.back())
        throw py::value_error(at + ": expects " + std::to_string(shape.second) + " inputs but the previous layer has " +
                              std::to_string(dims.back()) + " outputs");
      dims.push_back(static_cast<int>(shape.first));
      reluregions::WeightMatrix m;
      m.sparse = true;
      m.ptr.assign(indptr.data(), indptr.data() + indptr.size());
      m.idx.assign(indices.data(), indices.data() + indices.size());
      m.val.assign(data.data(), data.data() + data.size());
      W.push_back(std::move(m));
      b.emplace_back(v.data(), v.data() + v.size());
      continue;
    }
    darray w =
        py::hasattr(weights[l], "toarray") ? darray::ensure(weights[l].attr("toarray")()) : darray::ensure(weights[l]);
    if (!w) throw py::type_error(at + ": weights and biases must be numeric arrays");
    if (w.ndim() != 2) throw py::value_error(at + ": weight matrix must be 2-D");
    if (v.ndim() != 1 || v.shape(0) != w.shape(0))
      throw py::value_error(at + ": bias must be 1-D with one entry per output");
    if (l == 0)
      dims.push_back(static_cast<int>(w.shape(1)));
    else if (w.shape(1) != dims.back())
      throw py::value_error(at + ": expects " + std::to_string(w.shape(1)) + " inputs but the previous layer has " +
                            std::to_string(dims.back()) + " outputs");
    dims.push_back(static_cast<int>(w.shape(0)));
    const auto nz =
        static_cast<std::size_t>(std::count_if(w.data(), w.data() + w.size(), [](double x) { return x != 0.0; }));
    const bool as_sparse = sparse.is_none()
                               ? reluregions::WeightMatrix::worth_compressing(nz, static_cast<std::size_t>(w.size()))
                               : sparse.cast<bool>();
    if (as_sparse)
      W.push_back(
          reluregions::WeightMatrix::compress(w.data(), static_cast<int>(w.shape(0)), static_cast<int>(w.shape(1))));
    else
      W.push_back(reluregions::WeightMatrix::from_dense(std::vector<double>(w.data(), w.data() + w.size())));
    b.emplace_back(v.data(), v.data() + v.size());
  }
  try {
    // Per-unit slopes and linear (pass-through) masks, one 1-D array per hidden layer.
    std::vector<std::vector<double>> per_unit;
    if (unit_slopes.is_none()) {
      if (slopes.size() + 1 != W.size()) throw py::value_error("expected one negative slope per hidden layer");
      for (std::size_t l = 0; l < slopes.size(); ++l)
        per_unit.emplace_back(static_cast<std::size_t>(dims[l + 1]), slopes[l]);
      return Network(std::move(dims), std::move(W), std::move(b), std::move(per_unit), {});
    }
    std::vector<std::vector<char>> masks;
    for (const py::handle& h : unit_slopes) {
      darray s = darray::ensure(h);
      if (!s || s.ndim() != 1) throw py::value_error("unit_slopes: one 1-D array per hidden layer");
      per_unit.emplace_back(s.data(), s.data() + s.size());
    }
    if (!linear.is_none())
      for (const py::handle& h : linear) {
        auto m = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(h);
        if (!m || m.ndim() != 1) throw py::value_error("linear: one 1-D bool array per hidden layer");
        masks.emplace_back(m.data(), m.data() + m.size());
      }
    return Network(std::move(dims), std::move(W), std::move(b), std::move(per_unit), std::move(masks));
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

}  // namespace

void bind_network(py::module_& m) {
  py::class_<Network>(m, "Network", "A fully connected ReLU / leaky ReLU network (core)")
      .def(py::init(&make_network), py::arg("weights"), py::arg("biases"), py::arg("slopes"),
           py::arg("unit_slopes") = py::none(), py::arg("linear") = py::none(), py::arg("sparse") = py::none())
      .def(
          "is_sparse", [](const Network& net, int l) { return net.sparse(l); }, py::arg("layer"),
          "Is layer l's weight matrix stored sparse?")
      .def_property_readonly("dims", &Network::dims, "Layer widths, input first, output last")
      .def(
          "forward",
          [](const Network& net, const py::handle& X) {
            darray x = as_matrix(X, net.input_dim(), "X");
            const py::ssize_t n = x.shape(0);
            std::vector<double> out(static_cast<std::size_t>(n) * net.output_dim());
            {
              py::gil_scoped_release release;
              Network::Scratch s(net);
              for (py::ssize_t r = 0; r < n; ++r)
                net.forward(x.data(r, 0), out.data() + r * net.output_dim(), nullptr, 0.0, s);
            }
            return to_numpy(std::move(out), {n, net.output_dim()});
          },
          py::arg("X"), "Batched forward pass")
      .def(
          "activation_pattern",
          [](const Network& net, const py::handle& X, double tol) {
            darray x = as_matrix(X, net.input_dim(), "X");
            const py::ssize_t n = x.shape(0);
            const auto& lay = net.layout();
            py::array_t<bool> res({n, static_cast<py::ssize_t>(lay.units())});
            auto* out = reinterpret_cast<std::uint8_t*>(res.mutable_data());
            {
              py::gil_scoped_release release;
              Network::Scratch s(net);
              std::vector<std::uint64_t> bits(static_cast<std::size_t>(std::max(1, lay.words())));
              for (py::ssize_t r = 0; r < n; ++r) {
                net.forward(x.data(r, 0), nullptr, bits.data(), tol, s);
                lay.unpack(bits.data(), out + r * lay.units());
              }
            }
            return res;
          },
          py::arg("X"), py::arg("tol") = 0.0, "Activation patterns: bit = pre-activation > tol * magnitude bound")
      .def(
          "exact_activation_pattern",
          [](const Network& net, const py::handle& X) {
            darray x = as_matrix(X, net.input_dim(), "X");
            const py::ssize_t n = x.shape(0);
            const auto& lay = net.layout();
            py::array_t<bool> res({n, static_cast<py::ssize_t>(lay.units())});
            auto* out = reinterpret_cast<std::uint8_t*>(res.mutable_data());
            {
              py::gil_scoped_release release;
              const reluregions::ExactNetwork exact(net);
              std::vector<std::uint64_t> bits(static_cast<std::size_t>(std::max(1, lay.words())));
              for (py::ssize_t r = 0; r < n; ++r) {
                exact.pattern(x.data(r, 0), lay, bits.data());
                lay.unpack(bits.data(), out + r * lay.units());
              }
            }
            return res;
          },
          py::arg("X"), "Activation patterns in exact rational arithmetic: bit = pre-activation > 0 exactly")
      .def(
          "local_affine",
          [](const Network& net, const py::handle& X) {
            darray x = as_matrix(X, net.input_dim(), "X");
            const py::ssize_t n = x.shape(0), d = net.input_dim(), o = net.output_dim();
            std::vector<double> J(static_cast<std::size_t>(n * o * d)), c(static_cast<std::size_t>(n * o));
            {
              py::gil_scoped_release release;
              for (py::ssize_t r = 0; r < n; ++r)
                net.local_affine(x.data(r, 0), J.data() + r * o * d, c.data() + r * o);
            }
            return py::make_tuple(to_numpy(std::move(J), {n, o, d}), to_numpy(std::move(c), {n, o}));
          },
          py::arg("X"), "Affine map (J, c) of the network on the region of each point")
      .def(
          "local_affine_magnitude",
          [](const Network& net, const py::handle& X) {
            darray x = as_matrix(X, net.input_dim(), "X");
            const py::ssize_t n = x.shape(0), d = net.input_dim(), o = net.output_dim();
            std::vector<double> J(static_cast<std::size_t>(n * o * d)), c(static_cast<std::size_t>(n * o)),
                E(static_cast<std::size_t>(n * o));
            {
              py::gil_scoped_release release;
              for (py::ssize_t r = 0; r < n; ++r)
                net.local_affine(x.data(r, 0), J.data() + r * o * d, c.data() + r * o, E.data() + r * o);
            }
            return py::make_tuple(to_numpy(std::move(J), {n, o, d}), to_numpy(std::move(c), {n, o}),
                                  to_numpy(std::move(E), {n, o}));
          },
          py::arg("X"), "Local maps (J, c) and the magnitude bound E of each output");
}
