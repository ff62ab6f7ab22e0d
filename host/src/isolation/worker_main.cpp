// shoprules-worker: the process an isolated plugin runs in. Started once per plugin as a template
// (it loads and checks the plugin, then waits); each worker is a fork of it, serving requests
// over shared memory until it is killed, crashes, or its host goes away.
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "channel.hpp"
#include "control.hpp"
#include "shoprules/host/config.hpp"
#include "shoprules/host/decision.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/plugin_loader.hpp"
#include "wire.hpp"

using namespace shoprules;
using namespace shoprules::host;
using namespace shoprules::host::isolation;

namespace {

ChannelHead* g_head = nullptr;  // the serving worker's channel, for the out-of-memory handler

/// An allocation past RLIMIT_AS: say so where the host will look, and end.
void out_of_memory() {
  if (g_head) g_head->out_of_memory.store(1, std::memory_order_seq_cst);
  _exit(86);
}

/// Rebuilds, from the host's config area, a store per host store holding this plugin's rules at
/// the host's indices (other plugins' rules stay empty: the worker never runs them).
std::vector<StoreConfig> read_stores(const PluginPtr& plugin, const char* area, std::size_t size) {
  wire::Reader r(area, size);
  const std::string name(r.str());
  const PluginDescriptor& d = *plugin->descriptor;
  std::vector<StoreConfig> stores(r.count(16));
  for (StoreConfig& s : stores) {
    s.seed_hash = r.pod<std::uint64_t>();
    s.currency = r.str();
    const std::uint32_t total = r.u32();
    if (!r.ok() || total > 1000000) _exit(2);
    s.rules.resize(total);
    PluginSlot slot;
    slot.plugin = plugin;
    slot.name = name;
    s.plugins.push_back(std::move(slot));
    const std::uint32_t own = r.count(13);
    for (std::uint32_t k = 0; k < own && r.ok(); ++k) {
      const std::uint32_t index = r.u32();
      const std::uint32_t spec = r.u32();
      if (index >= total || spec >= d.rule_count) _exit(2);
      RuleSlot& rule = s.rules[index];
      rule.spec = &d.rules[spec];
      rule.id = rule.spec->id;
      rule.enabled = r.u8() != 0;
      const std::uint32_t values = r.count(25);
      if (values != rule.spec->param_count) _exit(2);
      for (std::uint32_t v = 0; v < values; ++v) {
        ParamValue& pv = rule.values.emplace_back();
        pv.b = r.u8() != 0;
        pv.i = r.i64();
        pv.d = r.pod<double>();
        pv.s = r.str();
        // A map holds at most what its param declares; anything else is not the host's config.
        const ParamSpec& spec = rule.spec->params[v];
        const std::uint32_t entries = r.count(20);
        if (entries > (spec.type == ParamType::Map ? spec.max_entries : 0) ||
            entries > kMaxMapEntries)
          _exit(2);
        pv.map.entries.resize(entries);
        for (MapEntry& e : pv.map.entries) {
          e.key = r.str();
          e.i = r.i64();
          e.d = r.pod<double>();
        }
      }
    }
    s.stats = std::make_unique<RuleStats[]>(total);
    s.evaluations = std::make_unique<std::atomic<std::uint64_t>>(0);
    gather_calls(s);
  }
  if (!r.ok()) _exit(2);
  return stores;
}

/// Answers a batch of requests, one at a time: after each, its answer (actions and trace entries)
/// is in the response area and `completed` counts it, so a crash on a later one loses nothing
/// before it. Status 1: a request it cannot read; 2: output larger than the response area.
void answer(const std::vector<StoreConfig>& stores, void* base, Event& event, Decision& out) {
  ChannelHead& head = *static_cast<ChannelHead*>(base);
  wire::Reader req(request_area(base), std::min<std::size_t>(head.request_size, kRequestBytes));
  wire::Writer res(response_area(base), kResponseBytes);
  const std::uint32_t count = req.count(8);
  std::vector<std::uint32_t> rules;
  for (std::uint32_t item = 0; item < count; ++item) {
    const std::uint32_t store = req.u32();
    rules.resize(req.count(4));
    for (auto& index : rules) index = req.u32();
    out.actions.clear();
    out.trace.clear();
    bool ok = req.ok() && store < stores.size() && wire::read_event(req, event) &&
              wire::read_actions(req, out.actions);
    for (std::uint32_t index : rules)
      ok = ok && index < stores[store].rules.size() && stores[store].rules[index].spec;
    if (!ok) {
      head.status.store(1, std::memory_order_relaxed);
      return;
    }
    run_rules(stores[store], rules, event, out);
    wire::write_actions(res, out.actions);
    res.u32(static_cast<std::uint32_t>(out.trace.size()));
    for (const TraceEntry& t : out.trace) {
      res.u8(static_cast<std::uint8_t>(t.outcome));
      res.u8(t.why != nullptr);
      res.str(t.why ? t.why : "");
      res.str(t.detail);
    }
    if (!res.ok()) {
      head.status.store(2, std::memory_order_relaxed);
      return;
    }
    head.response_size = static_cast<std::uint32_t>(res.size());
    head.completed.store(item + 1, std::memory_order_release);
  }
}

[[noreturn]] void serve(const PluginPtr& plugin, void* base, pid_t template_pid) {
  ChannelHead& head = *static_cast<ChannelHead*>(base);
  g_head = &head;
  const std::vector<StoreConfig> stores =
      read_stores(plugin, config_area(base), std::min<std::size_t>(head.config_size, kConfigBytes));
  Event event;
  Decision out;
  std::uint32_t last = 0;  // the host numbers requests from 1; request 1 may be there already
  for (;;) {
    // Spin a little after each answer (the next request of a batch comes at once), then sleep;
    // wake every 200 ms to check that the template, and through it the host, still lives.
    const std::uint32_t seq =
        wait_for(head.request, last, head.worker_waiting, std::chrono::microseconds(100),
                 std::chrono::milliseconds(200), [&](std::chrono::nanoseconds&) {
                   if (getppid() != template_pid) _exit(0);
                   return true;
                 });
    answer(stores, base, event, out);
    publish(head.response, seq, head.host_waiting);
    last = seq;
  }
}

struct Child {
  void* base = nullptr;
};

/// A worker just forked from the template: limits, then serving.
[[noreturn]] void become_worker(const PluginPtr& plugin, void* base, int memory_mb,
                                pid_t template_pid, int signal_fd,
                                const std::map<pid_t, Child>& siblings) {
  close(kControlFd);
  close(signal_fd);
  // The template's mappings of the other workers' channels: not this worker's to touch, and they
  // would count against its address-space limit.
  for (const auto& [pid, sibling] : siblings) munmap(sibling.base, kChannelBytes);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != template_pid) _exit(0);  // the template died before PDEATHSIG was set
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  std::set_new_handler(out_of_memory);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // Sanitizers reserve terabytes of shadow address space: no address-space limit under them.
  const rlim_t bytes = static_cast<rlim_t>(memory_mb) << 20;
  struct rlimit limit {
    bytes, bytes
  };
  setrlimit(RLIMIT_AS, &limit);
#else
  (void)memory_mb;
#endif
  serve(plugin, base, template_pid);
}

/// Writes how a worker ended into its channel and wakes the host waiting on it.
void report_death(Child& child, int status) {
  auto& head = *static_cast<ChannelHead*>(child.base);
  head.wait_status.store(status, std::memory_order_seq_cst);
  publish(head.response, kDied, head.host_waiting);
  munmap(child.base, kChannelBytes);
}

/// This process's children, from /proc (workers, and what their plugins forked and left here).
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  const pid_t self = getpid();
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* e = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid <= 0) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    FILE* f = std::fopen(path, "r");
    if (!f) continue;
    char line[512] = {};
    const std::size_t n = std::fread(line, 1, sizeof line - 1, f);
    std::fclose(f);
    const char* paren = std::strrchr(line, ')');  // the name may hold anything but ends at ')'
    int ppid = 0;
    if (n > 0 && paren && std::sscanf(paren + 1, " %*c %d", &ppid) == 1 && ppid == self)
      out.push_back(pid);
  }
  closedir(proc);
  return out;
}

/// Kills and reaps every worker, then whatever their plugins forked (orphans come to this process,
/// a subreaper), so nothing is left behind, not even a zombie; then ends.
[[noreturn]] void shut_down(std::map<pid_t, Child>& children) {
  for (auto& [pid, child] : children) kill(pid, SIGKILL);
  for (auto& [pid, child] : children)
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  for (int round = 0; round < 10; ++round) {
    const std::vector<pid_t> left = own_children();
    if (left.empty()) break;
    for (pid_t pid : left) kill(pid, SIGKILL);
    for (pid_t pid : left)
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
  }
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "shoprules-worker: started by the shoprules host, not by hand\n");
    return 2;
  }
  const pid_t host_pid = static_cast<pid_t>(std::atol(argv[3]));
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // what a plugin forks and abandons is reaped here
  PluginPtr plugin;
  try {
    plugin = load_plugin_fd(std::string(argv[1]) + ".so", kPluginFd, argv[2]);
    if (plugin->name() != argv[1]) throw std::runtime_error("holds another plugin");
  } catch (const std::exception& e) {
    send_control(kControlFd, error_message(e.what()));
    return 1;
  }
  ControlMessage ready;
  ready.cmd = 'R';
  if (!send_control(kControlFd, ready)) return 0;

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  const int signal_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  const pid_t self = getpid();
  std::map<pid_t, Child> children;
  for (;;) {
    struct pollfd fds[2] = {{kControlFd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    const int n = poll(fds, 2, 1000);
    if (getppid() != host_pid) shut_down(children);
    if (n <= 0) continue;  // a timeout or EINTR: look again
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(signal_fd, &info, sizeof info) > 0) {
      }
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = children.find(pid);
        if (it == children.end()) continue;  // something a plugin forked
        report_death(it->second, status);
        children.erase(it);
      }
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ControlMessage m;
    int fd = -1;
    if (!recv_control(kControlFd, m, &fd)) shut_down(children);  // the host closed or died
    if (m.cmd == 'S') {
      void* base = fd >= 0 ? mmap(nullptr, kChannelBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                           : MAP_FAILED;
      if (fd >= 0) close(fd);
      if (base == MAP_FAILED) {
        send_control(kControlFd, error_message("cannot map the channel"));
        continue;
      }
      const pid_t pid = fork();
      if (pid == 0) become_worker(plugin, base, m.value, self, signal_fd, children);
      if (pid < 0) {
        munmap(base, kChannelBytes);
        send_control(kControlFd, error_message("fork failed"));
        continue;
      }
      children[pid].base = base;
      ControlMessage started;
      started.cmd = 'P';
      started.value = pid;
      send_control(kControlFd, started);
    } else if (m.cmd == 'K') {
      if (children.count(m.value)) kill(m.value, SIGKILL);
      ControlMessage done;
      done.cmd = 'k';
      send_control(kControlFd, done);
    } else if (fd >= 0) {
      close(fd);
    }
  }
}
