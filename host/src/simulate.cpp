// simulate: a reader thread cuts the log into chunks of whole lines; workers parse, evaluate and
// tally them; the tallies are merged at the end, so no lock is taken per event.
#include "shoprules/host/simulate.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "shoprules/goodwill.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/event_line.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/time.hpp"

namespace shoprules::host {
namespace {

using nlohmann::json;
using Money = std::map<std::string, std::int64_t>;  // by currency

struct Tally {
  std::int64_t count = 0;
  Money money;

  void add(const Tally& other) {
    count += other.count;
    for (const auto& [currency, amount] : other.money) money[currency] += amount;
  }
  json to_json() const { return {{"count", count}, {"money", money}}; }
};

struct ConfigTally {
  std::map<std::string, Tally> by_type, by_rule;
  Money goodwill;
  std::int64_t points_awarded = 0, points_revoked = 0, points_expired = 0;
  std::map<std::string, std::int64_t> rule_errors;

  void add(const ConfigTally& o) {
    for (const auto& [k, t] : o.by_type) by_type[k].add(t);
    for (const auto& [k, t] : o.by_rule) by_rule[k].add(t);
    for (const auto& [k, v] : o.goodwill) goodwill[k] += v;
    points_awarded += o.points_awarded;
    points_revoked += o.points_revoked;
    points_expired += o.points_expired;
    for (const auto& [k, v] : o.rule_errors) rule_errors[k] += v;
  }
};

struct WorkerResult {
  std::vector<ConfigTally> configs;
  std::int64_t events = 0, bad = 0;
  std::vector<std::pair<std::int64_t, std::string>> bad_examples;
  std::int64_t first_at = INT64_MAX, last_at = INT64_MIN;
};

struct Chunk {
  std::string text;
  std::int64_t first_line = 1;
  std::int64_t lines = 0;
};

/// What the workers have finished, for the progress line.
struct Progress {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::int64_t> lines{0};
};

/// A bounded queue: the reader waits when the workers fall behind, so memory stays flat.
class ChunkQueue {
 public:
  void push(Chunk c) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return chunks_.size() < kMax; });
    chunks_.push_back(std::move(c));
    ready_.notify_one();
  }
  bool pop(Chunk& c) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return false;
    c = std::move(chunks_.front());
    chunks_.pop_front();
    space_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  static constexpr std::size_t kMax = 16;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Chunk> chunks_;
  bool closed_ = false;
};

/// The money of the action types "the next rules" added: an exchange ships goods at the price paid
/// for the returned line (less any charge); expiring points is a saving, at `point_value` each.
std::int64_t next_rules_money(const Action& a, const Event& ev, const SimulationCosts& costs) {
  if (a.type == "exchange.ship") {
    const Value* sku = a.param("returned_sku");
    const OrderLine* line = sku ? ev.order.find_line(sku->as_string()) : nullptr;
    const std::int64_t qty = line ? std::min(a.int_param("qty", 1), line->qty) : 0;
    return (line ? line->price * qty : 0) - a.int_param("charge");
  }
  if (a.type == "points.expire") return -a.int_param("points") * costs.point_value;
  return 0;
}

/// What an action costs the shop (see README, "simulate"): refunds with their bonus, coupons (a
/// percentage of the subtotal), gifts' value, replaced goods at their price, and the costs the
/// options put on prepaid labels, pickups and upgrades.
std::int64_t money_of(const Action& a, const Event& ev, const SimulationCosts& costs) {
  if (a.type == "refund.issue") return a.int_param("amount") + a.int_param("bonus");
  if (a.type == "coupon.issue") return coupon_value(a, ev);
  if (a.type == "gift.send") return a.int_param("value");
  if (a.type == "replacement.ship") {
    std::int64_t goods = 0;
    if (const Value* skus = a.param("skus"))
      for (const Value& sku : skus->items())
        if (const OrderLine* line = ev.order.find_line(sku.as_string()))
          goods += line->price * line->qty;
    return goods - a.int_param("charge");
  }
  if (a.type == "return.approve") {
    const Value* label = a.param("label");
    const Value* pickup = a.param("pickup");
    std::int64_t cost = label && label->as_string() == "prepaid" ? costs.label : 0;
    return cost + (pickup && pickup->as_bool() ? costs.pickup : 0);
  }
  if (a.type == "shipping.upgrade") return costs.upgrade;
  return next_rules_money(a, ev, costs);
}

void tally(const Decision& d, const Event& ev, const SimulationCosts& costs, ConfigTally& t) {
  // Money on an event without an order is in the store's currency, so every amount has one.
  const std::string currency = ev.has_order ? std::string(ev.order.currency) : d.store->currency;
  for (const Action& a : d.actions) {
    if (!a.is_kept()) continue;
    const std::int64_t money = money_of(a, ev, costs);
    for (Tally* slot : {&t.by_type[a.type], &t.by_rule[d.store->rule_name(a.origin)]}) {
      ++slot->count;
      if (money) slot->money[currency] += money;
    }
    if (std::int64_t g = goodwill_value(a, ev)) t.goodwill[currency] += g;
    if (a.type == "points.award") t.points_awarded += a.int_param("points");
    if (a.type == "points.revoke") t.points_revoked += a.int_param("points");
    if (a.type == "points.expire") t.points_expired += a.int_param("points");
  }
  for (const TraceEntry& e : d.trace)
    if (e.outcome == Outcome::Error) ++t.rule_errors[d.store->rule_name(e.rule)];
}

std::string too_long() {
  return "longer than the limit of " + std::to_string(kMaxEventLineBytes) + " bytes";
}

class Worker {
 public:
  Worker(const std::vector<const ConfigSnapshot*>& configs, const SimulationOptions& options)
      : configs_(configs), options_(options) {
    result.configs.resize(configs.size());
  }

  void run(ChunkQueue& queue, Progress& progress) {
    Chunk chunk;
    while (queue.pop(chunk)) {
      std::int64_t line_no = chunk.first_line;
      std::string_view text = chunk.text;
      while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        line_one(line, line_no++);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
      }
      progress.bytes += chunk.text.size();
      progress.lines += chunk.lines;
    }
  }

  WorkerResult result;

 private:
  void bad(std::int64_t line_no, std::string error) {
    ++result.bad;
    if (result.bad_examples.size() < options_.bad_lines_listed)
      result.bad_examples.emplace_back(line_no, std::move(error));
  }

  void line_one(std::string_view line, std::int64_t line_no) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    if (line.size() > kMaxEventLineBytes) return bad(line_no, too_long());
    if (std::string error = reader_.read(line, event_); !error.empty())
      return bad(line_no, std::move(error));
    stores_.clear();
    for (const ConfigSnapshot* config : configs_) {
      const StoreConfig* store = config->find(event_.store);
      if (!store)
        return bad(line_no, "store: no store named '" + std::string(event_.store) +
                                "' in the config (stores: " + config->store_names() + ")");
      stores_.push_back(store);
    }
    ++result.events;
    result.first_at = std::min(result.first_at, event_.at.seconds);
    result.last_at = std::max(result.last_at, event_.at.seconds);
    for (std::size_t k = 0; k < stores_.size(); ++k) {
      decision_.clear();
      decision_.store = stores_[k];
      try {
        evaluate_event(*stores_[k], event_, decision_, configs_[k]->time_budget_ns);
      } catch (const RuleFailure& e) {  // on_error "fail": in a replay, counted like any fault
        ++result.configs[k].rule_errors[e.plugin() + "." + e.rule()];
        continue;
      }
      tally(decision_, event_, options_.costs, result.configs[k]);
    }
  }

  const std::vector<const ConfigSnapshot*>& configs_;
  const SimulationOptions& options_;
  EventLineReader reader_;
  Event event_;
  Decision decision_;
  std::vector<const StoreConfig*> stores_;
};

void draw_progress(std::uint64_t done, std::uint64_t total, std::int64_t lines, double seconds,
                   bool last) {
  const double share = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int width = 30, filled = static_cast<int>(share * width);
  std::fprintf(stderr, "\rsimulate [%.*s%*s] %3d%%  %lld lines  %.0f lines/s%s", filled,
               "==============================", width - filled, "", static_cast<int>(share * 100),
               static_cast<long long>(lines),
               seconds > 0 ? static_cast<double>(lines) / seconds : 0.0, last ? "\n" : "");
  std::fflush(stderr);
}

std::string iso_time(std::int64_t seconds) {
  std::int64_t days = seconds / 86400, rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days (H. Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

json config_json(const ConfigSnapshot& snap, const ConfigTally& t) {
  json by_type = json::object(), by_rule = json::object(), errors = json::object();
  for (const auto& [k, v] : t.by_type) by_type[k] = v.to_json();
  for (const auto& [k, v] : t.by_rule) by_rule[k] = v.to_json();
  for (const auto& [k, v] : t.rule_errors) errors[k] = v;
  return {{"config_version", snap.version},
          {"by_type", by_type},
          {"by_rule", by_rule},
          {"goodwill", t.goodwill},
          {"points",
           {{"awarded", t.points_awarded},
            {"revoked", t.points_revoked},
            {"expired", t.points_expired}}},
          {"rule_errors", errors}};
}

}  // namespace

json simulate(const std::filesystem::path& events, const ConfigSnapshot& config,
              const ConfigSnapshot* against, const SimulationOptions& options) {
  std::ifstream in(events, std::ios::binary);
  if (!in) throw std::runtime_error(events.string() + ": cannot read the event log");
  std::error_code ec;
  const std::uint64_t total = std::filesystem::file_size(events, ec);

  std::vector<const ConfigSnapshot*> configs = {&config};
  if (against) configs.push_back(against);
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, threads);

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  ChunkQueue queue;
  Progress progress;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>(configs, options));
    pool.emplace_back([&queue, &progress, w = workers.back().get()] { w->run(queue, progress); });
  }

  constexpr std::size_t kBlock = 1 << 20;
  std::string carry;
  std::int64_t next_line = 1;
  std::uint64_t pushed = 0;  // bytes handed to the workers
  double drawn = 0;
  // A line longer than the limit is dropped as it streams by, never held whole.
  bool skipping = false;
  std::vector<std::int64_t> too_long_lines;
  while (in) {
    std::string block = std::move(carry);
    carry.clear();
    const std::size_t kept = block.size();
    block.resize(kept + kBlock);
    in.read(block.data() + kept, kBlock);
    const auto got = static_cast<std::size_t>(in.gcount());
    block.resize(kept + got);
    if (skipping) {
      const std::size_t end = block.find('\n');
      if (end == std::string::npos && in) continue;  // still inside the long line
      too_long_lines.push_back(next_line++);
      skipping = false;
      block.erase(0, end == std::string::npos ? block.size() : end + 1);
    }
    if (in) {  // more to come: hand over whole lines only
      std::size_t last = block.rfind('\n');
      if (last == std::string::npos) {
        if (block.size() > kMaxEventLineBytes)
          skipping = true;
        else
          carry = std::move(block);
        continue;
      }
      carry = block.substr(last + 1);
      block.resize(last + 1);
    }
    const auto lines = static_cast<std::int64_t>(std::count(block.begin(), block.end(), '\n'));
    const bool tail = !block.empty() && block.back() != '\n';
    const std::int64_t count = lines + (tail ? 1 : 0);
    pushed += block.size();
    queue.push(Chunk{std::move(block), next_line, count});
    next_line += count;
    if (options.progress && elapsed() - drawn >= 0.2) {
      drawn = elapsed();
      draw_progress(progress.bytes, total, progress.lines, drawn, false);
    }
  }
  queue.close();
  // The reader is done; keep the line moving until the workers are too.
  while (options.progress && progress.bytes < pushed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    draw_progress(progress.bytes, total, progress.lines, elapsed(), false);
  }
  for (auto& t : pool) t.join();
  const double seconds = elapsed();
  if (options.progress) draw_progress(total, total, next_line - 1, seconds, true);

  WorkerResult all;
  all.configs.resize(configs.size());
  all.bad = static_cast<std::int64_t>(too_long_lines.size());
  for (std::int64_t line : too_long_lines) all.bad_examples.emplace_back(line, too_long());
  for (auto& w : workers) {
    WorkerResult& r = w->result;
    all.events += r.events;
    all.bad += r.bad;
    all.bad_examples.insert(all.bad_examples.end(), r.bad_examples.begin(), r.bad_examples.end());
    all.first_at = std::min(all.first_at, r.first_at);
    all.last_at = std::max(all.last_at, r.last_at);
    for (std::size_t k = 0; k < configs.size(); ++k) all.configs[k].add(r.configs[k]);
  }
  std::sort(all.bad_examples.begin(), all.bad_examples.end());
  if (all.bad_examples.size() > options.bad_lines_listed)
    all.bad_examples.resize(options.bad_lines_listed);

  json bad = json::array();
  for (const auto& [line, error] : all.bad_examples)
    bad.push_back({{"line", line}, {"error", error}});
  json report = {{"file", events.string()},
                 {"lines", next_line - 1},
                 {"events", all.events},
                 {"bad_lines", all.bad},
                 {"bad_examples", bad},
                 {"seconds", seconds},
                 {"events_per_second", seconds > 0 ? static_cast<double>(all.events) / seconds : 0},
                 {"first_at", all.events ? json(iso_time(all.first_at)) : json(nullptr)},
                 {"last_at", all.events ? json(iso_time(all.last_at)) : json(nullptr)},
                 {"days", all.events ? (all.last_at - all.first_at + 86399) / 86400 : 0},
                 {"configs", json::array()}};
  for (std::size_t k = 0; k < configs.size(); ++k)
    report["configs"].push_back(config_json(*configs[k], all.configs[k]));
  return report;
}

}  // namespace shoprules::host
