// Helpers shared by the binding files.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include <reluregions/control.hpp>

namespace py = pybind11;

using darray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Moves a vector into a NumPy array without copying (the array owns the vector).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
  if (v.capacity() == 0) v.reserve(1);  // a non-null data pointer even when empty
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, heap->data(), owner);
}

// A 2-D C-contiguous float64 view of `a` with `cols` columns; raises ValueError naming `what`.
inline darray as_matrix(const py::handle& a, py::ssize_t cols, const char* what) {
  darray arr = darray::ensure(a);
  if (!arr) throw py::type_error(std::string(what) + " must be a numeric array");
  if (arr.ndim() != 2 || arr.shape(1) != cols)
    throw py::value_error(std::string(what) + " must have shape (n, " + std::to_string(cols) + ")");
  return arr;
}

// Limits and the poll callback: Ctrl-C (and errors raised by the progress callback) cancel the run.
inline reluregions::Control make_control(const py::object& max_regions, const py::object& time_limit, bool partial,
                                         const py::object& progress) {
  reluregions::Limits lim;
  if (!max_regions.is_none()) lim.max_regions = max_regions.cast<std::uint64_t>();
  if (!time_limit.is_none()) lim.time_limit = time_limit.cast<double>();
  lim.partial = partial;
  reluregions::Control::Poll poll = [progress](const reluregions::Progress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(p.regions, p.open_nodes, p.elapsed);
  };
  return reluregions::Control(lim, std::move(poll), 0.1);
}

void bind_network(py::module_& m);
void bind_engines(py::module_& m);
void bind_lp(py::module_& m);
void bind_walk(py::module_& m);
void bind_walk_tasks(py::module_& m);
void bind_analysis(py::module_& m);
void bind_vertex(py::module_& m);
