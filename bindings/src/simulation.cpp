// shoprules._core.Simulation: a replay fed from Python, piece by piece (JSON-lines files, and
// pyarrow record batches handed over through the Arrow C data interface), evaluated in C++.
#include "simulation.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "py_json.hpp"
#include "shoprules/host/arrow_abi.hpp"
#include "shoprules/host/event_arrow.hpp"
#include "shoprules/host/host.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/simulate.hpp"
#include "shoprules/host/threads.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace shoprules::python {
namespace {

py::object g_event_log_error;  // shoprules.EventLogError, kept for the life of the process

/// Hosts built from dict configs (and the defaults), kept per process: a Dask worker replaying many
/// parts under the same shipped config loads its plugins and checks the config once. Keyed by the
/// config's JSON, the plugin folders and the working folder (a dict config's base); at most
/// kMaxHosts.
class HostCache {
 public:
  std::shared_ptr<host::Host> get(const std::string& key,
                                  const std::function<std::shared_ptr<host::Host>()>& make) {
    {
      std::lock_guard lock(mutex_);
      for (auto it = hosts_.begin(); it != hosts_.end(); ++it)
        if (it->first == key) {
          hosts_.splice(hosts_.begin(), hosts_, it);  // most recently used first
          return hosts_.front().second;
        }
    }
    auto made = make();
    std::lock_guard lock(mutex_);
    hosts_.emplace_front(key, made);
    if (hosts_.size() > kMaxHosts) hosts_.pop_back();
    return made;
  }

 private:
  static constexpr std::size_t kMaxHosts = 8;
  std::mutex mutex_;
  std::list<std::pair<std::string, std::shared_ptr<host::Host>>> hosts_;
};

std::shared_ptr<host::Host> host_for(const py::object& config,
                                     const std::optional<std::vector<fs::path>>& plugin_dirs) {
  host::HostOptions options;
  if (plugin_dirs) options.plugin_dirs = *plugin_dirs;
  static HostCache* cache = new HostCache;  // lives as long as the process
  if (config.is_none()) {                   // the plugins' defaults
    std::string key = std::string("\0defaults", 9) + '\0' + fs::current_path().string();
    for (const fs::path& d : options.plugin_dirs) key += '\0' + d.string();
    return cache->get(key, [&] { return std::make_shared<host::Host>(std::move(options)); });
  }
  if (py::isinstance<py::dict>(config)) {
    host::ConfigSource src;
    src.origin = "config";
    src.base_dir = fs::current_path();
    src.json = python_to_json(config, src.origin);
    std::string key = src.json.dump() + '\0' + src.base_dir.string();
    for (const fs::path& d : options.plugin_dirs) key += '\0' + d.string();
    options.config = std::move(src);
    return cache->get(key, [&] { return std::make_shared<host::Host>(std::move(options)); });
  }
  options.config_file = config.cast<fs::path>();  // a file: read afresh every time
  return std::make_shared<host::Host>(std::move(options));
}

[[noreturn]] void log_error(const std::string& message) {
  PyErr_SetObject(g_event_log_error.ptr(), g_event_log_error(message).ptr());
  throw py::error_already_set();
}

/// Exports what `obj._export_to_c` writes (a pyarrow RecordBatch or Schema) into structs this
/// side owns; released on destruction unless taken over.
struct Exported {
  ArrowSchema schema{};
  ArrowArray array{};
  ~Exported() {
    if (array.release) array.release(&array);
    if (schema.release) schema.release(&schema);
  }
};

/// A record batch taken over from pyarrow, whose rows stay in memory as typed events once a
/// replay has read them: what simulate's cache keeps between what-ifs.
class PyEventBatch {
 public:
  PyEventBatch(const py::object& batch, const std::string& source)
      : batch_(import(batch, source)), arrow_bytes_(batch.attr("nbytes").cast<std::uint64_t>()) {
    batch_->keep_events();
  }

  /// A batch of pyarrow's exported into the host's reader; EventLogError naming the column.
  static std::unique_ptr<host::ArrowEventBatch> import(const py::object& batch,
                                                       const std::string& source) {
    auto exported = std::make_unique<Exported>();
    batch.attr("_export_to_c")(reinterpret_cast<std::uintptr_t>(&exported->array),
                               reinterpret_cast<std::uintptr_t>(&exported->schema));
    try {
      return std::make_unique<host::ArrowEventBatch>(&exported->schema, &exported->array);
    } catch (const host::ArrowSchemaError& e) {
      log_error(source + ": " + e.what());
    }
  }

  std::int64_t rows() const { return batch_->rows(); }
  bool read() const { return batch_->events_read(); }
  std::uint64_t nbytes() const { return arrow_bytes_ + batch_->event_bytes(); }
  std::shared_ptr<const host::ArrowEventBatch> batch() const { return batch_; }

 private:
  std::shared_ptr<host::ArrowEventBatch> batch_;
  std::uint64_t arrow_bytes_;
};

class PySimulation {
 public:
  PySimulation(const py::object& config, const py::object& against,
               const std::optional<std::vector<fs::path>>& plugin_dirs, int threads,
               const py::object& progress, std::int64_t label_cost, std::int64_t pickup_cost,
               std::int64_t upgrade_cost) {
    a_ = host_for(config, plugin_dirs);
    if (!against.is_none()) b_ = host_for(against, plugin_dirs);
    snap_a_ = a_->snapshot();
    if (b_) snap_b_ = b_->snapshot();
    const host::SimulationOptions options =
        simulation_options(threads, progress, label_cost, pickup_cost, upgrade_cost);
    sim_ = std::make_unique<host::Simulation>(*snap_a_, snap_b_.get(), options);
  }

  void expect_bytes(std::uint64_t total) { sim_->expect_bytes(total); }

  void add_jsonl(const fs::path& file) {
    try {
      py::gil_scoped_release release;
      sim_->add_jsonl(file);
    } catch (const host::EventLogError& e) {
      log_error(e.what());
    }
  }

  void add_arrow(const py::object& batch, const std::string& source, std::int64_t first_row,
                 std::uint64_t bytes) {
    std::shared_ptr<const host::ArrowEventBatch> events =
        py::isinstance<PyEventBatch>(batch) ? batch.cast<const PyEventBatch&>().batch()
                                            : PyEventBatch::import(batch, source);
    py::gil_scoped_release release;
    sim_->add_arrow(std::move(events), source, first_row, bytes);
  }

  void cancel() { sim_->cancel(); }

  py::object finish(const std::string& name) {
    nlohmann::json report;
    {
      py::gil_scoped_release release;
      report = sim_->finish(name);
    }
    return json_to_python(report);
  }

 private:
  std::shared_ptr<host::Host> a_, b_;
  std::shared_ptr<const host::ConfigSnapshot> snap_a_, snap_b_;
  std::unique_ptr<host::Simulation> sim_;
};

}  // namespace

unsigned thread_count(int threads) {
  if (threads < 0 || static_cast<unsigned>(threads) > host::kMaxThreads)
    throw py::value_error(host::threads_out_of_range(threads));
  return static_cast<unsigned>(threads);
}

host::SimulationOptions simulation_options(int threads, const py::object& progress,
                                           std::int64_t label_cost, std::int64_t pickup_cost,
                                           std::int64_t upgrade_cost) {
  host::SimulationOptions options;
  options.threads = thread_count(threads);
  const bool callback = PyCallable_Check(progress.ptr());
  if (!callback) options.progress = progress.cast<bool>();
  // Called about every 100 ms from the thread that feeds the replay, which has let the GIL go:
  // a signal (Ctrl-C) is handled here, so its KeyboardInterrupt cancels the replay within a
  // moment instead of when the whole log has been read. Outside the main thread there is no
  // signal to handle and only the callback runs.
  options.on_progress = [progress, callback](const host::SimulationProgress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (callback) progress(p.done_bytes, p.total_bytes, p.lines);
    return true;
  };
  for (const auto& [name, cost] : {std::pair{"label_cost", label_cost},
                                   {"pickup_cost", pickup_cost},
                                   {"upgrade_cost", upgrade_cost}})
    if (cost < 0)
      throw py::value_error(std::string(name) + ": expected 0 or more minor units, got " +
                            std::to_string(cost));
  options.costs = {label_cost, pickup_cost, upgrade_cost};
  return options;
}

void bind_simulation(py::module_& m, const py::object& error) {
  {
    PyObject* type = PyErr_NewExceptionWithDoc(
        "shoprules.EventLogError",
        "An event log that cannot be read: missing, not the format its name says, truncated, or "
        "a Parquet column of the wrong type (named, with its file).",
        py::make_tuple(error).ptr(), nullptr);
    if (!type) throw py::error_already_set();
    g_event_log_error = py::reinterpret_steal<py::object>(type);
    m.attr("EventLogError") = g_event_log_error;
  }
  // Wherever a replay's EventLogError leaves C++ (finishing a replay, _core.simulate), it is
  // this EventLogError, not a RuntimeError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const host::EventLogError& e) {
      PyErr_SetObject(g_event_log_error.ptr(), g_event_log_error(e.what()).ptr());
    }
  });
  m.def(
      "check_arrow_schema",
      [](const py::object& schema, const std::string& source) {
        Exported exported;
        schema.attr("_export_to_c")(reinterpret_cast<std::uintptr_t>(&exported.schema));
        try {
          host::check_event_schema(exported.schema);
        } catch (const host::ArrowSchemaError& e) {
          log_error(source + ": " + e.what());
        }
      },
      py::arg("schema"), py::arg("source"),
      "Checks a pyarrow Schema against the event's shape; raises EventLogError naming the\n"
      "column and `source`.");
  py::class_<PyEventBatch>(m, "EventBatch",
                           "A pyarrow RecordBatch of events whose rows, once a replay has read "
                           "them, stay in memory as typed events for the next replay.")
      .def(py::init<const py::object&, const std::string&>(), py::arg("batch"), py::arg("source"))
      .def_property_readonly("rows", &PyEventBatch::rows)
      .def_property_readonly("read", &PyEventBatch::read,
                             "Whether a replay has read its rows into typed events yet.")
      .def_property_readonly("nbytes", &PyEventBatch::nbytes,
                             "Bytes held: the record batch's buffers and the typed events (an "
                             "estimate until a replay has read them).");
  py::class_<PySimulation>(m, "Simulation",
                           "A replay fed piece by piece; the pieces are evaluated on C++ threads.")
      .def(py::init<const py::object&, const py::object&,
                    const std::optional<std::vector<fs::path>>&, int, const py::object&,
                    std::int64_t, std::int64_t, std::int64_t>(),
           py::arg("config") = py::none(), py::arg("against") = py::none(),
           py::arg("plugin_dirs") = py::none(), py::arg("threads") = 0, py::arg("progress") = false,
           py::arg("label_cost") = 0, py::arg("pickup_cost") = 0, py::arg("upgrade_cost") = 0)
      .def("expect_bytes", &PySimulation::expect_bytes, py::arg("total"),
           "The total that progress reports count towards.")
      .def("add_jsonl", &PySimulation::add_jsonl, py::arg("file"),
           "Reads a JSON-lines file, gzip-compressed or not.")
      .def("add_arrow", &PySimulation::add_arrow, py::arg("batch"), py::arg("source"),
           py::arg("first_row"), py::arg("bytes") = 0,
           "Hands a pyarrow RecordBatch (or an EventBatch) of events, rows first_row.. of\n"
           "source, to the workers.")
      .def("cancel", &PySimulation::cancel)
      .def("finish", &PySimulation::finish, py::arg("name"),
           "Waits for the workers; returns the report, whose file is `name`.");
}

}  // namespace shoprules::python
