// shoprules._core.Simulation and the Arrow schema check, bound in their own file.
#pragma once

#include <pybind11/pybind11.h>

namespace shoprules::python {

/// Adds Simulation, check_arrow_schema and EventLogError (a subclass of `error`) to `m`.
void bind_simulation(pybind11::module_& m, const pybind11::object& error);

}  // namespace shoprules::python
