// The walk as serialisable tasks (walk_tasks.hpp), for executors in other processes and machines.
#include "common.hpp"
#include "walk_problem.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <reluregions/walk_tasks.hpp>

namespace rr = reluregions;

namespace {

// A walk problem that expands tasks; built once per process from the same arguments as walk_regions.
class WalkTasks {
 public:
  WalkTasks(const rr::Network& net, const darray& origin, const darray& basis, const darray& plo, const darray& phi,
            bool unit_box, const darray& xlo, const darray& xhi, const darray& A, const darray& b, double r_cap,
            double scale) {
    walk_bindings::WalkProblem prob =
        walk_bindings::walk_problem(net, origin, basis, plo, phi, unit_box, xlo, xhi, A, b, r_cap, scale);
    runner_ = std::make_unique<rr::WalkTaskRunner>(std::move(prob.en), std::move(prob.ed), std::move(prob.dom));
  }

  // The task's regions (the root's for empty bytes), its statistics, its new tasks (bytes) and `order`:
  // -1 for the next region, k >= 0 for subtasks[k], in depth-first order.
  py::dict expand(const py::bytes& task, bool store, bool affine, bool rows, std::uint64_t work_budget) const {
    const std::string_view view(task);
    rr::WalkOptions opt;
    opt.store = store;
    opt.affine = affine && store;
    opt.rows = rows && store;
    rr::TaskResult res;
    std::vector<std::vector<std::uint8_t>> sub;
    {
      py::gil_scoped_release release;
      try {
        if (view.empty()) {
          res = runner_->expand(nullptr, opt, work_budget);
        } else {
          const rr::WalkTask t = runner_->parse(reinterpret_cast<const std::uint8_t*>(view.data()), view.size());
          res = runner_->expand(&t, opt, work_budget);
        }
      } catch (const std::overflow_error& e) {
        throw py::value_error(std::string("cannot represent the walk's values in float64: ") + e.what());
      }
      sub.reserve(res.subtasks.size());
      for (const rr::WalkTask& t : res.subtasks) sub.push_back(rr::serialize_task(t));
    }
    py::dict out;
    out["count"] = res.store.count;
    out["stats"] = walk_bindings::stats_dict(res.stats);
    const auto n_order = static_cast<py::ssize_t>(res.order.size());
    out["order"] = to_numpy(std::move(res.order), {n_order});
    py::list subtasks;
    for (const auto& s : sub) subtasks.append(py::bytes(reinterpret_cast<const char*>(s.data()), s.size()));
    out["subtasks"] = subtasks;
    if (store)
      walk_bindings::store_arrays(out, runner_->engine_network().net, runner_->dim(), runner_->exact_domain().iso, opt,
                                  std::move(res.store));
    return out;
  }

 private:
  std::unique_ptr<rr::WalkTaskRunner> runner_;
};

}  // namespace

void bind_walk_tasks(py::module_& m) {
  py::class_<WalkTasks>(m, "WalkTasks",
                        "The walk's problem (as walk_regions takes it) expanding serialised tasks (core)")
      .def(py::init<const rr::Network&, const darray&, const darray&, const darray&, const darray&, bool, const darray&,
                    const darray&, const darray&, const darray&, double, double>(),
           py::arg("net"), py::arg("origin"), py::arg("basis"), py::arg("plo"), py::arg("phi"), py::arg("unit_box"),
           py::arg("xlo"), py::arg("xhi"), py::arg("A"), py::arg("b"), py::arg("r_cap"), py::arg("scale"))
      .def("expand", &WalkTasks::expand, py::arg("task"), py::arg("store"), py::arg("affine"), py::arg("rows"),
           py::arg("work_budget"),
           "Expand a task (b'' for the root): its regions, statistics, new tasks and their depth-first order");
}
