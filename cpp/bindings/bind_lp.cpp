// The LP kernel (exposed for property tests against SciPy).
#include "common.hpp"

#include <reluregions/lp.hpp>

#include <limits>

namespace rr = reluregions;

namespace {

// A 1-D float64 view with n entries; raises ValueError naming `what`.
darray as_vector(const py::handle& a, int n, const char* what) {
  darray arr = darray::ensure(a);
  if (!arr) throw py::type_error(std::string(what) + " must be a numeric array");
  if (arr.ndim() != 1 || arr.shape(0) != n)
    throw py::value_error(std::string(what) + " must have shape (" + std::to_string(n) + ",)");
  return arr;
}

py::tuple result(rr::LPStatus st, std::vector<double>&& x, double value) {
  const auto n = static_cast<py::ssize_t>(x.size());
  if (st != rr::LPStatus::optimal) return py::make_tuple(rr::lp_status_name(st), py::none(), py::none());
  return py::make_tuple(rr::lp_status_name(st), to_numpy(std::move(x), {n}), value);
}

}  // namespace

void bind_lp(py::module_& m) {
  py::class_<rr::LPSolver>(m, "LPSolver",
                           "Dense warm-started simplex for max/min c.x s.t. lo <= x <= hi, a_i.x <= b_i (core)")
      .def(py::init([](int n) {
             if (n < 1) throw py::value_error("LPSolver needs n >= 1 variables");
             return rr::LPSolver(n);
           }),
           py::arg("n"))
      .def_property_readonly("n", &rr::LPSolver::n)
      .def_property_readonly("rows", &rr::LPSolver::rows, "Number of rows")
      .def_property_readonly("pivots", &rr::LPSolver::pivots, "Pivots since construction or reset_stats()")
      .def("reset_stats", &rr::LPSolver::reset_stats)
      .def(
          "set_bounds",
          [](rr::LPSolver& lp, const py::handle& lo, const py::handle& hi) {
            darray l = as_vector(lo, lp.n(), "lo"), h = as_vector(hi, lp.n(), "hi");
            lp.set_bounds(l.data(), h.data());
          },
          py::arg("lo"), py::arg("hi"), "Variable bounds (+-inf allowed)")
      .def(
          "add_row",
          [](rr::LPSolver& lp, const py::handle& a, double b) {
            darray v = as_vector(a, lp.n(), "a");
            return lp.add_row(v.data(), b);
          },
          py::arg("a"), py::arg("b"), "Adds the row a.x <= b; returns its index")
      .def(
          "truncate",
          [](rr::LPSolver& lp, int k) {
            if (k < 0 || k > lp.rows())
              throw py::value_error("truncate: k must be in [0, " + std::to_string(lp.rows()) + "]");
            lp.truncate(k);
          },
          py::arg("k"), "Removes the rows >= k (keeps the warm start)")
      .def("reserve", &rr::LPSolver::reserve, py::arg("rows"))
      .def("set_iteration_limit", &rr::LPSolver::set_iteration_limit, py::arg("limit"),
           "Pivots per solve before 'iteration_limit'; 0: automatic")
      .def(
          "maximize",
          [](rr::LPSolver& lp, const py::handle& c) {
            darray v = as_vector(c, lp.n(), "c");
            std::vector<double> x(static_cast<std::size_t>(lp.n()));
            double value = 0.0;
            const rr::LPStatus st = lp.maximize(v.data(), x.data(), &value);
            return result(st, std::move(x), value);
          },
          py::arg("c"), "(status, x, value); x and value are None unless status == 'optimal'")
      .def(
          "minimize",
          [](rr::LPSolver& lp, const py::handle& c) {
            darray v = as_vector(c, lp.n(), "c");
            std::vector<double> x(static_cast<std::size_t>(lp.n()));
            double value = 0.0;
            const rr::LPStatus st = lp.minimize(v.data(), x.data(), &value);
            return result(st, std::move(x), value);
          },
          py::arg("c"), "(status, x, value); x and value are None unless status == 'optimal'")
      .def(
          "chebyshev",
          [](rr::LPSolver& lp, double r_cap) {
            if (!(r_cap >= 0.0)) throw py::value_error("r_cap must be >= 0");
            std::vector<double> x(static_cast<std::size_t>(lp.n()));
            double r = 0.0;
            const rr::LPStatus st = lp.chebyshev(r_cap, x.data(), &r);
            return result(st, std::move(x), r);
          },
          py::arg("r_cap") = std::numeric_limits<double>::infinity(),
          "Chebyshev centre: (status, x, r) maximizing r with 0 <= r <= r_cap");
}
