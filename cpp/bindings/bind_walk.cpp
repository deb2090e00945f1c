// The walk over activation patterns in R^d (boxes, polytopes, all of R^d).
#include "common.hpp"

#include <reluregions/walk.hpp>

#include <thread>

namespace rr = reluregions;

namespace {

rr::WalkDomain make_domain(int d, const darray& lo, const darray& hi, const darray& A, const darray& b, double r_cap) {
  if (lo.ndim() != 1 || lo.shape(0) != d || hi.ndim() != 1 || hi.shape(0) != d)
    throw py::value_error("lo and hi must have shape (" + std::to_string(d) + ",)");
  if (A.ndim() != 2 || A.shape(1) != d || b.ndim() != 1 || b.shape(0) != A.shape(0))
    throw py::value_error("A must have shape (m, " + std::to_string(d) + ") and b shape (m,)");
  rr::WalkDomain dom;
  dom.d = d;
  dom.lo.assign(lo.data(), lo.data() + d);
  dom.hi.assign(hi.data(), hi.data() + d);
  dom.A.assign(A.data(), A.data() + A.size());
  dom.b.assign(b.data(), b.data() + b.size());
  dom.r_cap = r_cap;
  return dom;
}

py::dict stats_dict(const rr::WalkStats& s) {
  py::dict d;
  d["nodes"] = s.nodes;
  d["splits"] = s.splits;
  d["zero"] = s.zero;
  d["by_box"] = s.by_box;
  d["by_points"] = s.by_points;
  d["lps"] = s.lps;
  d["box_lps"] = s.box_lps;
  d["chebyshev"] = s.chebyshev;
  d["pivots"] = s.pivots;
  return d;
}

py::dict walk_regions(const rr::Network& net, const darray& lo, const darray& hi, const darray& A, const darray& b,
                      double r_cap, int threads, bool store, bool affine, bool rows, const py::object& max_regions,
                      const py::object& time_limit, bool partial, const py::object& progress) {
  const int d = net.input_dim();
  rr::WalkDomain dom = make_domain(d, lo, hi, A, b, r_cap);
  if (net.num_hidden_layers() < 1) throw py::value_error("the walk needs a network with at least one hidden layer");
  rr::WalkOptions opt;
  opt.threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  opt.store = store;
  opt.affine = affine && store;
  opt.rows = rows && store;
  rr::Control ctl = make_control(max_regions, time_limit, partial, progress);
  rr::WalkStore res;
  rr::WalkStats stats;
  {
    py::gil_scoped_release release;
    stats = rr::walk(net, dom, ctl, opt, res);
  }
  py::dict out;
  out["complete"] = ctl.complete();
  out["reason"] = ctl.reason();
  out["elapsed"] = ctl.elapsed();
  out["count"] = res.count;
  out["stats"] = stats_dict(stats);
  out["threads"] = opt.threads;
  if (!store) return out;
  const auto& lay = net.layout();
  const auto R = static_cast<py::ssize_t>(res.count);
  const py::ssize_t units = lay.units(), words = lay.words(), no = net.output_dim();
  py::array_t<bool> patterns({R, units});
  {
    auto* dst = reinterpret_cast<std::uint8_t*>(patterns.mutable_data());
    py::gil_scoped_release release;
    for (py::ssize_t r = 0; r < R; ++r) lay.unpack(res.patterns.data() + r * words, dst + r * units);
  }
  out["patterns"] = patterns;
  out["packed"] = to_numpy(std::move(res.patterns), {R, words});
  out["witness"] = to_numpy(std::move(res.witness), {R, static_cast<py::ssize_t>(d)});
  out["radius"] = to_numpy(std::move(res.radius), {R});
  if (opt.affine) {
    out["A"] = to_numpy(std::move(res.A), {R, no, static_cast<py::ssize_t>(d)});
    out["c"] = to_numpy(std::move(res.c), {R, no});
    out["E"] = to_numpy(std::move(res.E), {R, no});
  }
  if (opt.rows) {
    const auto K = static_cast<py::ssize_t>(res.row_units.size());
    out["rows"] = to_numpy(std::move(res.rows), {K, static_cast<py::ssize_t>(d) + 1});
    out["row_units"] = to_numpy(std::move(res.row_units), {K});
    out["row_offsets"] = to_numpy(std::move(res.row_offsets), {R + 1});
  }
  return out;
}

}  // namespace

void bind_walk(py::module_& m) {
  m.def("walk_regions", &walk_regions, py::arg("net"), py::arg("lo"), py::arg("hi"), py::arg("A"), py::arg("b"),
        py::arg("r_cap"), py::arg("threads"), py::arg("store"), py::arg("affine"), py::arg("rows"),
        py::arg("max_regions"), py::arg("time_limit"), py::arg("partial"), py::arg("progress"),
        "Activation regions of a network on {lo <= u <= hi, A u <= b} by the pattern walk (core)");
}
