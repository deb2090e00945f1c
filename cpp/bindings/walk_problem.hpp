// The walk's problem as the bindings build it (shared by bind_walk.cpp and bind_walk_tasks.cpp).
#pragma once
#include "common.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include <reluregions/exact.hpp>
#include <reluregions/exact_walk.hpp>
#include <reluregions/walk.hpp>

namespace walk_bindings {

namespace rr = reluregions;

inline py::dict stats_dict(const rr::WalkStats& s) {
  py::dict d;
  d["nodes"] = s.nodes;
  d["splits"] = s.splits;
  d["zero"] = s.zero;
  d["by_box"] = s.by_box;
  d["by_points"] = s.by_points;
  d["by_row"] = s.by_row;
  d["lps"] = s.lps;
  d["box_lps"] = s.box_lps;
  d["chebyshev"] = s.chebyshev;
  d["inherited"] = s.inherited;
  d["pivots"] = s.pivots;
  d["exact_decisions"] = s.exact_decisions;
  d["exact_pivots"] = s.exact_pivots;
  d["thin"] = s.thin;
  return d;
}

// The walk's problem, exactly: x = origin + basis (plo + (phi - plo) u), u in [0, 1]^K when `unit_box`,
// the input box xlo <= x <= xhi and rows A x <= b. `scale` > 0: an input-space frame (basis = scale I,
// plo = 0, phi = 1), whose witnesses are certified as input-space doubles.
struct WalkProblem {
  rr::EngineNetwork en;
  rr::ExactWalkDomain ed;
  rr::WalkDomain dom;
};

inline WalkProblem walk_problem(const rr::Network& net, const darray& origin, const darray& basis, const darray& plo,
                                const darray& phi, bool unit_box, const darray& xlo, const darray& xhi, const darray& A,
                                const darray& b, double r_cap, double scale, bool need_hidden = true) {
  const int n0 = net.input_dim();
  if (basis.ndim() != 2 || basis.shape(0) != n0) throw py::value_error("basis must have shape (inputs, K)");
  const auto K = static_cast<int>(basis.shape(1));
  if (K < 1) throw py::value_error("the walk needs a domain of dimension >= 1");
  if (origin.ndim() != 1 || origin.shape(0) != n0) throw py::value_error("origin must have one entry per input");
  if (plo.ndim() != 1 || plo.shape(0) != K || phi.ndim() != 1 || phi.shape(0) != K)
    throw py::value_error("plo and phi must have one entry per domain dimension");
  if (xlo.ndim() != 1 || xlo.shape(0) != n0 || xhi.ndim() != 1 || xhi.shape(0) != n0)
    throw py::value_error("xlo and xhi must have one entry per input");
  if (A.ndim() != 2 || A.shape(1) != n0 || b.ndim() != 1 || b.shape(0) != A.shape(0))
    throw py::value_error("A must have shape (m, inputs) and b shape (m,)");
  if (need_hidden && net.num_hidden_layers() < 1)
    throw py::value_error("the walk needs a network with at least one hidden layer");
  try {
    rr::EngineNetwork en = rr::make_engine_network(net, K, origin.data(), basis.data(), plo.data(), phi.data());
    rr::ExactWalkDomain ed =
        rr::make_exact_walk_domain(n0, K, origin.data(), basis.data(), plo.data(), phi.data(), unit_box, xlo.data(),
                                   xhi.data(), A.data(), b.data(), static_cast<int>(A.shape(0)));
    if (scale > 0) {
      if (K != n0) throw py::value_error("an input-space frame needs K = inputs");
      ed.iso = true;
      ed.origin.assign(origin.data(), origin.data() + n0);
      ed.scale = scale;
    }
    rr::WalkDomain dom = rr::float_walk_domain(ed, r_cap);
    return WalkProblem{std::move(en), std::move(ed), std::move(dom)};
  } catch (const std::overflow_error& e) {
    throw py::value_error(std::string("cannot represent the network on this domain in float64: ") + e.what());
  }
}

// The regions of `res` as NumPy arrays in `out` (patterns unpacked and packed, witnesses, radii, thin,
// and the affine maps and split rows when `opt` asked for them).
inline void store_arrays(py::dict& out, const rr::Network& net, int d, bool iso, const rr::WalkOptions& opt,
                         rr::WalkStore&& res) {
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
  if (iso) out["witness_x"] = to_numpy(std::move(res.witness_x), {R, static_cast<py::ssize_t>(d)});
  py::array_t<bool> thin(R);
  for (py::ssize_t r = 0; r < R; ++r) thin.mutable_data()[r] = res.thin[static_cast<std::size_t>(r)] != 0;
  out["thin"] = thin;
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
}

}  // namespace walk_bindings
