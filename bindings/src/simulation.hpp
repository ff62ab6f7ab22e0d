// shoprules._core.Simulation and the Arrow schema check, bound in their own file.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>

#include "shoprules/host/simulate.hpp"

namespace shoprules::python {

/// A `threads` argument as the host takes it: 0 (every core) to kMaxThreads, else ValueError.
unsigned thread_count(int threads);

/// A replay's options from its Python arguments: `progress` True draws a bar on stderr; a
/// callable is called as progress(done_bytes, total_bytes, lines) with the GIL taken for it, and
/// an exception it raises cancels the replay and leaves the call that was replaying.
host::SimulationOptions simulation_options(int threads, const pybind11::object& progress,
                                           std::int64_t label_cost, std::int64_t pickup_cost,
                                           std::int64_t upgrade_cost);

/// Adds Simulation, check_arrow_schema and EventLogError (a subclass of `error`) to `m`.
void bind_simulation(pybind11::module_& m, const pybind11::object& error);

}  // namespace shoprules::python
