// Conversions between Python objects, nlohmann::json (configs, reports) and action Values.
#pragma once

#include <pybind11/pybind11.h>
#include <nlohmann/json.hpp>

#include "shoprules/value.hpp"

namespace shoprules::python {

/// A plain Python object (dict, list, str, int, float, bool, None) as JSON. Throws
/// host::ConfigError naming `origin` and the path of a value JSON can't hold.
nlohmann::json python_to_json(pybind11::handle obj, const std::string& origin);

pybind11::object json_to_python(const nlohmann::json& j);

pybind11::object value_to_python(const Value& v);

}  // namespace shoprules::python
