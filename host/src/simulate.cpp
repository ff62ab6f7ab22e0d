// simulate: the feeding thread cuts JSON-lines logs into chunks of whole lines, or hands over
// Arrow record batches; workers read, evaluate and tally them; the tallies are merged at the end,
// so no lock is taken per event.
#include "shoprules/host/simulate.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "shoprules/calendar.hpp"
#include "shoprules/goodwill.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/event_arrow.hpp"
#include "shoprules/host/event_line.hpp"
#include "shoprules/host/isolation.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/piece_queue.hpp"
#include "shoprules/host/threads.hpp"
#include "shoprules/host/time.hpp"
#include "shoprules/same_text.hpp"

namespace shoprules::host {
namespace {

using nlohmann::json;
using Money = std::map<std::string, std::int64_t>;  // by currency

/// Adds `v` to `sum`, noting in `overflow` a result that leaves 64 bits: a log or a plugin with
/// absurd amounts makes the replay say so, instead of report a number that wrapped around.
void add_to(std::int64_t& sum, std::int64_t v, bool& overflow) {
  overflow |= __builtin_add_overflow(sum, v, &sum);
}

struct Tally {
  std::int64_t count = 0;
  Money money;

  void add(const Tally& other, bool& overflow) {
    add_to(count, other.count, overflow);
    for (const auto& [currency, amount] : other.money) add_to(money[currency], amount, overflow);
  }
  json to_json() const { return {{"count", count}, {"money", money}}; }
};

struct ConfigTally {
  std::map<std::string, Tally> by_type, by_rule;
  Money goodwill;
  std::int64_t points_awarded = 0, points_revoked = 0, points_expired = 0;
  std::map<std::string, std::int64_t> rule_errors;
  bool overflow = false;  // a sum left 64 bits: the replay fails rather than report it

  void add(const ConfigTally& o) {
    overflow |= o.overflow;
    for (const auto& [k, t] : o.by_type) by_type[k].add(t, overflow);
    for (const auto& [k, t] : o.by_rule) by_rule[k].add(t, overflow);
    for (const auto& [k, v] : o.goodwill) add_to(goodwill[k], v, overflow);
    add_to(points_awarded, o.points_awarded, overflow);
    add_to(points_revoked, o.points_revoked, overflow);
    add_to(points_expired, o.points_expired, overflow);
    for (const auto& [k, v] : o.rule_errors) rule_errors[k] += v;
  }
};

/// A bad line or row, quoted by its source and number.
struct BadExample {
  std::string file;
  std::int64_t number = 0;
  bool row = false;  // a Parquet row (0-based), else a JSON line (1-based)
  std::string error;

  bool operator<(const BadExample& o) const {
    return std::tie(file, number) < std::tie(o.file, o.number);
  }
};

struct WorkerResult {
  std::vector<ConfigTally> configs;
  std::int64_t events = 0, bad = 0;
  std::vector<BadExample> bad_examples;
  std::int64_t first_at = INT64_MAX, last_at = INT64_MIN;
};

/// Rows of a record batch per chunk: a batch of the default 65,536 rows makes 8, so threads share
/// a short log's few batches evenly.
constexpr std::int64_t kPieceRows = 8192;
// A piece of a kept batch holds whole windows of its events (see kept_in_groups).
static_assert(kPieceRows % ArrowEventBatch::Events::kWindow == 0);

/// The '\n' in `text`, found with memchr (a vectorised scan) rather than a byte-by-byte count.
std::int64_t count_newlines(std::string_view text) {
  std::int64_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

/// What zlib says went wrong with `file`, without the file's name it puts first.
std::string zlib_error(gzFile in, const std::filesystem::path& file) {
  int code = Z_OK;
  std::string_view message = gzerror(in, &code);
  const std::string prefix = file.string() + ": ";
  if (message.substr(0, prefix.size()) == prefix) message.remove_prefix(prefix.size());
  return std::string(message);
}

/// One piece of work: whole JSON lines, or rows of an Arrow batch.
struct Chunk {
  std::string text;  // whole lines, then EventLineReader::kPadding bytes that are not part of them
  std::shared_ptr<const ArrowEventBatch> batch;
  std::int64_t begin = 0, end = 0;  // the batch's rows this chunk stands for
  std::shared_ptr<const std::string> source;
  std::int64_t first_line = 1;  // of the text (1-based), or the batch's first row (0-based)
  std::int64_t lines = 0;
  std::uint64_t bytes = 0;  // the share of the source it stands for, for progress
  // A batch's pieces share one place in the queue (PieceQueue): the first takes it, the last
  // gives it back. A chunk of lines is one piece that does both.
  bool opens = true, closes = true;
};

/// What the workers have finished, for the progress line.
struct Progress {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::int64_t> lines{0};
  std::atomic<bool> cancelled{false};
};

/// The action types a report counts money or points of, told apart once per type name.
enum class Known : std::uint8_t {
  Other,
  Refund,
  Coupon,
  Gift,
  Replacement,
  ReturnApprove,
  ShippingUpgrade,
  ExchangeShip,
  PointsAward,
  PointsRevoke,
  PointsExpire
};

Known known_of(std::string_view type) {
  static constexpr std::pair<std::string_view, Known> kNames[] = {
      {"refund.issue", Known::Refund},
      {"coupon.issue", Known::Coupon},
      {"gift.send", Known::Gift},
      {"replacement.ship", Known::Replacement},
      {"return.approve", Known::ReturnApprove},
      {"shipping.upgrade", Known::ShippingUpgrade},
      {"exchange.ship", Known::ExchangeShip},
      {"points.award", Known::PointsAward},
      {"points.revoke", Known::PointsRevoke},
      {"points.expire", Known::PointsExpire}};
  for (const auto& [name, known] : kNames)
    if (same_text(type, name)) return known;
  return Known::Other;
}

/// What an action costs the shop (see README, "simulate"): refunds with their bonus, coupons (a
/// percentage of the subtotal), gifts' value, replaced goods at their price, the costs the
/// options put on prepaid labels, pickups and upgrades; an exchange ships goods at the price paid
/// for the returned line (less any charge); expiring points is a saving, at `point_value` each.
/// Worked out in 128 bits; a result outside 64 bits is noted in `overflow`.
std::int64_t money_of(Known known, const Action& a, const Event& ev, const SimulationCosts& costs,
                      bool& overflow) {
  using Wide = __int128;
  Wide m = 0;
  switch (known) {
    case Known::Refund:
      m = Wide{a.int_param("amount")} + a.int_param("bonus");
      break;
    case Known::Coupon:
      m = coupon_value(a, ev);  // a checked action's percent is 0..100: it fits in 64 bits
      break;
    case Known::Gift:
      m = a.int_param("value");
      break;
    case Known::Replacement:
      if (const Value* skus = a.param("skus"))
        for (const Value& sku : skus->items())
          if (const OrderLine* line = ev.order.find_line(sku.as_string()))
            m += Wide{line->price} * line->qty;
      m -= a.int_param("charge");
      break;
    case Known::ReturnApprove: {
      const Value* label = a.param("label");
      const Value* pickup = a.param("pickup");
      m = Wide{label && label->as_string() == "prepaid" ? costs.label : 0} +
          (pickup && pickup->as_bool() ? costs.pickup : 0);
      break;
    }
    case Known::ShippingUpgrade:
      m = costs.upgrade;
      break;
    case Known::ExchangeShip: {
      const Value* sku = a.param("returned_sku");
      const OrderLine* line = sku ? ev.order.find_line(sku->as_string()) : nullptr;
      const std::int64_t qty = line ? std::min(a.int_param("qty", 1), line->qty) : 0;
      m = (line ? Wide{line->price} * qty : 0) - a.int_param("charge");
      break;
    }
    case Known::PointsExpire:
      m = -Wide{a.int_param("points")} * costs.point_value;
      break;
    case Known::PointsAward:
    case Known::PointsRevoke:
    case Known::Other:
      break;
  }
  if (m > INT64_MAX || m < INT64_MIN) {
    overflow = true;
    return 0;
  }
  return static_cast<std::int64_t>(m);
}

/// A worker's running tally for one config: counts and money in flat arrays indexed by rule, by
/// interned action type and by interned currency, so an action costs no map lookup and no string
/// built; `into` turns it into the named ConfigTally once, at the end.
class FlatTally {
 public:
  void add(const Decision& d, const Event& ev, const SimulationCosts& costs) {
    const std::size_t currency =
        currency_id(ev.has_order ? std::string_view(ev.order.currency) : d.store->currency);
    StoreCells& store = cells_of(d.store);
    for (const Action& a : d.actions) {
      if (!a.is_kept()) continue;
      const std::size_t type = type_id(store, a);
      const Known known = types_[type].known;
      const std::int64_t money = money_of(known, a, ev, costs, overflow_);
      for (Cell* cell : {&by_type_[type], &store.by_rule[a.origin]}) {
        ++cell->count;
        if (money) add_money(cell->money, currency, money);
      }
      switch (known) {
        case Known::Refund:  // the types goodwill_value counts: only they pay its compares
        case Known::Gift:
          add_money(goodwill_, currency, goodwill_value(a, ev));
          break;
        case Known::Coupon:  // its worth, as goodwill_value gives it, is its money above
          add_money(goodwill_, currency, money);
          break;
        case Known::PointsAward:
          add_to(points_awarded_, a.int_param("points"), overflow_);
          break;
        case Known::PointsRevoke:
          add_to(points_revoked_, a.int_param("points"), overflow_);
          break;
        case Known::PointsExpire:
          add_to(points_expired_, a.int_param("points"), overflow_);
          break;
        default:
          break;
      }
    }
    for (const TraceEntry& e : d.trace)
      if (e.outcome == Outcome::Error) ++store.errors[e.rule];
  }

  /// Adds what this tally counted to `t`, by name.
  void into(ConfigTally& t) const {
    t.overflow |= overflow_;
    const auto money = [&](const std::vector<Sum>& by_currency, Money& out) {
      for (std::size_t c = 0; c < by_currency.size(); ++c)
        if (by_currency[c].seen) add_to(out[currencies_[c]], by_currency[c].value, t.overflow);
    };
    const auto cell = [&](const Cell& from, Tally& to) {
      add_to(to.count, from.count, t.overflow);
      money(from.money, to.money);
    };
    for (std::size_t k = 0; k < types_.size(); ++k)
      if (by_type_[k].count) cell(by_type_[k], t.by_type[types_[k].name]);
    for (const auto& [store, cells] : stores_) {
      for (std::size_t r = 0; r < cells.by_rule.size(); ++r)
        if (cells.by_rule[r].count)
          cell(cells.by_rule[r], t.by_rule[store->rule_name(static_cast<std::uint32_t>(r))]);
      for (std::size_t r = 0; r < cells.errors.size(); ++r)
        if (cells.errors[r])
          t.rule_errors[store->rule_name(static_cast<std::uint32_t>(r))] += cells.errors[r];
    }
    money(goodwill_, t.goodwill);
    add_to(t.points_awarded, points_awarded_, t.overflow);
    add_to(t.points_revoked, points_revoked_, t.overflow);
    add_to(t.points_expired, points_expired_, t.overflow);
  }

 private:
  struct Sum {
    std::int64_t value = 0;
    bool seen = false;  // a currency named once stays in the report, even if it sums to 0
  };
  struct Cell {
    std::int64_t count = 0;
    std::vector<Sum> money;  // by currency id
  };
  struct StoreCells {
    std::vector<Cell> by_rule;
    std::vector<std::int64_t> errors;
    std::vector<std::uint32_t> last_type;  // by rule: the type id its last action had
  };
  struct Type {
    std::string name;
    Known known;
  };

  void add_money(std::vector<Sum>& by_currency, std::size_t c, std::int64_t v) {
    if (!v) return;
    if (by_currency.size() <= c) by_currency.resize(c + 1);
    add_to(by_currency[c].value, v, overflow_);
    by_currency[c].seen = true;
  }

  std::size_t currency_id(std::string_view currency) {
    if (last_currency_ < currencies_.size() && currencies_[last_currency_] == currency)
      return last_currency_;
    for (last_currency_ = 0; last_currency_ < currencies_.size(); ++last_currency_)
      if (currencies_[last_currency_] == currency) return last_currency_;
    currencies_.emplace_back(currency);
    return last_currency_;
  }

  StoreCells& cells_of(const StoreConfig* store) {
    if (store == last_store_) return *last_cells_;
    auto [it, fresh] = stores_.try_emplace(store);
    if (fresh) {
      it->second.by_rule.resize(store->rules.size());
      it->second.errors.resize(store->rules.size());
      it->second.last_type.assign(store->rules.size(), UINT32_MAX);
    }
    last_store_ = store;
    last_cells_ = &it->second;
    return it->second;
  }

  std::size_t type_id(StoreCells& store, const Action& a) {
    std::uint32_t& last = store.last_type[a.origin];  // a rule mostly emits one type
    if (last < types_.size() && same_text(types_[last].name, a.type)) return last;
    for (last = 0; last < types_.size(); ++last)
      if (same_text(types_[last].name, a.type)) return last;
    types_.push_back({a.type, known_of(a.type)});
    by_type_.emplace_back();
    return last;
  }

  std::vector<std::string> currencies_;
  std::size_t last_currency_ = 0;
  std::vector<Type> types_;
  std::vector<Cell> by_type_;  // by type id
  std::map<const StoreConfig*, StoreCells> stores_;
  const StoreConfig* last_store_ = nullptr;
  StoreCells* last_cells_ = nullptr;
  std::vector<Sum> goodwill_;  // by currency id
  std::int64_t points_awarded_ = 0, points_revoked_ = 0, points_expired_ = 0;
  bool overflow_ = false;  // a sum or an action's money left 64 bits
};

std::string too_long() {
  return "longer than the limit of " + std::to_string(kMaxEventLineBytes) + " bytes";
}

class Worker {
 public:
  Worker(const std::vector<const ConfigSnapshot*>& configs, const SimulationOptions& options)
      : configs_(configs), options_(options) {
    result.configs.resize(configs.size());
    decision_.keep_reasons = false;  // a report shows none: the rules need not write them
  }

  /// Whether the replay was cancelled: asked between events, so that a slow rule does not hold a
  /// cancelled replay to the end of its piece.
  static bool stopped(const Progress& progress) {
    return progress.cancelled.load(std::memory_order_relaxed);
  }

  void run(PieceQueue<Chunk>& queue, Progress& progress) {
    Chunk chunk;
    while (queue.pop(chunk)) {
      if (stopped(progress)) continue;  // drain, skip the work
      source_ = chunk.source.get();
      if (chunk.batch) {
        row_ = true;
        // A batch that keeps its events is read once, by the first replay, and kept for the next.
        const ArrowEventBatch::Events* kept =
            chunk.batch->keeps_events() ? &chunk.batch->events() : nullptr;
        if (batch_)
          rows_batched(chunk, kept, progress);
        else if (kept)
          kept_in_groups(chunk, *kept, progress);
        else
          rows_in_blocks(chunk, progress);
      } else {
        row_ = false;
        std::int64_t line_no = chunk.first_line;
        std::string_view text(chunk.text.data(), chunk.text.size() - EventLineReader::kPadding);
        while (!text.empty() && !stopped(progress)) {
          std::size_t end = text.find('\n');
          std::string_view line = text.substr(0, end);
          line_one(line, line_no++, progress);
          if (end == std::string_view::npos) break;
          text.remove_prefix(end + 1);
        }
        flush_block(progress);
      }
      chunk.batch.reset();  // the batch's memory goes back before the next is taken
      progress.bytes += chunk.bytes;
      progress.lines += chunk.lines;
    }
    flush_batch();
    for (std::size_t k = 0; k < configs_.size(); ++k) tallies_[k].into(result.configs[k]);
  }

  WorkerResult result;

 private:
  void bad(std::int64_t line_no, std::string error) {
    ++result.bad;
    if (result.bad_examples.size() < options_.bad_lines_listed)
      result.bad_examples.push_back(
          {source_ ? *source_ : std::string(), line_no, row_, std::move(error)});
  }

  /// An Arrow chunk's rows, with isolated plugins: each into the next slot of the batch.
  void rows_batched(const Chunk& chunk, const ArrowEventBatch::Events* kept,
                    const Progress& progress) {
    for (std::int64_t r = chunk.begin; r < chunk.end && !stopped(progress); ++r) {
      const std::int64_t row_no = chunk.first_line + r;
      if (kept) {
        const auto i = static_cast<std::size_t>(r);
        if (!kept->errors[i].empty())
          bad(row_no, kept->errors[i]);
        else
          row_ready(row_no, kept->events[static_cast<std::size_t>(kept->slots[i])]);
        continue;
      }
      Event& event = batch_->events[batch_->size];
      if (std::string error = chunk.batch->read(r, event); !error.empty())
        bad(row_no, std::move(error));
      else
        row_ready(row_no, event);
    }
    flush_batch();  // the batched rows' text lives in the Arrow batch, which goes next
  }

  /// An Arrow chunk's rows, read a block at a time (see Block).
  void rows_in_blocks(const Chunk& chunk, const Progress& progress) {
    for (std::int64_t r = chunk.begin; r < chunk.end && !stopped(progress); ++r) {
      const std::size_t j = block_.size++;
      block_.errors[j] = chunk.batch->read(r, block_.events[j]);
      block_.rows[j] = chunk.first_line + r;
      if (block_.size == Block::kSize) flush_block(progress);
    }
    flush_block(progress);  // the block's text lives in the Arrow batch, which goes next
  }

  /// A kept chunk's events (read by an earlier replay), in the order they are stored: grouped by
  /// type within each window (ArrowEventBatch::Events). Bad rows are counted first, in their
  /// order; an event is then never bad, unless it names a store a config lacks: then, so that
  /// bad rows keep the log's order, the chunk goes row by row.
  void kept_in_groups(const Chunk& chunk, const ArrowEventBatch::Events& kept,
                      const Progress& progress) {
    using Events = ArrowEventBatch::Events;
    const bool whole_windows = chunk.begin % Events::kWindow == 0 &&
                               (chunk.end % Events::kWindow == 0 ||
                                chunk.end == static_cast<std::int64_t>(kept.rows.size()));
    bool known_stores = kept.few_stores && whole_windows;
    for (const ConfigSnapshot* config : configs_)
      for (std::string_view store : kept.stores) known_stores = known_stores && config->find(store);
    if (!known_stores) {
      for (std::int64_t r = chunk.begin; r < chunk.end && !stopped(progress); ++r) {
        const auto i = static_cast<std::size_t>(r);
        if (!kept.errors[i].empty())
          bad(chunk.first_line + r, kept.errors[i]);
        else if (const Event& ev = kept.events[static_cast<std::size_t>(kept.slots[i])];
                 find_stores(chunk.first_line + r, ev))
          evaluate_found(ev);
      }
      return;
    }
    for (auto b = std::lower_bound(kept.bad.begin(), kept.bad.end(), chunk.begin);
         b != kept.bad.end() && *b < chunk.end; ++b)
      bad(chunk.first_line + *b, kept.errors[static_cast<std::size_t>(*b)]);
    for (std::int64_t slot = chunk.begin; slot < chunk.end && !stopped(progress); ++slot) {
      const std::int64_t row = kept.rows[static_cast<std::size_t>(slot)];
      if (row < 0) continue;  // a bad row's slot
      const Event& ev = kept.events[static_cast<std::size_t>(slot)];
      if (find_stores(chunk.first_line + row, ev)) evaluate_found(ev);  // (always found)
    }
  }

  void line_one(std::string_view line, std::int64_t line_no, const Progress& progress) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    if (batch_) {
      if (line.size() > kMaxEventLineBytes) return bad(line_no, too_long());
      return line_batched(line, line_no);
    }
    // A long line is read alone, by a reader of its own: a parser keeps the memory of the
    // longest line it read, and the block's readers see only short ones.
    const bool long_line = line.size() > Block::kLineBytes;
    if (long_line) flush_block(progress);
    const std::size_t j = block_.size++;
    block_.rows[j] = line_no;
    if (line.size() > kMaxEventLineBytes)
      block_.errors[j] = too_long();
    else  // parsed where it is: a line in a chunk is followed by the next, or by its padding
      block_.errors[j] =
          block_.reader(long_line ? Block::kSize : j).read_padded(line, block_.events[j]);
    if (long_line || block_.size == Block::kSize) flush_block(progress);
  }

  /// Events read a block at a time, then evaluated: the reading code and the rules' code each run
  /// many times in a row instead of taking turns for every event, which keeps each in the
  /// processor's instruction cache (BENCHMARKS.md, "event-logs-instructions").
  /// An event's text lives in its chunk or in its slot's reader until the block is evaluated.
  struct Block {
    static constexpr std::size_t kSize = 32;
    static constexpr std::size_t kLineBytes = 16 << 10;  ///< longer lines are read alone
    std::vector<Event> events = std::vector<Event>(kSize);
    std::vector<std::string> errors = std::vector<std::string>(kSize);  // "" for an event read
    std::vector<std::int64_t> rows = std::vector<std::int64_t>(kSize);  // line or row numbers
    // A reader for each slot, and one more (the last) for long lines.
    std::vector<std::unique_ptr<EventLineReader>> readers = decltype(readers)(kSize + 1);
    std::size_t size = 0;

    /// The reader of slot `j`, or with kSize the reader of long lines.
    EventLineReader& reader(std::size_t j) {
      if (!readers[j]) readers[j] = std::make_unique<EventLineReader>();
      return *readers[j];
    }
  };

  /// Evaluates the block's events (and counts its bad lines) in the order they were read.
  void flush_block(const Progress& progress) {
    for (std::size_t j = 0; j < block_.size && !stopped(progress); ++j) {
      if (!block_.errors[j].empty())
        bad(block_.rows[j], std::move(block_.errors[j]));
      else if (find_stores(block_.rows[j], block_.events[j]))
        evaluate_found(block_.events[j]);
    }
    block_.size = 0;
  }

  /// The event's store in every config, into stores_; or false, the line counted as bad.
  bool find_stores(std::int64_t line_no, const Event& event) {
    stores_.clear();
    for (const ConfigSnapshot* config : configs_) {
      const StoreConfig* store = config->find(event.store);
      if (!store) {
        bad(line_no, "store: no store named '" + std::string(event.store) +
                         "' in the config (stores: " + config->store_names() + ")");
        return false;
      }
      stores_.push_back(store);
    }
    return true;
  }

  /// Evaluates `event` under every config, in the stores find_stores found, and tallies it.
  void evaluate_found(const Event& event) {
    ++result.events;
    result.first_at = std::min(result.first_at, event.at.seconds);
    result.last_at = std::max(result.last_at, event.at.seconds);
    for (std::size_t k = 0; k < stores_.size(); ++k) {
      decision_.clear();
      decision_.store = stores_[k];
      try {
        evaluate_event(*stores_[k], event, decision_, configs_[k]->time_budget_ns,
                       Tracing::ErrorsOnly);
      } catch (const RuleFailure& e) {  // on_error "fail": in a replay, counted like any fault
        ++result.configs[k].rule_errors[e.plugin() + "." + e.rule()];
        continue;
      }
      tallies_[k].add(decision_, event, options_.costs);
    }
  }

  /// With isolated plugins, events are evaluated in batches, so that each isolated plugin's
  /// worker gets many in one round trip (tallies are sums: their order does not matter).
  struct Batch {
    std::vector<std::unique_ptr<EventLineReader>> readers;  // each event's text lives in its own
    std::vector<Event> events;
    std::vector<std::vector<const StoreConfig*>> stores;  // per event, per config
    std::vector<Decision> decisions;
    std::vector<std::size_t> which;
    std::vector<bool> failed;
    std::size_t size = 0;
  };
  static constexpr std::size_t kBatch = 64;

  static std::unique_ptr<Batch> batch_for(const std::vector<const ConfigSnapshot*>& configs) {
    bool isolated = false;
    for (const ConfigSnapshot* c : configs) isolated = isolated || !c->isolated.empty();
    if (!isolated) return nullptr;
    auto b = std::make_unique<Batch>();
    for (std::size_t i = 0; i < kBatch; ++i)
      b->readers.push_back(std::make_unique<EventLineReader>());
    b->events.resize(kBatch);
    b->stores.resize(kBatch);
    b->decisions.resize(kBatch);
    for (Decision& d : b->decisions) d.keep_reasons = false;
    return b;
  }

  void line_batched(std::string_view line, std::int64_t line_no) {
    Batch& b = *batch_;
    Event& event = b.events[b.size];
    if (std::string error = b.readers[b.size]->read(line, event); !error.empty())
      return bad(line_no, std::move(error));
    event_batched(line_no);
  }

  /// A row read into `event`, with isolated plugins: put in the batch (copied there unless it was
  /// read into the batch's next slot; its text still borrows from the Arrow batch).
  void row_ready(std::int64_t row_no, const Event& event) {
    Event& slot = batch_->events[batch_->size];
    if (&slot != &event) slot = event;
    event_batched(row_no);
  }

  /// The event just put in the batch's next slot (a JSON line, an Arrow row, a kept row) joins it.
  void event_batched(std::int64_t line_no) {
    Batch& b = *batch_;
    const Event& event = b.events[b.size];
    b.stores[b.size].clear();
    for (const ConfigSnapshot* config : configs_) {
      const StoreConfig* store = config->find(event.store);
      if (!store)
        return bad(line_no, "store: no store named '" + std::string(event.store) +
                                "' in the config (stores: " + config->store_names() + ")");
      b.stores[b.size].push_back(store);
    }
    ++result.events;
    result.first_at = std::min(result.first_at, event.at.seconds);
    result.last_at = std::max(result.last_at, event.at.seconds);
    if (++b.size == kBatch) flush_batch();
  }

  void flush_batch() {
    if (!batch_ || batch_->size == 0) return;
    Batch& b = *batch_;
    b.which.resize(b.size);
    for (std::size_t j = 0; j < b.size; ++j) b.which[j] = j;
    for (std::size_t k = 0; k < configs_.size(); ++k) {
      b.failed.assign(b.size, false);
      for (std::size_t j = 0; j < b.size; ++j) {
        b.decisions[j].clear();
        b.decisions[j].store = b.stores[j][k];
      }
      evaluate_batch(b.events, b.decisions, std::span(b.which), configs_[k]->time_budget_ns,
                     Tracing::ErrorsOnly, [&](std::size_t j, std::exception_ptr error) {
                       b.failed[j] = true;
                       try {
                         std::rethrow_exception(error);
                       } catch (const RuleFailure& e) {  // counted like any fault, as above
                         ++result.configs[k].rule_errors[e.plugin() + "." + e.rule()];
                       }
                     });
      for (std::size_t j = 0; j < b.size; ++j)
        if (!b.failed[j]) tallies_[k].add(b.decisions[j], b.events[j], options_.costs);
    }
    b.size = 0;
  }

  const std::vector<const ConfigSnapshot*>& configs_;
  const SimulationOptions& options_;
  std::unique_ptr<Batch> batch_ = batch_for(configs_);
  std::vector<FlatTally> tallies_ = std::vector<FlatTally>(configs_.size());
  Block block_;
  Decision decision_;
  std::vector<const StoreConfig*> stores_;
  const std::string* source_ = nullptr;
  bool row_ = false;
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
  const CivilDate date = civil_date(Timestamp{seconds, true});
  std::int64_t rem = seconds % kSecondsPerDay;
  if (rem < 0) rem += kSecondsPerDay;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
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

struct Simulation::Impl {
  std::vector<const ConfigSnapshot*> configs;
  SimulationOptions options;
  unsigned threads;
  PieceQueue<Chunk> queue;
  Progress progress;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> pool;
  std::mutex done_mutex;  // for done_cv: a worker that ends says so at once
  std::condition_variable done_cv;
  std::size_t done = 0;  // workers ended
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::uint64_t total = 0, pushed = 0;  // bytes: of every source, handed to the workers
  std::int64_t lines = 0;               // lines and rows handed to the workers, or dropped
  double drawn = 0, reported = 0;
  bool started = false, stopped = false;
  bool line_open = false;  // a progress line is drawn and not yet ended
  std::exception_ptr callback_error;
  WorkerResult reader;  // lines the reader drops itself (too long)
  std::vector<std::shared_ptr<const std::string>> sources;  // fed with at least a line or row

  Impl(const ConfigSnapshot& config, const ConfigSnapshot* against, const SimulationOptions& o)
      : options(o), threads(worker_threads(o.threads)), queue(2 * threads + 2) {
    configs.push_back(&config);
    if (against) configs.push_back(against);
    try {
      for (unsigned t = 0; t < threads; ++t) {
        workers.push_back(std::make_unique<Worker>(configs, options));
        pool.emplace_back([this, w = workers.back().get()] {
          w->run(queue, progress);
          {
            std::lock_guard lock(done_mutex);
            ++done;
          }
          done_cv.notify_all();
        });
      }
    } catch (const std::system_error& e) {  // the threads started must end before they are freed
      progress.cancelled = true;
      stop();
      throw thread_refused(pool.size(), threads, e.what());
    }
  }
  ~Impl() {
    progress.cancelled = true;  // a replay dropped part-way: the workers skip what is queued
    stop();
    end_line();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    queue.close();
    for (auto& t : pool) t.join();
  }

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  // The caller hears how far the workers are; a "no" from it stops them at their next event.
  // A callback that throws cancels too; its exception leaves the replay's next call.
  void report(std::uint64_t done, std::int64_t done_lines) {
    if (!options.on_progress || progress.cancelled) return;
    reported = elapsed();
    try {
      if (!options.on_progress(SimulationProgress{done, total, done_lines}))
        progress.cancelled = true;
    } catch (...) {
      callback_error = std::current_exception();
      progress.cancelled = true;
    }
  }

  void begin() {
    if (started) return;
    started = true;
    report(0, 0);
  }

  void tick() {
    if (options.progress && elapsed() - drawn >= 0.2) {
      drawn = elapsed();
      draw_progress(progress.bytes, total, progress.lines, drawn, false);
      line_open = true;
    }
    if (options.on_progress && elapsed() - reported >= 0.1) report(progress.bytes, progress.lines);
  }

  /// Ends a progress line left open, so what is printed next starts a line of its own.
  void end_line() {
    if (line_open) std::fputs("\n", stderr);
    line_open = false;
  }

  [[noreturn]] void throw_cancelled() {
    stop();
    end_line();
    if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
    throw SimulationCancelled();
  }

  void push(Chunk c) {
    if (progress.cancelled) throw_cancelled();
    const std::uint64_t bytes = c.bytes;
    const std::int64_t chunk_lines = c.lines;
    if (c.lines && (sources.empty() || *sources.back() != *c.source)) sources.push_back(c.source);
    // While the queue is full the caller is still heard (progress, and a "no" that cancels).
    while (!queue.push_for(c, std::chrono::milliseconds(20))) {
      tick();
      if (progress.cancelled) throw_cancelled();
    }
    pushed += bytes;
    lines += chunk_lines;
    tick();
  }

  void add_jsonl(const std::filesystem::path& file) {
    begin();
    gzFile in = gzopen(file.c_str(), "rb");
    if (!in) throw EventLogError(file.string() + ": cannot read the event log");
    std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(in, gzclose);
    gzbuffer(in, 1 << 17);
    auto source = std::make_shared<const std::string>(file.string());

    constexpr std::size_t kBlock = 1 << 20;
    constexpr std::size_t kPadding = EventLineReader::kPadding;
    std::string carry;
    std::int64_t next_line = 1;
    std::uint64_t consumed = 0;  // bytes of the file (compressed, if it is) read so far
    // A line longer than the limit is dropped as it streams by, never held whole.
    bool skipping = false, more = true;
    while (more) {
      if (progress.cancelled) throw_cancelled();
      std::string block = std::move(carry);
      carry.clear();
      const std::size_t kept = block.size();
      block.resize(kept + kBlock + kPadding);  // the padding is there when the lines are handed on
      const int got = gzread(in, block.data() + kept, static_cast<unsigned>(kBlock));
      more = got > 0;
      int code = Z_OK;
      if (!more) gzerror(in, &code);  // a stream cut short is a soft error, once nothing is left
      if (got < 0 || code != Z_OK)
        throw EventLogError(file.string() + ": cannot read the event log: " + zlib_error(in, file));
      block.resize(kept + static_cast<std::size_t>(got));
      const auto offset = static_cast<std::uint64_t>(std::max<z_off_t>(0, gzoffset(in)));
      const std::uint64_t bytes = offset > consumed ? offset - consumed : 0;
      consumed = std::max(consumed, offset);
      if (skipping) {
        const std::size_t end = block.find('\n');
        if (end == std::string::npos && more) continue;  // still inside the long line
        ++reader.bad;
        if (reader.bad_examples.size() < options.bad_lines_listed)
          reader.bad_examples.push_back({*source, next_line, false, too_long()});
        ++next_line;
        ++lines;
        skipping = false;
        block.erase(0, end == std::string::npos ? block.size() : end + 1);
      }
      if (more) {  // more to come: hand over whole lines only
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
      const bool tail = !block.empty() && block.back() != '\n';
      const std::int64_t count = count_newlines(block) + (tail ? 1 : 0);
      if (count == 0 && bytes == 0) continue;
      Chunk c;
      block.append(kPadding, ' ');  // within the capacity reserved above: no copy
      c.text = std::move(block);
      c.source = source;
      c.first_line = next_line;
      c.lines = count;
      c.bytes = bytes;
      push(std::move(c));
      next_line += count;
    }
  }

  json finish(const std::string& name) {
    begin();
    queue.close();
    // The feeding is done; keep the line moving until the workers are too. Short waits, which
    // the last worker to end cuts short (a replay's end is not seen up to 5 ms late); tick()
    // draws and reports at its pace.
    while ((options.progress || options.on_progress) && progress.bytes < pushed &&
           !progress.cancelled) {
      {
        std::unique_lock lock(done_mutex);
        done_cv.wait_for(lock, std::chrono::milliseconds(5), [&] { return done == pool.size(); });
      }
      tick();
    }
    stop();
    const double seconds = elapsed();
    if (!progress.cancelled) {
      const std::uint64_t end = std::max(total, pushed);
      if (options.progress) draw_progress(end, end, lines, seconds, true);
      line_open = false;
      report(end, lines);
    }
    if (progress.cancelled) throw_cancelled();

    WorkerResult all = std::move(reader);
    all.configs.resize(configs.size());
    for (auto& w : workers) {
      WorkerResult& r = w->result;
      all.events += r.events;
      all.bad += r.bad;
      all.bad_examples.insert(all.bad_examples.end(), r.bad_examples.begin(), r.bad_examples.end());
      all.first_at = std::min(all.first_at, r.first_at);
      all.last_at = std::max(all.last_at, r.last_at);
      for (std::size_t k = 0; k < configs.size(); ++k) all.configs[k].add(r.configs[k]);
    }
    for (const ConfigTally& t : all.configs)
      if (t.overflow) throw EventLogError(name + ": " + kSumOverflow);
    std::sort(all.bad_examples.begin(), all.bad_examples.end());
    if (all.bad_examples.size() > options.bad_lines_listed)
      all.bad_examples.resize(options.bad_lines_listed);

    // A replay of several files names the file of each bad line; of one, the line is enough.
    std::vector<std::string> files;
    for (const auto& s : sources) files.push_back(*s);
    std::sort(files.begin(), files.end());
    const bool named = std::unique(files.begin(), files.end()) - files.begin() > 1;
    json bad = json::array();
    for (const BadExample& b : all.bad_examples) {
      json example = {{b.row ? "row" : "line", b.number}, {"error", b.error}};
      if (named) example["file"] = b.file;
      bad.push_back(std::move(example));
    }
    json report = {
        {"file", name},
        {"lines", lines},
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
};

Simulation::Simulation(const ConfigSnapshot& config, const ConfigSnapshot* against,
                       const SimulationOptions& options)
    : impl_(std::make_unique<Impl>(config, against, options)) {}

Simulation::~Simulation() = default;

void Simulation::expect_bytes(std::uint64_t total) {
  impl_->total = total;
  impl_->begin();
}

void Simulation::add_jsonl(const std::filesystem::path& file) {
  impl_->add_jsonl(file);
}

void Simulation::add_arrow(std::shared_ptr<const ArrowEventBatch> batch, const std::string& source,
                           std::int64_t first_row, std::uint64_t bytes) {
  impl_->begin();
  // In pieces, so that every thread gets a share of a batch, unless the batch is still to be read
  // into events it keeps: that read is one call, by the thread that takes the batch.
  const std::int64_t rows = batch->rows();
  const std::int64_t piece =
      batch->keeps_events() && !batch->events_read() ? std::max<std::int64_t>(rows, 1) : kPieceRows;
  auto name = std::make_shared<const std::string>(source);
  std::uint64_t counted = 0;
  for (std::int64_t begin = 0; begin < rows || begin == 0; begin += piece) {
    Chunk c;
    c.begin = begin;
    c.end = std::min(rows, begin + piece);
    c.lines = c.end - c.begin;
    c.batch = batch;
    c.source = name;
    c.first_line = first_row;
    c.opens = begin == 0;
    c.closes = c.end == rows;
    // The batch's bytes shared by rows; the last piece takes what division left over.
    c.bytes = c.end == rows
                  ? bytes - counted
                  : bytes * static_cast<std::uint64_t>(c.lines) / static_cast<std::uint64_t>(rows);
    counted += c.bytes;
    impl_->push(std::move(c));
  }
}

void Simulation::cancel() {
  impl_->progress.cancelled = true;
}

json Simulation::finish(const std::string& name) {
  return impl_->finish(name);
}

json simulate(const std::filesystem::path& events, const ConfigSnapshot& config,
              const ConfigSnapshot* against, const SimulationOptions& options) {
  Simulation sim(config, against, options);
  std::error_code ec;
  sim.expect_bytes(std::filesystem::file_size(events, ec));
  sim.add_jsonl(events);
  return sim.finish(events.string());
}

}  // namespace shoprules::host
