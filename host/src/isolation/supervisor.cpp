// The host's side of isolated plugins: a template process per plugin, workers forked from it,
// requests over shared memory, and faults turned into error outcomes, restarts and quarantine.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <boost/dll/runtime_symbol_info.hpp>

#include "channel.hpp"
#include "control.hpp"
#include "shoprules/host/config.hpp"
#include "shoprules/host/decision.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/isolation.hpp"
#include "wire.hpp"

extern char** environ;

namespace shoprules::host {
namespace fs = std::filesystem;
using namespace isolation;
using clock_type = std::chrono::steady_clock;

namespace {

/// The worker program: $SHOPRULES_WORKER, else `shoprules-worker` beside the code of the host (the
/// Python extension module, or a test program).
fs::path worker_program() {
  if (const char* env = std::getenv("SHOPRULES_WORKER"); env && *env) return env;
  return fs::path(boost::dll::this_line_location().parent_path()) / "shoprules-worker";
}

thread_local const ReleaseWhileWaiting* t_wait_hooks = nullptr;

/// One worker process and its channel.
struct Worker {
  pid_t pid = -1;
  void* base = nullptr;  ///< the mapped channel
  std::uint32_t seq = 0;

  ChannelHead& head() const { return *static_cast<ChannelHead*>(base); }
  ~Worker() {
    if (base) munmap(base, kChannelBytes);
  }
};

enum class Fault { Crash, Timeout, OutOfMemory, Malformed };

}  // namespace

/// One isolated plugin of one snapshot: its template process, its idle workers, its counters.
class IsolatedPlugin {
 public:
  IsolatedPlugin(const ConfigSnapshot& snap, const PluginSlot& slot)
      : snap_(snap), settings_(slot.isolation), plugin_(slot.plugin), name_(slot.name) {
    write_config();
    std::lock_guard lock(spawn_mutex_);
    start_template();
  }

  ~IsolatedPlugin() {
    idle_.clear();
    stop_template();
  }

  IsolatedPlugin(const IsolatedPlugin&) = delete;
  IsolatedPlugin& operator=(const IsolatedPlugin&) = delete;

  const std::string& name() const { return name_; }
  const IsolationSettings& settings() const { return settings_; }
  bool quarantined() const { return quarantined_.load(std::memory_order_acquire); }
  const char* quarantine_why() const { return quarantine_why_.c_str(); }

  /// An idle worker, or a new one forked from the template. nullptr with `error` set when none can
  /// start.
  std::unique_ptr<Worker> acquire(std::string& error) {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto w = std::move(idle_.back());
        idle_.pop_back();
        return w;
      }
    }
    return spawn(error);
  }

  void release(std::unique_ptr<Worker> w) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(w));
  }

  /// Records a fault of a worker (already gone, or killed here) and decides on quarantine.
  void fault(std::unique_ptr<Worker> w, Fault kind, const std::string& message) {
    if (w && kind == Fault::Timeout) kill_worker(w->pid);
    w.reset();
    std::lock_guard lock(mutex_);
    switch (kind) {
      case Fault::Crash:
      case Fault::Malformed:
        ++crashes_;
        break;
      case Fault::Timeout:
        ++timeouts_;
        break;
      case Fault::OutOfMemory:
        ++out_of_memory_;
        break;
    }
    const auto now = clock_type::now();
    faults_.push_back(now);
    while (!faults_.empty() && now - faults_.front() > std::chrono::seconds(60))
      faults_.pop_front();
    if (static_cast<std::int64_t>(faults_.size()) > settings_.max_restarts && !quarantined()) {
      quarantine_why_ = "quarantined: its worker failed " + std::to_string(faults_.size()) +
                        " times within 60 s (last: " + message +
                        "); it stays off until the config changes";
      quarantined_.store(true, std::memory_order_release);
      idle_.clear();
      return;
    }
    ++pending_restarts_;
  }

  /// A trace `why` from the worker, kept here so the trace can point at it for the snapshot's life.
  const char* intern(std::string_view why) {
    std::lock_guard lock(mutex_);
    if (auto it = whys_.find(why); it != whys_.end()) return it->c_str();
    if (whys_.size() >= 1024)
      return "skipped (the worker gave more distinct reasons than the host keeps)";
    return whys_.emplace(why).first->c_str();
  }

  std::uint32_t store_index(const StoreConfig& store) const {
    return static_cast<std::uint32_t>(&store - snap_.stores.data());
  }

  nlohmann::json stats() const {
    std::lock_guard lock(mutex_);
    nlohmann::json j = {
        {"crashes", crashes_},   {"timeouts", timeouts_},       {"out_of_memory", out_of_memory_},
        {"restarts", restarts_}, {"workers", workers_started_}, {"quarantined", quarantined()}};
    if (quarantined()) j["quarantined_why"] = quarantine_why_;
    return j;
  }

 private:
  /// The rules of this plugin in every store, for the worker to rebuild its stores from:
  /// name; stores; per store: seed hash, currency, rule count, then per rule of this plugin its
  /// index, its index in the plugin's rule table, enabled, and its param values (a map param
  /// with its entries, which the config already held to the declared count).
  void write_config() {
    config_.resize(kConfigBytes);
    wire::Writer w(config_.data(), config_.size());
    w.str(name_);
    w.u32(static_cast<std::uint32_t>(snap_.stores.size()));
    const RuleSpec* table = plugin_->descriptor->rules;
    for (const StoreConfig& store : snap_.stores) {
      w.pod(store.seed_hash);
      w.str(store.currency);
      w.u32(static_cast<std::uint32_t>(store.rules.size()));
      std::uint32_t own = 0;
      for (const RuleSlot& r : store.rules) own += store.plugin_of(r).name == name_;
      w.u32(own);
      for (std::uint32_t i = 0; i < store.rules.size(); ++i) {
        const RuleSlot& r = store.rules[i];
        if (store.plugin_of(r).name != name_) continue;
        w.u32(i);
        w.u32(static_cast<std::uint32_t>(r.spec - table));
        w.u8(r.enabled);
        w.u32(static_cast<std::uint32_t>(r.values.size()));
        for (const ParamValue& v : r.values) {
          w.u8(v.b);
          w.i64(v.i);
          w.pod(v.d);
          w.str(v.s);
          w.u32(static_cast<std::uint32_t>(v.map.entries.size()));
          for (const MapEntry& e : v.map.entries) {
            w.str(e.key);
            w.i64(e.i);
            w.pod(e.d);
          }
        }
      }
    }
    if (!w.ok()) throw PluginLoadError(name_ + ": its config is too large for an isolated worker");
    config_.resize(w.size());
  }

  [[noreturn]] void refuse(const std::string& why) const {
    throw PluginLoadError(plugin_->file.string() + ": cannot start an isolated worker: " + why);
  }

  /// Starts the template: the worker program with the plugin's checked, open file as fd 4 and a
  /// control socket as fd 3. It loads the plugin once; workers are forks of it. Under spawn_mutex_.
  void start_template() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
      refuse(std::string("socketpair: ") + std::strerror(errno));
    // Both above the fds they are moved to, so neither dup2 overwrites the other's source.
    const int control_src = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
    const int plugin_src = fcntl(plugin_->fd, F_DUPFD_CLOEXEC, 10);
    close(sv[1]);
    sv[1] = control_src;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);  // a plugin's stdout goes to the host's log
    posix_spawn_file_actions_adddup2(&fa, control_src, kControlFd);
    posix_spawn_file_actions_adddup2(&fa, plugin_src, kPluginFd);
    const std::string program = worker_program().string();
    const std::string host_pid = std::to_string(getpid());
    char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(name_.c_str()),
                    const_cast<char*>(plugin_->sha256.c_str()), const_cast<char*>(host_pid.c_str()),
                    nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    close(plugin_src);
    if (rc != 0) {
      close(sv[0]);
      refuse(program + ": " + std::strerror(rc));
    }
    template_pid_ = pid;
    control_ = sv[0];
    ControlMessage ready;
    if (!recv_control(control_, ready) || ready.cmd != 'R') {
      const std::string why = ready.cmd == 'E' ? ready.text : "the worker program exited at start";
      stop_template();
      refuse(why);
    }
  }

  /// Closing the control socket tells the template to kill its workers and exit; then it is reaped.
  void stop_template() {
    if (control_ >= 0) close(control_);
    control_ = -1;
    if (template_pid_ > 0) {
      int status;
      for (int i = 0; i < 2000; ++i) {  // up to 2 s, then it is killed
        pid_t r = waitpid(template_pid_, &status, WNOHANG);
        if (r == template_pid_ || (r < 0 && errno != EINTR)) {
          template_pid_ = -1;
          return;
        }
        usleep(1000);
      }
      kill(template_pid_, SIGKILL);
      while (waitpid(template_pid_, &status, 0) < 0 && errno == EINTR) {
      }
      template_pid_ = -1;
    }
  }

  std::unique_ptr<Worker> spawn(std::string& error) {
    std::lock_guard lock(spawn_mutex_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (control_ < 0) {
        try {
          start_template();
        } catch (const std::exception& e) {
          error = e.what();
          return nullptr;
        }
      }
      if (auto w = fork_worker(error)) {
        std::lock_guard counts(mutex_);
        ++workers_started_;
        if (pending_restarts_ > 0) {
          --pending_restarts_;
          ++restarts_;
        }
        return w;
      }
      stop_template();  // it stopped answering: a fresh one, once
    }
    return nullptr;
  }

  std::unique_ptr<Worker> fork_worker(std::string& error) {
    int fd = memfd_create("shoprules-worker", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, kChannelBytes) != 0) {
      error = std::string("cannot make its shared memory: ") + std::strerror(errno);
      if (fd >= 0) close(fd);
      return nullptr;
    }
    auto w = std::make_unique<Worker>();
    w->base = mmap(nullptr, kChannelBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w->base == MAP_FAILED) {
      w->base = nullptr;
      close(fd);
      error = std::string("cannot map its shared memory: ") + std::strerror(errno);
      return nullptr;
    }
    new (w->base) ChannelHead();
    std::memcpy(config_area(w->base), config_.data(), config_.size());
    w->head().config_size = static_cast<std::uint32_t>(config_.size());
    ControlMessage start;
    start.cmd = 'S';
    start.value = static_cast<std::int32_t>(settings_.memory_mb);
    ControlMessage reply;
    const bool ok = send_control(control_, start, fd) && recv_control(control_, reply);
    close(fd);  // the mapping keeps it; the memory goes when the last side unmaps it
    if (!ok || reply.cmd != 'P') {
      error = reply.cmd == 'E' ? std::string("cannot start a worker: ") + reply.text
                               : "its worker template is gone";
      return nullptr;
    }
    w->pid = reply.value;
    return w;
  }

  /// Asks the template to kill a worker: only the template knows whether that pid is still its
  /// child, so a reused pid is never hit.
  void kill_worker(pid_t pid) {
    std::lock_guard lock(spawn_mutex_);
    if (control_ < 0) return;
    ControlMessage m;
    m.cmd = 'K';
    m.value = pid;
    ControlMessage reply;
    if (!send_control(control_, m) || !recv_control(control_, reply)) stop_template();
  }

  const ConfigSnapshot& snap_;
  const IsolationSettings settings_;
  const PluginPtr plugin_;
  const std::string name_;
  std::vector<char> config_;

  std::mutex spawn_mutex_;  ///< guards the control socket and the template
  int control_ = -1;
  pid_t template_pid_ = -1;

  mutable std::mutex mutex_;  ///< guards everything below
  std::vector<std::unique_ptr<Worker>> idle_;
  std::deque<clock_type::time_point> faults_;
  std::set<std::string, std::less<>> whys_;
  std::uint64_t crashes_ = 0, timeouts_ = 0, out_of_memory_ = 0, restarts_ = 0;
  std::uint64_t workers_started_ = 0, pending_restarts_ = 0;
  std::atomic<bool> quarantined_{false};
  std::string quarantine_why_;  ///< written once, before quarantined_ turns true
};

namespace {

std::string death_message(const ChannelHead& head, const IsolationSettings& s, Fault& kind) {
  const int status = head.wait_status.load(std::memory_order_acquire);
  if (head.out_of_memory.load(std::memory_order_acquire)) {
    kind = Fault::OutOfMemory;
    return "out of memory (" + std::to_string(s.memory_mb) + " MiB)";
  }
  kind = Fault::Crash;
  if (WIFSIGNALED(status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(status));
    return std::string("worker crashed: ") +
           (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(WTERMSIG(status)));
  }
  return "worker exited with status " + std::to_string(WEXITSTATUS(status));
}

/// One run of a request, as the host prepared it: trace entries made, the rules the worker runs.
struct Prepared {
  IsolatedRun* run = nullptr;
  std::size_t first_entry = 0;     ///< where its trace entries start in out->trace
  std::uint32_t from = 0, to = 0;  ///< its rules: [from, to) of the flight's entries and to_run
  std::uint32_t prior = 0;         ///< how many actions went with it to the worker
  std::size_t actions_at = 0;      ///< where the first one's encoding starts in the request
  std::size_t ends_from = 0;       ///< where each one's ends: the flight's ends[ends_from + i]
};

/// One request to a worker: sent by submit(), answered by collect(); its buffers are kept from
/// one request to the next, so a batch makes no allocations of its own per event.
struct Flight {
  IsolatedPlugin* plugin = nullptr;
  std::unique_ptr<Worker> worker;      ///< set while the request is out
  std::vector<Prepared> batch;         ///< the runs that need the worker, in order; [0, count) sent
  std::vector<std::size_t> entries;    ///< trace positions of the rules the worker runs, per run
  std::vector<std::uint32_t> to_run;   ///< and those rules
  std::vector<std::size_t> ends;       ///< where each action sent ends in the request, per run
  std::vector<std::uint32_t> changed;  ///< an answer's sent actions that came back changed
  std::uint32_t count = 0;
  std::uint32_t seq = 0;
  clock_type::time_point sent_at;
  std::vector<Action> actions;  ///< an answer's actions, decoded before they replace the run's
  struct Answer {
    Outcome outcome;
    bool has_why;
    std::string_view why, detail;
  };
  std::vector<Answer> answers;

  std::span<const std::size_t> entries_of(const Prepared& p) const {
    return std::span(entries).subspan(p.from, p.to - p.from);
  }
};

/// Gives each rule that was to run an error outcome with `message`.
void fail_rules(const Flight& f, Prepared& p, const std::string& message) {
  const StoreConfig& store = *p.run->store;
  for (std::size_t k : f.entries_of(p)) {
    TraceEntry& t = p.run->out->trace[k];
    t.outcome = Outcome::Error;
    t.why = nullptr;
    t.detail = message;
    store.stats[t.rule].errors.fetch_add(1, std::memory_order_relaxed);
  }
}

/// Marks the run done and, when its plugin's on_error is "fail" and a rule failed, records the
/// RuleFailure in process evaluation would throw.
void finish(const Flight& f, Prepared& p) {
  IsolatedRun& run = *p.run;
  run.done = true;
  if (p.from == p.to) return;
  const StoreConfig& store = *run.store;
  const PluginSlot& plugin = store.plugin_of(store.rules[f.to_run[p.from]]);
  if (plugin.on_error != OnError::Fail) return;
  for (std::size_t k : f.entries_of(p)) {
    const TraceEntry& t = run.out->trace[k];
    if (t.outcome == Outcome::Error) {
      run.error =
          std::make_exception_ptr(RuleFailure(plugin.name, store.rules[t.rule].spec->id, t.detail));
      return;
    }
  }
}

/// Trace entries in rule order; the host decides disabled and not-for-this-event itself, so a
/// plugin with nothing to do for an event costs no round trip. A run with rules for the worker
/// joins the flight's batch; one without is done at once.
void prepare(IsolatedPlugin& plugin, IsolatedRun& run, bool quarantined, Flight& f) {
  Prepared p;
  p.run = &run;
  const StoreConfig& store = *run.store;
  Decision& out = *run.out;
  p.first_entry = out.trace.size();
  p.from = static_cast<std::uint32_t>(f.entries.size());
  for (std::uint32_t index : run.rules) {
    const RuleSlot& slot = store.rules[index];
    TraceEntry& t = out.trace.emplace_back();
    t.rule = index;
    if (!slot.enabled) {
      t.outcome = Outcome::Disabled;
      t.why = slot.disabled_why;
    } else if (quarantined) {
      t.outcome = Outcome::Disabled;
      t.why = plugin.quarantine_why();
    } else if (!(slot.spec->events & event_bit(run.event->kind))) {
      t.outcome = Outcome::Skipped;
      t.why = not_for_events(slot.spec->events);
    } else {
      f.entries.push_back(out.trace.size() - 1);
      f.to_run.push_back(index);
    }
  }
  p.to = static_cast<std::uint32_t>(f.entries.size());
  if (p.from == p.to)
    finish(f, p);
  else
    f.batch.push_back(p);
}

/// Reads one run's answer from the response; false when it is malformed. Each action the run
/// sent that comes back byte for byte as it went is kept as it is: only the ones its rules amended
/// and the new ones are decoded.
bool read_answer(IsolatedPlugin& plugin, Flight& f, wire::Reader& res, Prepared& p) {
  const StoreConfig& store = *p.run->store;
  Decision& out = *p.run->out;
  const std::uint32_t total = res.u32();
  if (!res.ok()) return false;
  const std::uint32_t prior = total >= p.prior ? p.prior : 0;  // fewer came back: all anew
  std::uint32_t decoded = 0;  // into f.actions: first the changed ones, then the new ones
  auto next = [&]() -> Action& {
    if (decoded == f.actions.size()) f.actions.emplace_back();
    return f.actions[decoded++];
  };
  f.changed.clear();
  const char* sent = request_area(f.worker->base);
  for (std::uint32_t i = 0; i < prior; ++i) {
    const std::size_t begin = i == 0 ? p.actions_at : f.ends[p.ends_from + i - 1];
    if (res.skip_if_equal(sent + begin, f.ends[p.ends_from + i] - begin)) continue;
    f.changed.push_back(i);
    if (!wire::read_action(res, next())) return false;
  }
  const std::uint32_t fresh = total - prior;
  if (fresh > res.remaining() / 21) return false;  // each takes at least 21 bytes
  for (std::uint32_t i = 0; i < fresh; ++i)
    if (!wire::read_action(res, next())) return false;
  if (res.u32() != p.to - p.from) return false;
  for (std::uint32_t k = 0; k < decoded; ++k)  // an origin the host does not know: out of range
    if (f.actions[k].origin >= store.rules.size()) return false;
  f.answers.resize(p.to - p.from);
  for (Flight::Answer& a : f.answers) {
    const std::uint8_t outcome = res.u8();
    a.has_why = res.u8() != 0;
    a.why = res.str();
    a.detail = res.str();
    if (!res.ok() || outcome > static_cast<std::uint8_t>(Outcome::Error) ||
        outcome == static_cast<std::uint8_t>(Outcome::Disabled))
      return false;
    a.outcome = static_cast<Outcome>(outcome);
  }
  if (prior < p.prior) out.actions.clear();
  std::uint32_t k = 0;
  for (; k < f.changed.size(); ++k) out.actions[f.changed[k]] = std::move(f.actions[k]);
  out.actions.reserve(total);
  for (; k < decoded; ++k) out.actions.push_back(std::move(f.actions[k]));
  const std::span<const std::size_t> entries = f.entries_of(p);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TraceEntry& t = out.trace[entries[i]];
    const Flight::Answer& a = f.answers[i];
    t.outcome = a.outcome;
    t.why = a.has_why ? plugin.intern(a.why) : nullptr;
    t.detail.assign(a.detail);
    RuleStats& stats = store.stats[t.rule];
    if (t.outcome == Outcome::Fired) stats.fired.fetch_add(1, std::memory_order_relaxed);
    if (t.outcome == Outcome::Error) stats.errors.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

/// Takes back the trace entries of runs that were prepared but not sent, to prepare them again.
void unprepare(Prepared& p) {
  p.run->out->trace.resize(p.first_entry);
}

/// Prepares `runs` and sends those that need the worker to it in one request, without waiting
/// for the answer: true when a request is out (collect() takes its answer). False when none went:
/// each run is then done, or (when not all fit) left pending, to be sent again.
bool submit(IsolatedPlugin& plugin, std::span<IsolatedRun*> runs, Flight& f) {
  f.plugin = &plugin;
  f.batch.clear();
  f.entries.clear();
  f.to_run.clear();
  f.ends.clear();
  f.count = 0;
  const bool quarantined = plugin.quarantined();
  for (IsolatedRun* run : runs) prepare(plugin, *run, quarantined, f);
  if (f.batch.empty()) return false;

  std::string error;
  f.worker = plugin.acquire(error);
  if (!f.worker) {
    for (Prepared& p : f.batch) {
      fail_rules(f, p, error);
      finish(f, p);
    }
    plugin.fault(nullptr, Fault::Crash, error);
    return false;
  }
  ChannelHead& head = f.worker->head();
  // As many runs as fit in the request area; the rest wait for the next round trip.
  wire::Writer req(request_area(f.worker->base), kRequestBytes);
  req.u32(0);  // the count, written last
  std::size_t sent = 0, size = req.size();
  for (; sent < f.batch.size(); ++sent) {
    Prepared& p = f.batch[sent];
    const IsolatedRun& run = *p.run;
    req.u32(plugin.store_index(*run.store));
    req.u32(p.to - p.from);
    for (std::uint32_t i = p.from; i < p.to; ++i) req.u32(f.to_run[i]);
    wire::write_event(req, *run.event);
    p.prior = static_cast<std::uint32_t>(run.out->actions.size());
    req.u32(p.prior);
    p.actions_at = req.size();
    p.ends_from = f.ends.size();
    for (const Action& a : run.out->actions) {
      wire::write_action(req, a);
      f.ends.push_back(req.size());
    }
    if (!req.ok()) break;  // what it wrote of this run lies past `size`, unread
    size = req.size();
  }
  if (sent == 0) {
    plugin.release(std::move(f.worker));
    fail_rules(f, f.batch[0], "the event and actions are too large for an isolated worker");
    finish(f, f.batch[0]);
    for (std::size_t i = 1; i < f.batch.size(); ++i) unprepare(f.batch[i]);
    return false;
  }
  for (std::size_t i = sent; i < f.batch.size(); ++i) unprepare(f.batch[i]);
  f.count = static_cast<std::uint32_t>(sent);
  std::memcpy(request_area(f.worker->base), &f.count, sizeof f.count);
  head.request_size = static_cast<std::uint32_t>(size);
  head.completed.store(0, std::memory_order_relaxed);
  head.status.store(0, std::memory_order_relaxed);
  Worker& w = *f.worker;
  f.seq = ++w.seq == kDied ? (w.seq = 1) : w.seq;
  f.sent_at = clock_type::now();
  publish(head.request, f.seq, head.worker_waiting);
  return true;
}

/// Waits for the answer to the request submit() sent and reads it: each run it answered is done;
/// on a fault, the run the worker was on gets the error and the ones after it stay pending.
void collect(Flight& f) {
  IsolatedPlugin& plugin = *f.plugin;
  ChannelHead& head = f.worker->head();
  const std::uint32_t seq = f.seq, count = f.count;
  // The deadline is per run: it moves on each time the worker is seen to have finished one.
  const auto timeout = std::chrono::milliseconds(plugin.settings().timeout_ms);
  auto deadline = f.sent_at + timeout;
  std::uint32_t progress = 0;
  std::uint32_t got = head.response.load(std::memory_order_acquire);
  if (got != seq && got != kDied) {
    ReleaseWhileWaiting::Scope unlocked;  // never hold the GIL while a worker works
    while (got != seq && got != kDied) {
      got = wait_for(head.response, got, head.host_waiting, std::chrono::microseconds(50),
                     std::chrono::milliseconds(10), [&](std::chrono::nanoseconds& left) {
                       const auto now = clock_type::now();
                       if (const auto c = head.completed.load(std::memory_order_acquire);
                           c != progress) {
                         progress = c;
                         deadline = now + timeout;
                       }
                       const auto remaining = deadline - now;
                       if (remaining <= remaining.zero()) return false;
                       left = std::min<std::chrono::nanoseconds>(left, remaining);
                       return true;
                     });
      if (got != seq && got != kDied && clock_type::now() >= deadline) break;
    }
  }
  const std::uint32_t completed =
      std::min<std::uint32_t>(head.completed.load(std::memory_order_acquire), count);
  wire::Reader res(response_area(f.worker->base),
                   std::min<std::size_t>(head.response_size, kResponseBytes));
  std::size_t answered = 0;
  for (; answered < completed; ++answered) {
    if (!read_answer(plugin, f, res, f.batch[answered])) break;
    finish(f, f.batch[answered]);
  }
  // What happened to the run after the answered ones, if any.
  std::string message;
  Fault kind = Fault::Crash;
  bool fault = false;
  if (answered < completed || (got == seq && head.status.load() == 1)) {
    message = "the worker sent a malformed result";
    kind = Fault::Malformed;
    fault = true;
  } else if (got == seq && head.status.load() == 2) {
    message = "its output is too large for the worker channel";
  } else if (got == kDied) {
    message = death_message(head, plugin.settings(), kind);
    fault = true;
  } else if (got != seq) {
    message = "timed out after " + std::to_string(plugin.settings().timeout_ms) + " ms";
    kind = Fault::Timeout;
    fault = true;
  }
  if (answered < count) {
    if (!message.empty()) {
      fail_rules(f, f.batch[answered], message);
      finish(f, f.batch[answered]);
      ++answered;
    }
    for (std::size_t i = answered; i < count; ++i) unprepare(f.batch[i]);
  }
  if (fault)
    plugin.fault(std::move(f.worker), kind, message);
  else
    plugin.release(std::move(f.worker));
}

/// Events per slice of a batch (about). Each slice costs a round trip per stop: on a machine
/// whose other core is busy, each is a hand-over of one core between host and worker, so fewer
/// are better; on an idle one, several slices let host and worker work at once. Measured on 2
/// cores with one kept busy by another program: 128 beat 32 and 64, and matched a single slice.
constexpr std::size_t kSlice = 128;

}  // namespace

void run_isolated_batch(IsolatedPlugin& plugin, std::span<IsolatedRun*> runs) {
  Flight f;
  if (submit(plugin, runs, f)) collect(f);
}

void run_isolated(IsolatedPlugin& plugin, const StoreConfig& store,
                  std::span<const std::uint32_t> rules, const Event& event, Decision& out) {
  IsolatedRun run;
  run.store = &store;
  run.rules = rules;
  run.event = &event;
  run.out = &out;
  IsolatedRun* one = &run;
  thread_local Flight f;  // its buffers serve every single evaluation on this thread
  while (!run.done)
    if (submit(plugin, std::span(&one, 1), f)) collect(f);
  if (run.error) std::rethrow_exception(run.error);
}

void evaluate_batch(const std::vector<Event>& events, std::vector<Decision>& out,
                    std::span<const std::size_t> which, std::int64_t time_budget_ns,
                    Tracing tracing,
                    const std::function<void(std::size_t, std::exception_ptr)>& failed) {
  const std::size_t n = which.size();
  std::vector<std::optional<Evaluation>> evaluations(n);
  std::vector<IsolatedStop> stops(n);
  std::vector<IsolatedRun> runs(n);
  std::vector<char> to_step(n, 1);  // its evaluation goes on (or starts) before its next stop
  auto step = [&](std::size_t j) {
    try {
      if (!evaluations[j]) {
        Decision& d = out[which[j]];
        evaluations[j].emplace(*d.store, events[which[j]], d, time_budget_ns, tracing);
      }
      stops[j] = evaluations[j]->next();
    } catch (...) {
      stops[j] = {};
      failed(which[j], std::current_exception());
    }
  };
  // The batch in slices, pipelined: while a worker runs one slice's request, this thread runs the
  // in-process rules of the next slice up to its next stop (two cores: both work at once).
  const std::size_t slices = std::max<std::size_t>(1, (n + kSlice / 2) / kSlice);
  auto begin_of = [&](std::size_t s) { return n * s / slices; };
  constexpr std::size_t kNone = SIZE_MAX;
  std::size_t flying = kNone;  // the slice whose request is out
  Flight flight;
  // After a request: each run that is done goes on; one not reached is sent again.
  auto settle = [&](std::size_t s, IsolatedPlugin* plugin) {
    for (std::size_t j = begin_of(s); j < begin_of(s + 1); ++j) {
      if (stops[j].plugin != plugin || !runs[j].done) continue;
      if (runs[j].error) {
        stops[j] = {};
        failed(which[j], runs[j].error);
      } else {
        to_step[j] = 1;
      }
    }
  };
  auto land = [&] {
    collect(flight);
    settle(std::exchange(flying, kNone), flight.plugin);
  };
  std::vector<IsolatedRun*> group;
  for (;;) {
    bool waiting = false;  // some slice has a stop to send
    for (std::size_t s = 0; s < slices; ++s) {
      if (s == flying) continue;
      const std::size_t begin = begin_of(s), end = begin_of(s + 1);
      for (std::size_t j = begin; j < end; ++j)
        if (to_step[j]) {
          to_step[j] = 0;
          step(j);
        }
      // Every event of the slice waiting at the same plugin goes in one request.
      IsolatedPlugin* plugin = nullptr;
      for (std::size_t j = begin; j < end && !plugin; ++j) plugin = stops[j].plugin;
      if (!plugin) continue;
      waiting = true;
      group.clear();
      for (std::size_t j = begin; j < end; ++j)
        if (stops[j].plugin == plugin) {
          const Decision& d = out[which[j]];
          runs[j] = IsolatedRun{};
          runs[j].store = d.store;
          runs[j].rules = stops[j].rules;
          runs[j].event = &events[which[j]];
          runs[j].out = &out[which[j]];
          group.push_back(&runs[j]);
        }
      if (flying != kNone) land();
      if (submit(*plugin, group, flight))
        flying = s;
      else
        settle(s, plugin);
    }
    if (!waiting) {
      if (flying == kNone) return;
      land();
    }
  }
}

void start_isolation(ConfigSnapshot& snap) {
  for (PluginSlot& slot : snap.stores.front().plugins) {
    if (!slot.isolation.process) continue;
    bool enabled = false;  // anywhere: a store may switch on what the top level leaves off
    for (const StoreConfig& store : snap.stores)
      for (const PluginSlot& s : store.plugins)
        enabled = enabled || (s.name == slot.name && s.enabled);
    if (!enabled) continue;
    auto iso = std::make_shared<IsolatedPlugin>(snap, slot);
    snap.isolated.push_back(iso);
  }
  for (StoreConfig& store : snap.stores)
    for (PluginSlot& slot : store.plugins)
      for (const auto& iso : snap.isolated)
        if (slot.name == iso->name()) slot.isolated = iso.get();
}

nlohmann::json isolation_stats_json(const ConfigSnapshot& snap) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& iso : snap.isolated) out[iso->name()] = iso->stats();
  return out;
}

ReleaseWhileWaiting::ReleaseWhileWaiting(Fn release, Fn reacquire, void* arg)
    : release_(release), reacquire_(reacquire), arg_(arg), previous_(t_wait_hooks) {
  t_wait_hooks = this;
}

ReleaseWhileWaiting::~ReleaseWhileWaiting() {
  t_wait_hooks = previous_;
}

ReleaseWhileWaiting::Scope::Scope() : hooks_(t_wait_hooks) {
  if (hooks_) hooks_->release_(hooks_->arg_);
}

ReleaseWhileWaiting::Scope::~Scope() {
  if (hooks_) hooks_->reacquire_(hooks_->arg_);
}

}  // namespace shoprules::host
