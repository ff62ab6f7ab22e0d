// Walks Python containers and JSON trees; no JSON text on the way.
#include "py_json.hpp"

#include "shoprules/host/errors.hpp"
#include "shoprules/host/limits.hpp"

namespace py = pybind11;

namespace shoprules::python {
namespace {

nlohmann::json to_json(py::handle obj, const std::string& origin, const std::string& path,
                       std::size_t& budget) {
  auto fail = [&](const std::string& problem) -> nlohmann::json {
    throw host::ConfigError(origin + ": " + (path.empty() ? "" : path + ": ") + problem);
  };
  if (budget-- == 0)
    return fail("the config holds more than " + std::to_string(host::kMaxConfigValues) + " values");
  if (obj.is_none()) return nullptr;
  if (PyBool_Check(obj.ptr())) return obj.ptr() == Py_True;
  if (PyLong_Check(obj.ptr())) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (overflow) return fail("integer out of range");
    return v;
  }
  if (PyFloat_Check(obj.ptr())) return PyFloat_AS_DOUBLE(obj.ptr());
  if (PyUnicode_Check(obj.ptr())) return obj.cast<std::string>();
  if (PyDict_Check(obj.ptr())) {
    nlohmann::json out = nlohmann::json::object();
    for (auto item : py::reinterpret_borrow<py::dict>(obj)) {
      if (!PyUnicode_Check(item.first.ptr()))
        return fail("keys must be strings, got " + py::repr(item.first).cast<std::string>());
      auto key = item.first.cast<std::string>();
      out[key] = to_json(item.second, origin, path.empty() ? key : path + "." + key, budget);
    }
    return out;
  }
  if (PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr())) {
    nlohmann::json out = nlohmann::json::array();
    std::size_t i = 0;
    for (auto item : obj) {
      out.push_back(to_json(item, origin, path + "[" + std::to_string(i) + "]", budget));
      ++i;
    }
    return out;
  }
  return fail(std::string("expected a JSON value, got a ") + Py_TYPE(obj.ptr())->tp_name);
}

}  // namespace

nlohmann::json python_to_json(py::handle obj, const std::string& origin) {
  std::size_t budget = host::kMaxConfigValues;
  return to_json(obj, origin, "", budget);
}

py::object json_to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(j.get<double>());
    case nlohmann::json::value_t::string:
      return py::str(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list out(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) out[i] = json_to_python(j[i]);
      return out;
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (const auto& [key, value] : j.items()) out[py::str(key)] = json_to_python(value);
      return out;
    }
    default:
      return py::none();
  }
}

py::object value_to_python(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      return py::none();
    case Value::Kind::Bool:
      return py::bool_(v.as_bool());
    case Value::Kind::Int:
      return py::int_(v.as_int());
    case Value::Kind::Number:
      return py::float_(v.as_number());
    case Value::Kind::String:
      return py::str(v.as_string());
    case Value::Kind::List: {
      py::list out(v.items().size());
      for (std::size_t i = 0; i < v.items().size(); ++i) out[i] = value_to_python(v.items()[i]);
      return out;
    }
    case Value::Kind::Object: {
      py::dict out;
      for (const Member& m : v.members()) out[py::str(m.key)] = value_to_python(m.value);
      return out;
    }
  }
  return py::none();
}

}  // namespace shoprules::python
