// The walk over activation patterns in R^d (boxes, polytopes, all of R^d).
#include "common.hpp"
#include "walk_problem.hpp"

#include <memory>

#include <reluregions/exact.hpp>
#include <reluregions/exact_walk.hpp>
#include <reluregions/linear_merge.hpp>
#include <reluregions/polytope.hpp>
#include <reluregions/walk.hpp>

#include <thread>

namespace rr = reluregions;

namespace {

using walk_bindings::stats_dict;
using walk_bindings::walk_problem;
using walk_bindings::WalkProblem;

py::dict walk_regions(const rr::Network& original, const darray& origin, const darray& basis, const darray& plo,
                      const darray& phi, bool unit_box, const darray& xlo, const darray& xhi, const darray& A,
                      const darray& b, double r_cap, double scale, int threads, bool store, bool affine, bool rows,
                      const py::object& max_regions, const py::object& time_limit, bool partial,
                      const py::object& progress) {
  const WalkProblem prob = walk_problem(original, origin, basis, plo, phi, unit_box, xlo, xhi, A, b, r_cap, scale);
  const rr::Network& net = prob.en.net;
  const int d = prob.ed.d;
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
    try {
      stats = rr::walk(prob.en, prob.dom, prob.ed, ctl, opt, res);
    } catch (const std::overflow_error& e) {
      throw py::value_error(std::string("cannot represent the walk's values in float64: ") + e.what());
    }
  }
  py::dict out;
  out["complete"] = ctl.complete();
  out["reason"] = ctl.reason();
  out["elapsed"] = ctl.elapsed();
  out["count"] = res.count;
  out["stats"] = stats_dict(stats);
  out["threads"] = opt.threads;
  if (!store) return out;
  walk_bindings::store_arrays(out, net, d, prob.ed.iso, opt, std::move(res));
  return out;
}

using u64array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;
using i32array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;
using i64array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// Facets of the walk's regions, on the walk's exact problem (the same arguments as walk_regions).
py::dict walk_facets(const rr::Network& original, const darray& origin, const darray& basis, const darray& plo,
                     const darray& phi, bool unit_box, const darray& xlo, const darray& xhi, const darray& A,
                     const darray& b, double r_cap, double scale, const u64array& packed, const darray& witness,
                     const darray& radius, const darray& rows, const i32array& row_units, const i64array& row_offsets,
                     bool volumes, const py::object& progress) {
  const WalkProblem prob =
      walk_problem(original, origin, basis, plo, phi, unit_box, xlo, xhi, A, b, r_cap, scale, /*need_hidden=*/false);
  const rr::Network& net = prob.en.net;
  const int d = prob.ed.d;
  const py::ssize_t R = radius.shape(0), words = net.layout().words();
  if (packed.ndim() != 2 || packed.shape(0) != R || packed.shape(1) != words)
    throw py::value_error("packed patterns have the wrong shape");
  if (witness.ndim() != 2 || witness.shape(0) != R || witness.shape(1) != d)
    throw py::value_error("witness has the wrong shape");
  if (row_offsets.ndim() != 1 || row_offsets.shape(0) != R + 1)
    throw py::value_error("row_offsets must have R + 1 entries");
  const py::ssize_t K = row_units.shape(0);
  if (rows.ndim() != 2 || rows.shape(0) != K || rows.shape(1) != d + 1)
    throw py::value_error("rows have the wrong shape");
  if (row_offsets.data()[0] != 0 || row_offsets.data()[R] != K)
    throw py::value_error("row_offsets do not match the rows");
  rr::WalkStore store;
  store.count = static_cast<std::uint64_t>(R);
  store.patterns.assign(packed.data(), packed.data() + packed.size());
  store.witness.assign(witness.data(), witness.data() + witness.size());
  store.radius.assign(radius.data(), radius.data() + radius.size());
  store.rows.assign(rows.data(), rows.data() + rows.size());
  store.row_units.assign(row_units.data(), row_units.data() + row_units.size());
  store.row_offsets.assign(row_offsets.data(), row_offsets.data() + row_offsets.size());
  rr::Control ctl = make_control(py::none(), py::none(), false, progress);
  rr::FacetResult res;
  {
    py::gil_scoped_release release;
    res = rr::region_facets(net, prob.dom, store, volumes, ctl, rr::FacetExactContext{&prob.en, &prob.ed});
  }
  const auto F = static_cast<py::ssize_t>(res.units.size());
  py::dict out;
  out["facets"] = to_numpy(std::move(res.facets), {F, static_cast<py::ssize_t>(d) + 1});
  out["facet_units"] = to_numpy(std::move(res.units), {F});
  out["neighbours"] = to_numpy(std::move(res.neighbours), {F});
  out["facet_offsets"] = to_numpy(std::move(res.offsets), {R + 1});
  py::array_t<bool> bnd(R);
  for (py::ssize_t r = 0; r < R; ++r) bnd.mutable_data()[r] = res.bounded[static_cast<std::size_t>(r)] != 0;
  out["bounded"] = bnd;
  if (volumes && d <= 3) out["volume"] = to_numpy(std::move(res.volume), {R});
  return out;
}

// Neighbouring regions (pairs, by their patterns) merged when the network's output maps on them are
// exactly equal (ExactMapEquality), in input space or on a segment / plane origin + basis s.
py::array_t<std::int64_t> merge_pairs_exact(
    const rr::Network& net, const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& packed,
    const i64array& pairs, const py::object& origin, const py::object& basis, const py::object& lo,
    const py::object& hi) {
  if (pairs.ndim() != 2 || pairs.shape(1) != 2) throw py::value_error("pairs must have shape (P, 2)");
  const auto words = static_cast<py::ssize_t>(net.layout().words());
  if (packed.ndim() != 2 || packed.shape(1) != words) throw py::value_error("packed patterns have the wrong shape");
  const py::ssize_t R = packed.shape(0);
  std::unique_ptr<rr::EngineNetwork> en;
  if (origin.is_none()) {
    en = std::make_unique<rr::EngineNetwork>(net);
  } else {
    const darray o = darray::ensure(origin), B = darray::ensure(basis), a = darray::ensure(lo), b = darray::ensure(hi);
    if (!o || !B || !a || !b || B.ndim() != 2 || B.shape(0) != net.input_dim() || o.shape(0) != net.input_dim() ||
        a.shape(0) != B.shape(1) || b.shape(0) != B.shape(1))
      throw py::value_error("origin, basis, lo, hi do not describe a domain of the network's input space");
    en = std::make_unique<rr::EngineNetwork>(net, static_cast<int>(B.shape(1)), o.data(), B.data(), a.data(), b.data());
  }
  std::vector<std::int64_t> labels;
  {
    py::gil_scoped_release release;
    rr::ExactMapEquality eq(*en);
    rr::UnionFind uf(static_cast<std::size_t>(R));
    const std::int64_t* p = pairs.data();
    const std::uint64_t* pat = packed.data();
    for (py::ssize_t k = 0; k < pairs.shape(0); ++k) {
      const std::int64_t a = p[2 * k], b2 = p[2 * k + 1];
      if (a < 0 || b2 < 0 || a >= R || b2 >= R) continue;
      const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b2);
      if (uf.find(ua) == uf.find(ub)) continue;
      if (eq.equal(pat + ua * static_cast<std::size_t>(words), pat + ub * static_cast<std::size_t>(words)))
        uf.unite(ua, ub);
    }
    labels = uf.labels();
  }
  return to_numpy(std::move(labels), {R});
}

}  // namespace

void bind_walk(py::module_& m) {
  m.def("walk_regions", &walk_regions, py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("plo"),
        py::arg("phi"), py::arg("unit_box"), py::arg("xlo"), py::arg("xhi"), py::arg("A"), py::arg("b"),
        py::arg("r_cap"), py::arg("scale"), py::arg("threads"), py::arg("store"), py::arg("affine"), py::arg("rows"),
        py::arg("max_regions"), py::arg("time_limit"), py::arg("partial"), py::arg("progress"),
        "Activation regions of the network (as given) on a domain, exactly, by the pattern walk (core): "
        "x = origin + basis (plo + (phi - plo) u), u in [0, 1]^K if unit_box, xlo <= x <= xhi, A x <= b");
  m.def("walk_facets", &walk_facets, py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("plo"),
        py::arg("phi"), py::arg("unit_box"), py::arg("xlo"), py::arg("xhi"), py::arg("A"), py::arg("b"),
        py::arg("r_cap"), py::arg("scale"), py::arg("packed"), py::arg("witness"), py::arg("radius"), py::arg("rows"),
        py::arg("row_units"), py::arg("row_offsets"), py::arg("volumes"), py::arg("progress"),
        "Non-redundant facets, neighbours across them, boundedness and (d <= 3) volumes of walk regions (core)");
  m.def("merge_pairs_exact", &merge_pairs_exact, py::arg("net"), py::arg("packed"), py::arg("pairs"),
        py::arg("origin") = py::none(), py::arg("basis") = py::none(), py::arg("lo") = py::none(),
        py::arg("hi") = py::none(),
        "Labels of the union of neighbouring regions (pairs) whose output maps are exactly equal (core); on "
        "origin + basis @ s when given (segments, planes), else in input space");
}
