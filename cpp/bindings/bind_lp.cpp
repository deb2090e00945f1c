// The LP kernel (exposed for property tests against SciPy).
#include "common.hpp"

void bind_lp(py::module_& m) { (void)m; }
