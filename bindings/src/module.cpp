// shoprules._core: Host, Decision, Action and the exception classes, as SPEC section 1 names them.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "py_event.hpp"
#include "py_json.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/host.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/simulate.hpp"
#include "shoprules/host/time.hpp"
#include "shoprules/money.hpp"
#include "shoprules/plugin.hpp"
#include "simulation.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using shoprules::host::Decision;

namespace shoprules::python {
namespace {

struct Exceptions {
  py::object error, invalid_event, config_error, plugin_load_error, rule_error;
};
Exceptions* g_exc = nullptr;  // created at import, kept for the life of the process

py::object new_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  std::string qualified = std::string("shoprules.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!type) throw py::error_already_set();
  auto obj = py::reinterpret_steal<py::object>(type);
  m.attr(name) = obj;
  return obj;
}

void raise(const py::object& type, const std::string& message,
           std::initializer_list<std::pair<const char*, std::string>> attrs = {}) {
  py::object exc = type(message);
  for (const auto& [name, value] : attrs) exc.attr(name) = value;
  PyErr_SetObject(type.ptr(), exc.ptr());
}

/// A Decision's Python face: properties are built from the C++ result only when read.
struct PyDecision {
  std::shared_ptr<const Decision> d;
};

struct PyAction {
  std::shared_ptr<const Decision> d;
  std::uint32_t index;

  const Action& action() const { return d->actions[index]; }
  const host::RuleSlot& rule() const { return d->store->rules[action().origin]; }
};

py::dict action_params(const Action& a) {
  py::dict params;
  for (const Member& m : a.params) params[py::str(m.key)] = value_to_python(m.value);
  return params;
}

py::list decision_actions(const PyDecision& self) {
  py::list out;
  const auto& actions = self.d->actions;
  for (std::uint32_t i = 0; i < actions.size(); ++i)
    if (actions[i].is_kept()) out.append(py::cast(PyAction{self.d, i}));
  return out;
}

std::string decision_repr(const PyDecision& self) {
  std::string types;
  for (const Action& a : self.d->actions)
    if (a.is_kept()) types += (types.empty() ? "" : ", ") + a.type;
  std::size_t errors = 0;
  for (const auto& t : self.d->trace) errors += t.outcome == host::Outcome::Error;
  return "<Decision " + self.d->event_id + ": [" + types + "], " + std::to_string(errors) +
         " error(s), config " + self.d->snapshot->version + ">";
}

/// pybind11 finds a class's type record by hashing its C++ type name, twice per call (for `self`
/// and for the result). `Host.evaluate` is the hot path, so it keeps both records from import.
struct FastTypes {
  const py::detail::type_info* host = nullptr;
  const py::detail::type_info* decision = nullptr;
};
FastTypes g_types;

/// A Decision for Python, through the type record kept at import.
py::object wrap_decision(PyDecision&& d) {
  auto move = [](const void* p) -> void* {
    return new PyDecision(std::move(*const_cast<PyDecision*>(static_cast<const PyDecision*>(p))));
  };
  auto copy = [](const void* p) -> void* {
    return new PyDecision(*static_cast<const PyDecision*>(p));
  };
  py::handle h = py::detail::type_caster_generic::cast(
      py::detail::cast_sources(&d, g_types.decision), py::return_value_policy::move, py::handle(),
      copy, move);
  if (!h) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(h);
}

/// Config as Python passes it: None, a path (str or os.PathLike) or a dict.
struct ConfigArg {
  std::optional<host::ConfigSource> source;
  std::optional<fs::path> file;
};

ConfigArg read_config_arg(const py::object& config) {
  ConfigArg arg;
  if (config.is_none()) return arg;
  if (py::isinstance<py::dict>(config)) {
    host::ConfigSource src;
    src.origin = "config";
    src.base_dir = fs::current_path();
    src.json = python_to_json(config, src.origin);
    arg.source = std::move(src);
    return arg;
  }
  if (py::isinstance<py::str>(config) || py::hasattr(config, "__fspath__")) {
    arg.file = config.cast<fs::path>();
    return arg;
  }
  throw py::type_error("config: expected a path or a dict, got " +
                       std::string(Py_TYPE(config.ptr())->tp_name));
}

/// Decisions whose Python objects have died, kept per thread with their vectors' capacity, so an
/// evaluation reuses the trace and action buffers instead of allocating them again.
class DecisionPool {
 public:
  ~DecisionPool() {
    alive_ = false;
    for (Decision* d : free_) delete d;
  }
  Decision* take() {
    if (free_.empty()) return new Decision;
    Decision* d = free_.back();
    free_.pop_back();
    return d;
  }
  static void give(Decision* d) {
    if (!alive_ || pool_.free_.size() >= kKeep) {  // thread ending, or enough kept
      delete d;
      return;
    }
    d->clear();
    pool_.free_.push_back(d);
  }
  static DecisionPool& here() { return pool_; }

 private:
  static constexpr std::size_t kKeep = 32;
  std::vector<Decision*> free_;
  static thread_local DecisionPool pool_;
  static thread_local bool alive_;  // trivially destructible: still readable after ~DecisionPool
};
thread_local DecisionPool DecisionPool::pool_;
thread_local bool DecisionPool::alive_ = true;

std::shared_ptr<Decision> pooled_decision() {
  return std::shared_ptr<Decision>(DecisionPool::here().take(), &DecisionPool::give);
}

void release_gil(void* saved) {
  *static_cast<PyThreadState**>(saved) = PyEval_SaveThread();
}
void reacquire_gil(void* saved) {
  PyEval_RestoreThread(*static_cast<PyThreadState**>(saved));
}

class PyHost {
 public:
  explicit PyHost(host::HostOptions options) : host_(std::move(options)) {}

  static std::unique_ptr<PyHost> create(const py::object& config,
                                        const std::optional<std::vector<fs::path>>& plugin_dirs,
                                        bool bundled) {
    host::HostOptions options = make_options(config, plugin_dirs, bundled);
    // Like reload: reading the config file and loading plugins needs no Python, and a config
    // read from a pipe may wait on another Python thread to write it.
    py::gil_scoped_release release;
    return std::make_unique<PyHost>(std::move(options));
  }

  PyDecision evaluate(py::handle event) const {
    thread_local Event scratch;
    read_py_event(event.ptr(), scratch, nullptr);
    std::shared_ptr<Decision> d = pooled_decision();
    // An isolated plugin's worker is waited for without the GIL (other Python threads run).
    PyThreadState* saved = nullptr;
    host::ReleaseWhileWaiting unlocked(&release_gil, &reacquire_gil, &saved);
    host_.evaluate(scratch, *d);
    return PyDecision{std::move(d)};
  }

  py::list evaluate_many(const py::handle& events, int threads) const {
    const unsigned workers = thread_count(threads);
    py::sequence seq = py::reinterpret_steal<py::sequence>(
        PySequence_Fast(events.ptr(), "events: expected a list of event dicts"));
    if (!seq) throw py::error_already_set();
    const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq.ptr()));
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());

    // Converted with the GIL held, into text the batch owns; each chunk of events is handed to the
    // worker threads as soon as it is converted, so the rules run while the rest is converted.
    TextArena arena;
    std::vector<Event> typed(n);
    auto batch = std::make_shared<std::vector<Decision>>(n);
    {
      host::Host::Batch run(host_, typed, *batch, workers);
      for (std::size_t i = 0; i < n; ++i) {
        try {
          read_py_event(items[i], typed[i], &arena);
        } catch (const host::InvalidEventError& e) {
          std::string at = "events[" + std::to_string(i) + "]";
          throw host::InvalidEventError(
              e.path().empty() ? at : at + "." + e.path(),
              std::string(e.what()).substr(e.path().empty() ? 0 : e.path().size() + 2));
        }
        if ((i + 1) % host::Host::Batch::kChunk == 0) run.ready(i + 1);
      }
      py::gil_scoped_release release;
      run.finish();
    }
    py::list out(n);
    for (std::size_t i = 0; i < n; ++i)
      PyList_SET_ITEM(
          out.ptr(), static_cast<Py_ssize_t>(i),
          wrap_decision(PyDecision{std::shared_ptr<const Decision>(batch, &(*batch)[i])})
              .release()
              .ptr());
    return out;
  }

  py::object plugins(const std::optional<std::string>& store) const {
    auto snap = host_.snapshot();
    const host::StoreConfig* s = snap->find(store.value_or(""));
    if (!s)
      throw py::value_error("no store named '" + *store +
                            "' in the config (stores: " + snap->store_names() + ")");
    return json_to_python(host::plugins_json(*s));
  }

  std::string reload(const py::object& config) {
    // Building a snapshot (reading files, loading plugins, checking params) needs no Python:
    // other threads keep evaluating meanwhile, as a store follower reloads in the background.
    if (config.is_none()) {
      py::gil_scoped_release release;
      return host_.reload();
    }
    ConfigArg arg = read_config_arg(config);
    py::gil_scoped_release release;
    return host_.reload(std::move(arg.source), std::move(arg.file));
  }

  std::string config_version() const { return host_.config_version(); }

  py::object stats() const { return json_to_python(host::stats_json(*host_.snapshot())); }

 private:
  static host::HostOptions make_options(const py::object& config,
                                        const std::optional<std::vector<fs::path>>& plugin_dirs,
                                        bool bundled) {
    host::HostOptions options;
    ConfigArg arg = read_config_arg(config);
    options.config = std::move(arg.source);
    options.config_file = std::move(arg.file);
    if (plugin_dirs) options.plugin_dirs = *plugin_dirs;
    options.bundled = bundled;
    return options;
  }

  host::Host host_;
};

void translate_exceptions(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const host::InvalidEventError& e) {
    raise(g_exc->invalid_event, e.what(), {{"path", e.path()}});
  } catch (const host::ConfigError& e) {
    raise(g_exc->config_error, e.what());
  } catch (const host::PluginLoadError& e) {
    raise(g_exc->plugin_load_error, e.what());
  } catch (const host::RuleFailure& e) {
    raise(g_exc->rule_error, e.what(), {{"plugin", e.plugin()}, {"rule", e.rule()}});
  }
}

/// Sets the Python error for the C++ exception being handled, as pybind11's dispatcher would.
void set_python_error() {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (...) {
    try {
      translate_exceptions(std::current_exception());  // ours; rethrows anything else
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
      PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
    }
  }
}

/// Host.evaluate as a plain CPython method (vectorcall, no pybind11 dispatcher): it is the hot
/// path, and the dispatcher's argument machinery cost more than reading a small event.
PyObject* evaluate_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  static PyObject* event_name = PyUnicode_InternFromString("event");
  PyObject* event = nargs == 1 ? args[0] : nullptr;
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  if (nargs + nkw != 1 ||
      (nkw == 1 && PyUnicode_Compare(PyTuple_GET_ITEM(kwnames, 0), event_name) != 0)) {
    PyErr_SetString(PyExc_TypeError, "Host.evaluate() takes one argument: event");
    return nullptr;
  }
  if (nkw == 1) event = args[0];
  try {
    py::detail::type_caster_generic self_caster(g_types.host);
    if (!self_caster.load(self, false) || !self_caster.value)
      throw py::type_error("Host.evaluate: self is not an initialized Host");
    PyDecision result = static_cast<const PyHost*>(self_caster.value)->evaluate(event);
    return wrap_decision(std::move(result)).release().ptr();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
}

PyMethodDef g_evaluate_def = {
    "evaluate", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&evaluate_method)),
    METH_FASTCALL | METH_KEYWORDS,
    "evaluate($self, /, event)\n--\n\n"
    "What the rules decide for one event (a dict); raises InvalidEvent for a bad one."};

}  // namespace
}  // namespace shoprules::python

PYBIND11_MODULE(_core, m) {
  using namespace shoprules::python;
  m.doc() = "shoprules core: the C++ host behind the shoprules package";
  init_event_keys();

  g_exc = new Exceptions;
  g_exc->error = new_exception(m, "Error", py::make_tuple(py::handle(PyExc_Exception)),
                               "Base class of every shoprules error.");
  g_exc->invalid_event =
      new_exception(m, "InvalidEvent", py::make_tuple(g_exc->error, py::handle(PyExc_ValueError)),
                    "The event is malformed; .path names the field. Nothing was evaluated.");
  g_exc->config_error = new_exception(m, "ConfigError", py::make_tuple(g_exc->error),
                                      "The config is malformed or fails a plugin's schema.");
  g_exc->plugin_load_error = new_exception(m, "PluginLoadError", py::make_tuple(g_exc->error),
                                           "A plugin file can't be used.");
  g_exc->rule_error = new_exception(
      m, "RuleError", py::make_tuple(g_exc->error),
      "A rule failed and its plugin's on_error is \"fail\"; .plugin and .rule name it.");
  py::register_exception_translator(&translate_exceptions);
  bind_simulation(m, g_exc->error);

  py::class_<PyAction>(m, "Action", "One thing the shop should do for the customer.")
      .def_property_readonly("type", [](const PyAction& a) { return a.action().type; })
      .def_property_readonly("params", [](const PyAction& a) { return action_params(a.action()); })
      .def_property_readonly("plugin",
                             [](const PyAction& a) { return a.d->store->plugin_of(a.rule()).name; })
      .def_property_readonly("rule",
                             [](const PyAction& a) { return std::string(a.rule().spec->id); })
      .def_property_readonly("reason", [](const PyAction& a) { return a.action().reason; })
      .def("to_dict",
           [](const PyAction& a) {
             py::dict out;
             out["type"] = a.action().type;
             out["params"] = action_params(a.action());
             out["plugin"] = a.d->store->plugin_of(a.rule()).name;
             out["rule"] = a.rule().spec->id;
             out["reason"] = a.action().reason;
             return out;
           })
      .def("__repr__", [](const PyAction& a) {
        return "<Action " + a.action().type + " " +
               py::repr(action_params(a.action())).cast<std::string>() + " from " +
               a.d->store->plugin_of(a.rule()).name + "." + a.rule().spec->id + ">";
      });

  py::class_<PyDecision>(m, "Decision", "What the rules decided for one event.")
      .def_property_readonly("actions", &decision_actions)
      .def_property_readonly("errors",
                             [](const PyDecision& d) { return json_to_python(d.d->errors_json()); })
      .def_property_readonly("trace",
                             [](const PyDecision& d) { return json_to_python(d.d->trace_json()); })
      .def_property_readonly("config_version",
                             [](const PyDecision& d) { return d.d->snapshot->version; })
      .def_property_readonly("event_id", [](const PyDecision& d) { return d.d->event_id; })
      .def_property_readonly("store", [](const PyDecision& d) { return d.d->store->name; })
      .def("to_dict", [](const PyDecision& d) { return json_to_python(d.d->to_json()); })
      .def("__repr__", &decision_repr);

  py::class_<PyHost>(m, "Host", "Loaded plugins and a config snapshot; evaluates events.")
      .def(py::init(&PyHost::create), py::arg("config") = py::none(),
           py::arg("plugin_dirs") = py::none(), py::kw_only(), py::arg("bundled") = true)
      .def("evaluate_many", &PyHost::evaluate_many, py::arg("events"), py::arg("threads") = 0)
      .def("plugins", &PyHost::plugins, py::arg("store") = py::none())
      .def("reload", &PyHost::reload, py::arg("config") = py::none())
      .def("stats", &PyHost::stats,
           "Per store and rule, since the current config took effect: runs, fired, errors, "
           "over_budget, and time_us when a time budget is set.")
      .def_property_readonly("config_version", &PyHost::config_version);
  g_types.host = py::detail::get_type_info(typeid(PyHost));
  g_types.decision = py::detail::get_type_info(typeid(PyDecision));
  {
    py::object host_type = m.attr("Host");
    auto* descr =
        PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(host_type.ptr()), &g_evaluate_def);
    if (!descr || PyObject_SetAttrString(host_type.ptr(), "evaluate", descr) != 0) {
      Py_XDECREF(descr);
      throw py::error_already_set();
    }
    Py_DECREF(descr);
  }

  m.def(
      "inspect_plugin",
      [](const fs::path& file) {
        return json_to_python(
            shoprules::host::plugin_info_json(*shoprules::host::load_plugin(file)));
      },
      py::arg("file"), "What a plugin file declares: metadata, ABI key, rules and param schema.");
  m.def(
      "check_config",
      [](const py::dict& config, const std::string& origin, const fs::path& base_dir,
         const std::optional<std::vector<fs::path>>& plugin_dirs, bool bundled) {
        shoprules::host::HostOptions options;
        shoprules::host::ConfigSource src;
        src.json = python_to_json(config, origin);
        src.origin = origin;
        src.base_dir = base_dir;
        options.config = std::move(src);
        if (plugin_dirs) options.plugin_dirs = *plugin_dirs;
        options.bundled = bundled;
        shoprules::host::Host host(std::move(options));
        py::dict out;
        out["config_version"] = host.config_version();
        out["plugins"] = json_to_python(shoprules::host::plugins_json(host.snapshot()->main()));
        return out;
      },
      py::arg("config"), py::arg("origin"), py::arg("base_dir"),
      py::arg("plugin_dirs") = py::none(), py::arg("bundled") = true,
      "Validates a config as if read from `origin` in `base_dir`; returns its config_version\n"
      "and plugins as Host.plugins() would.");
  m.def(
      "simulate",
      [](const fs::path& events, const py::object& config, const py::object& against,
         const std::optional<std::vector<fs::path>>& plugin_dirs, int threads,
         const py::object& progress, std::int64_t label_cost, std::int64_t pickup_cost,
         std::int64_t upgrade_cost) {
        auto host_for = [&](const py::object& c) {
          ConfigArg arg = read_config_arg(c);
          shoprules::host::HostOptions options;
          options.config = std::move(arg.source);
          options.config_file = std::move(arg.file);
          if (plugin_dirs) options.plugin_dirs = *plugin_dirs;
          return std::make_unique<shoprules::host::Host>(std::move(options));
        };
        auto a = host_for(config);
        auto b = against.is_none() ? nullptr : host_for(against);
        const auto options = shoprules::python::simulation_options(threads, progress, label_cost,
                                                                   pickup_cost, upgrade_cost);
        auto snap_a = a->snapshot();
        auto snap_b = b ? b->snapshot() : nullptr;
        nlohmann::json report;
        {
          py::gil_scoped_release release;
          report = shoprules::host::simulate(events, *snap_a, snap_b.get(), options);
        }
        return json_to_python(report);
      },
      py::arg("events"), py::arg("config") = py::none(), py::arg("against") = py::none(),
      py::arg("plugin_dirs") = py::none(), py::arg("threads") = 0, py::arg("progress") = false,
      py::arg("label_cost") = 0, py::arg("pickup_cost") = 0, py::arg("upgrade_cost") = 0,
      "Replays a JSONL event log through a config (and another, to compare) on C++ threads.\n"
      "progress: True draws a bar on stderr; a callable progress(done_bytes, total_bytes, lines)\n"
      "is called at the start, about every 100 ms and at the end; raising from it cancels the\n"
      "replay, and the exception propagates. Ctrl-C cancels it too: KeyboardInterrupt.");
  m.def(
      "zero_decimal_currencies",
      [] {
        std::vector<std::string> codes;
        for (std::string_view c : shoprules::kZeroDecimalCurrencies) codes.emplace_back(c);
        return codes;
      },
      "ISO 4217 codes whose minor unit is the major unit, as the SDK formats money.");
  m.def(
      "_noop", [] {}, "Does nothing: the floor of a call into this module, for benchmarks.");
  // The most worker threads a replay or evaluate_many starts (`threads`; 0 is one per core).
  m.attr("MAX_THREADS") = shoprules::host::kMaxThreads;
  m.attr("MAX_EVENT_LINE_BYTES") = shoprules::host::kMaxEventLineBytes;
  // Why a replay whose report's sums would leave 64 bits fails.
  m.attr("SUM_OVERFLOW") = shoprules::host::kSumOverflow;
  m.def(
      "_parse_time",
      [](std::string_view text) -> std::optional<std::int64_t> {
        std::int64_t seconds = 0;
        if (!shoprules::host::parse_time(text, seconds)) return std::nullopt;
        return seconds;
      },
      py::arg("text"),
      "Seconds since the epoch of an ISO-8601 time as events give them, or None: the host's own\n"
      "reading, so a log converted with timestamps replays as its JSON lines do.");
  m.def(
      "abi_key", [] { return std::string(shoprules::host::host_abi_key()); },
      "The ABI key a plugin must be built with to load into this host.");
}
