// The private compiled module of reluregions.
#include "common.hpp"

#include <reluregions/tolerances.hpp>

PYBIND11_MODULE(_core, m) {
  m.doc() = "reluregions core (private; use the reluregions package)";
  py::register_exception<reluregions::LimitExceeded>(m, "LimitExceeded", PyExc_RuntimeError);
  m.attr("ZERO_TOL") = reluregions::tol::zero;
  m.attr("GEOMETRY_TOL") = reluregions::tol::geometry;
  m.attr("LINEAR_TOL") = reluregions::tol::linear;
  m.attr("WALK_MARGIN") = 0.0;  // no longer a margin: the walk decides splits exactly (kept for compatibility)
  bind_network(m);
  bind_engines(m);
  bind_lp(m);
  bind_walk(m);
  bind_walk_tasks(m);
  bind_analysis(m);
  bind_vertex(m);
}
