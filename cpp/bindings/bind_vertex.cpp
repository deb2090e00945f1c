// The low-dimension vertex engine (boxes of 3 to 6 dimensions).
#include "common.hpp"

#include <memory>
#include <string>

#include <reluregions/exact.hpp>
#include <reluregions/vertex_engine.hpp>

namespace rr = reluregions;

namespace {

template <int K>
std::uint64_t run_vertex(const rr::EngineNetwork& en, rr::Control& ctl) {
  rr::CountSink sink;
  rr::VertexEngine<K, rr::CountSink> engine(en, ctl, sink);
  engine.run();
  return engine.exact_decisions();
}

// Counts the regions of u -> net(origin + basis (lo + (hi - lo) u)) on the unit box [0, 1]^K.
py::dict count_regions_vertex(const rr::Network& net, const py::handle& origin, const py::handle& basis,
                              const py::handle& lo, const py::handle& hi, const py::object& max_regions,
                              const py::object& time_limit, bool partial, const py::object& progress) {
  const int n0 = net.input_dim();
  darray B = darray::ensure(basis), o = darray::ensure(origin), a = darray::ensure(lo), b = darray::ensure(hi);
  if (!B || B.ndim() != 2 || B.shape(0) != n0)
    throw py::value_error("basis must be a 2-D array with one row per network input");
  const auto K = static_cast<int>(B.shape(1));
  if (K < 3 || K > 6)
    throw py::value_error("the vertex engine needs a 3- to 6-dimensional domain, got " + std::to_string(K));
  if (!o || o.ndim() != 1 || o.shape(0) != n0) throw py::value_error("origin must have one entry per network input");
  if (!a || !b || a.ndim() != 1 || b.ndim() != 1 || a.shape(0) != K || b.shape(0) != K)
    throw py::value_error("lo and hi must have one entry per domain dimension");
  std::unique_ptr<rr::EngineNetwork> en;
  try {
    en = std::make_unique<rr::EngineNetwork>(net, K, o.data(), B.data(), a.data(), b.data());
  } catch (const std::overflow_error& e) {
    throw py::value_error(std::string("cannot represent the network on this domain in float64: ") + e.what());
  }
  rr::Control ctl = make_control(max_regions, time_limit, partial, progress);
  std::uint64_t exact = 0;
  {
    py::gil_scoped_release release;
    switch (K) {
      case 3:
        exact = run_vertex<3>(*en, ctl);
        break;
      case 4:
        exact = run_vertex<4>(*en, ctl);
        break;
      case 5:
        exact = run_vertex<5>(*en, ctl);
        break;
      default:
        exact = run_vertex<6>(*en, ctl);
    }
  }
  py::dict d;
  d["complete"] = ctl.complete();
  d["reason"] = ctl.reason();
  d["elapsed"] = ctl.elapsed();
  d["count"] = ctl.regions();
  d["exact_decisions"] = exact;
  return d;
}

}  // namespace

void bind_vertex(py::module_& m) {
  m.def("count_regions_vertex", &count_regions_vertex, py::arg("net"), py::arg("origin"), py::arg("basis"),
        py::arg("lo"), py::arg("hi"), py::arg("max_regions") = py::none(), py::arg("time_limit") = py::none(),
        py::arg("partial") = false, py::arg("progress") = py::none());
}
