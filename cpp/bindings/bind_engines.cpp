// The 1-D and 2-D engines and linear-region merging.
#include "common.hpp"

#include <memory>

#include <reluregions/analysis.hpp>
#include <reluregions/exact.hpp>
#include <reluregions/interval_engine.hpp>
#include <reluregions/linear_merge.hpp>
#include <reluregions/polygon_engine.hpp>

namespace rr = reluregions;

namespace {

// Runs the engine of the domain's dimension; returns the number of exact (fallback) decisions.
template <class Sink>
std::uint64_t run_engine(const rr::EngineNetwork& en, rr::Control& ctl, Sink& sink) {
  py::gil_scoped_release release;
  if (en.net.input_dim() == 1) {
    rr::IntervalEngine<Sink> engine(en, ctl, sink);
    engine.run();
    return engine.exact_decisions();
  }
  rr::PolygonEngine<Sink> engine(en, ctl, sink);
  engine.run();
  return engine.exact_decisions();
}

// The network of u -> net(origin + basis (lo + (hi - lo) u)) on the unit interval or square, folded and
// rescaled exactly (see exact.hpp).
rr::EngineNetwork engine_network(const rr::Network& net, const py::handle& origin, const py::handle& basis,
                                 const py::handle& lo, const py::handle& hi) {
  const int n0 = net.input_dim();
  darray B = darray::ensure(basis);
  if (!B || B.ndim() != 2) throw py::value_error("basis must be a 2-D array (inputs x domain dimensions)");
  const auto K = static_cast<int>(B.shape(1));
  if (K != 1 && K != 2) throw py::value_error("the interval and polygon engines need a 1- or 2-dimensional domain");
  if (B.shape(0) != n0) throw py::value_error("basis must have one row per network input");
  darray o = darray::ensure(origin), a = darray::ensure(lo), b = darray::ensure(hi);
  if (!o || o.ndim() != 1 || o.shape(0) != n0) throw py::value_error("origin must have one entry per network input");
  if (!a || !b || a.ndim() != 1 || b.ndim() != 1 || a.shape(0) != K || b.shape(0) != K)
    throw py::value_error("lo and hi must have one entry per domain dimension");
  try {
    return rr::make_engine_network(net, K, o.data(), B.data(), a.data(), b.data());
  } catch (const std::overflow_error& e) {
    throw py::value_error(std::string("cannot represent the network on this domain in float64: ") + e.what());
  }
}

py::dict status(const rr::Control& ctl) {
  py::dict d;
  d["complete"] = ctl.complete();
  d["reason"] = ctl.reason();
  d["elapsed"] = ctl.elapsed();
  return d;
}

py::dict count_regions(const rr::Network& original, const py::handle& origin, const py::handle& basis,
                       const py::handle& lo, const py::handle& hi, const py::object& max_regions,
                       const py::object& time_limit, bool partial, const py::object& progress) {
  const rr::EngineNetwork en = engine_network(original, origin, basis, lo, hi);
  rr::Control ctl = make_control(max_regions, time_limit, partial, progress);
  rr::CountSink sink;
  const std::uint64_t exact = run_engine(en, ctl, sink);
  py::dict d = status(ctl);
  d["count"] = ctl.regions();
  d["exact_decisions"] = exact;
  return d;
}

py::dict enumerate_regions(const rr::Network& original, const py::handle& origin, const py::handle& basis,
                           const py::handle& lo, const py::handle& hi, bool affine, const py::object& max_regions,
                           const py::object& time_limit, bool partial, const py::object& progress) {
  const rr::EngineNetwork en = engine_network(original, origin, basis, lo, hi);
  for (std::size_t k = 0; k < en.span.size(); ++k)
    if (!std::isfinite(en.span[k]))
      throw py::value_error("the domain's extent hi - lo overflows float64 in coordinate " + std::to_string(k) +
                            ": regions() cannot report coordinates (count() works)");
  const rr::Network& net = en.net;
  const int dim = net.input_dim();
  const auto& lay = net.layout();
  rr::Control ctl = make_control(max_regions, time_limit, partial, progress);
  rr::RegionStore store(dim, lay.words(), net.output_dim(), affine);
  const std::uint64_t exact = run_engine(en, ctl, store);

  const auto R = static_cast<py::ssize_t>(store.size());
  const py::ssize_t out = net.output_dim(), words = lay.words();
  py::dict d = status(ctl);  // patterns packed only (Python unpacks them on first use)
  d["count"] = static_cast<std::uint64_t>(R);
  d["exact_decisions"] = exact;
  d["packed"] = to_numpy(std::move(store.patterns), {R, words});
  d["witness"] = to_numpy(std::move(store.witness), {R, dim});
  d["measure"] = to_numpy(std::move(store.measure), {R});
  d["thin"] = to_numpy(std::move(store.thin), {R});
  d["witness_coords"] = to_numpy(std::move(store.witness_coords), {R, dim});
  if (dim == 1) {
    d["intervals"] = to_numpy(std::move(store.intervals), {R, 2});
  } else {
    const auto V = static_cast<py::ssize_t>(store.edge_units.size());
    d["vertices"] = to_numpy(std::move(store.vertices), {V, 2});
    d["offsets"] = to_numpy(std::move(store.offsets), {R + 1});
    d["edge_units"] = to_numpy(std::move(store.edge_units), {V});
  }
  if (affine) {
    d["A"] = to_numpy(std::move(store.A), {R, out, dim});
    d["c"] = to_numpy(std::move(store.c), {R, out});
    d["E"] = to_numpy(std::move(store.E), {R, out});
  }
  return d;
}

using packed_array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// Exact linear regions of the interval engine's regions (left to right), from their patterns.
py::array_t<std::int64_t> merge_1d_exact(const rr::Network& original, const py::handle& origin, const py::handle& basis,
                                         const py::handle& lo, const py::handle& hi, const packed_array& packed) {
  const rr::EngineNetwork en = engine_network(original, origin, basis, lo, hi);
  const auto words = static_cast<py::ssize_t>(en.net.layout().words());
  if (packed.ndim() != 2 || packed.shape(1) != words) throw py::value_error("packed patterns have the wrong shape");
  const auto R = static_cast<std::size_t>(packed.shape(0));
  std::vector<std::int64_t> labels;
  {
    py::gil_scoped_release release;
    labels = rr::merge_linear_1d_exact(en, R, packed.data());
  }
  return to_numpy(std::move(labels), {static_cast<py::ssize_t>(R)});
}

py::array_t<std::int64_t> merge_2d(
    const rr::Network& net, const packed_array& packed, const darray& vertices,
    const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& offsets,
    const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& edge_units, const darray& witness,
    const rr::Network& original, const py::handle& origin, const py::handle& basis, const py::handle& lo,
    const py::handle& hi, const py::object& progress) {
  if (net.input_dim() != 2) throw py::value_error("merge_linear_2d needs the folded 2-input network");
  const py::ssize_t R = witness.shape(0);
  const auto words = static_cast<py::ssize_t>(net.layout().words());
  if (packed.ndim() != 2 || packed.shape(0) != R || packed.shape(1) != words)
    throw py::value_error("packed patterns have the wrong shape");
  if (offsets.ndim() != 1 || offsets.shape(0) != R + 1) throw py::value_error("offsets must have R + 1 entries");
  const py::ssize_t V = edge_units.shape(0);
  if (vertices.ndim() != 2 || vertices.shape(0) != V || vertices.shape(1) != 2)
    throw py::value_error("vertices must have shape (V, 2)");
  const auto* off = offsets.data();
  if (off[0] != 0 || off[R] != V) throw py::value_error("offsets do not match the vertices");
  for (py::ssize_t r = 0; r < R; ++r)
    if (off[r + 1] - off[r] < 3) throw py::value_error("every polygon needs at least 3 vertices");
  rr::Control ctl = make_control(py::none(), py::none(), false, progress);
  std::vector<std::int64_t> labels;
  // map equality decided exactly on the engine network of this domain
  const rr::EngineNetwork en = engine_network(original, origin, basis, lo, hi);
  rr::ExactMapEquality exact(en);
  {
    py::gil_scoped_release release;
    labels = rr::merge_linear_2d(net, static_cast<std::size_t>(R), packed.data(), vertices.data(), off,
                                 edge_units.data(), witness.data(), ctl, exact);
  }
  return to_numpy(std::move(labels), {R});
}

py::array_t<std::int64_t> locate(const rr::Network& net,
                                 const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& packed,
                                 const py::handle& X) {
  const auto words = static_cast<py::ssize_t>(net.layout().words());
  if (packed.ndim() != 2 || packed.shape(1) != words) throw py::value_error("packed patterns have the wrong shape");
  darray x = as_matrix(X, net.input_dim(), "X");
  const py::ssize_t n = x.shape(0);
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  {
    py::gil_scoped_release release;
    rr::PatternIndex index(packed.data(), static_cast<std::size_t>(packed.shape(0)), static_cast<int>(words));
    // Exact signs (a float pass with a rigorous bound, rationals when it cannot settle one): a point on
    // a unit's boundary (an exactly zero pre-activation of a unit not identically zero) is in no region.
    rr::SharedExact exact(net);
    rr::PointAnalyzer pa(net, [&exact]() -> const rr::ExactNetwork& { return exact.get(); });
    const auto& lay = net.layout();
    for (py::ssize_t r = 0; r < n; ++r) {
      pa.signs(x.data(r, 0));
      bool boundary = false;
      for (int l = 0; l < lay.layers() && !boundary; ++l)
        for (int i = 0; i < lay.width(l) && !boundary; ++i)
          boundary = pa.sign()[static_cast<std::size_t>(lay.unit_offset(l) + i)] == 0 && !net.is_linear(l, i) &&
                     !pa.identically_zero(l, i);
      idx[static_cast<std::size_t>(r)] = boundary ? -1 : index.find(pa.bits());
    }
  }
  return to_numpy(std::move(idx), {n});
}

}  // namespace

void bind_engines(py::module_& m) {
  m.def("count_regions", &count_regions, py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("lo"),
        py::arg("hi"), py::arg("max_regions") = py::none(), py::arg("time_limit") = py::none(),
        py::arg("partial") = false, py::arg("progress") = py::none(),
        "Count the regions of net on the segment or rectangle origin + basis @ s, lo <= s <= hi (exact decisions)");
  m.def(
      "enumerate_regions", &enumerate_regions, py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("lo"),
      py::arg("hi"), py::arg("affine") = false, py::arg("max_regions") = py::none(), py::arg("time_limit") = py::none(),
      py::arg("partial") = false, py::arg("progress") = py::none(),
      "Enumerate the regions of net on the segment or rectangle origin + basis @ s, lo <= s <= hi (unit coordinates)");
  m.def("merge_linear_2d", &merge_2d, py::arg("net"), py::arg("packed"), py::arg("vertices"), py::arg("offsets"),
        py::arg("edge_units"), py::arg("witness"), py::arg("original"), py::arg("origin"), py::arg("basis"),
        py::arg("lo"), py::arg("hi"), py::arg("progress") = py::none(),
        "Linear-region labels of 2-D regions: neighbours whose output maps are exactly equal (on the original "
        "network and the domain's parametrization) merge");
  m.def("merge_linear_1d_exact", &merge_1d_exact, py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("lo"),
        py::arg("hi"), py::arg("packed"),
        "Linear-region labels of the interval engine's regions, map equality decided exactly");
  m.def("locate", &locate, py::arg("net"), py::arg("packed"), py::arg("X"),
        "Index of the region (by pattern) of each point, -1 if none");
}
