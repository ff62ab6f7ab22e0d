// The simdjson adapter for EventReader, for JSON lines read in bulk.
#include "shoprules/host/event_line.hpp"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/event_keys.hpp"
#include "shoprules/host/event_reader.hpp"

namespace shoprules::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// The fields of the objects read last, by key, so that reading an object's fields one key at a
/// time walks it once instead of once per key. An object is known by its first key's text, which
/// lives in the parsed document; `clear` before each new document.
class KeyIndexes {
 public:
  struct Index {
    const char* first_key = nullptr;
    std::array<element, kKeyCount> at;
    std::uint64_t present = 0;  // bit k: the object has key k
  };
  static_assert(kKeyCount <= 64);

  void clear() {
    for (Index& i : slots_) i.first_key = nullptr;
  }

  const Index& of(const simdjson::dom::object& object) {
    auto it = object.begin();
    const char* first = it == object.end() ? nullptr : it.key_c_str();
    ++clock_;
    for (std::size_t s = 0; s < slots_.size(); ++s)
      if (slots_[s].first_key == first && first) {
        used_[s] = clock_;
        return slots_[s];
      }
    std::size_t oldest = 0;  // the least recently used slot makes way
    for (std::size_t s = 1; s < slots_.size(); ++s)
      if (used_[s] < used_[oldest]) oldest = s;
    used_[oldest] = clock_;
    Index& i = slots_[oldest];
    i.first_key = first;
    i.present = 0;
    for (const auto field : object)  // the last of duplicate keys wins, as with nlohmann
      if (const auto k = key_of(field.key)) {
        i.at[static_cast<std::size_t>(*k)] = field.value;
        i.present |= std::uint64_t{1} << static_cast<unsigned>(*k);
      }
    return i;
  }

 private:
  std::array<Index, 4> slots_;  // an event nests objects 3 deep: root, order, a line
  std::array<std::uint64_t, 4> used_{};
  std::uint64_t clock_ = 0;
};

class SimdNode {
 public:
  SimdNode(element e, KeyIndexes& indexes) : e_(e), indexes_(&indexes) {}

  bool is_null() const { return e_.is_null(); }
  bool is_object() const { return e_.type() == element_type::OBJECT; }
  bool is_list() const { return e_.type() == element_type::ARRAY; }
  std::optional<SimdNode> get(Key k) const {
    // The index this node found last, while its slot still holds this object (the reader asks an
    // object for every key it knows, one after another).
    if (!index_ || index_->first_key != first_key_) {
      simdjson::dom::object object;
      if (e_.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
      index_ = &indexes_->of(object);
      first_key_ = index_->first_key;
      if (!first_key_) index_ = nullptr;  // an empty object has no key to know its slot by
    }
    if (!index_) return std::nullopt;
    const auto bit = static_cast<unsigned>(k);
    if (!(index_->present >> bit & 1)) return std::nullopt;
    return SimdNode(index_->at[bit], *indexes_);
  }
  std::size_t size() const {
    simdjson::dom::array array;
    return e_.get_array().get(array) == simdjson::SUCCESS ? array.size() : 0;
  }
  // Walks the array once: simdjson's at(i) walks from the start every time.
  template <class F>
  void each(F&& f) const {
    simdjson::dom::array array;
    if (e_.get_array().get(array) != simdjson::SUCCESS) return;
    for (element item : array) f(SimdNode(item, *indexes_));
  }
  bool string(std::string_view& out) const { return e_.get_string().get(out) == simdjson::SUCCESS; }
  bool boolean(bool& out) const { return e_.get_bool().get(out) == simdjson::SUCCESS; }
  IntRead integer(std::int64_t& out) const {
    switch (e_.type()) {
      case element_type::INT64:
        out = e_.get_int64().value_unsafe();
        return IntRead::Ok;
      case element_type::UINT64:  // only values above INT64_MAX are typed as unsigned
        return IntRead::Overflow;
      default:
        return IntRead::NotInteger;
    }
  }
  // Error paths only: render as nlohmann does, so messages match the other readers.
  std::string describe() const {
    return describe_json(nlohmann::json::parse(simdjson::minify(e_)));
  }

 private:
  element e_;
  KeyIndexes* indexes_;
  mutable const KeyIndexes::Index* index_ = nullptr;
  mutable const char* first_key_ = nullptr;
};

/// Reads a well-formed event in one walk of its parsed document, each object's fields in the
/// order the line has them, instead of asking each object for every key it might hold. It says
/// yes only when it is sure. At a field given twice, a missing or mistyped field, a value out of
/// range or over a limit, it says no, and the general reader (EventReader) reads the line again
/// and decides: what is refused, and the words that say why, are the general reader's alone.
class OnePass {
 public:
  static bool read(element root, Event& ev) {
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) return false;
    Fields f;
    element sections[6];  // customer, order, shipment, return, contact, inquiry, by Key order
    for (const auto field : object) {
      element v;
      const Key k = f.take(field, v);
      if (k == kGiveUp) return false;
      switch (k) {
        case Key::id:
          if (!string(v, ev.id)) return false;
          break;
        case Key::type:
          if (!string(v, ev.type)) return false;
          break;
        case Key::at:
          if (!time(v, ev.at)) return false;
          break;
        case Key::store:
          if (!string(v, ev.store)) return false;
          break;
        case Key::customer:
        case Key::order:
        case Key::shipment:
        case Key::return_:
        case Key::contact:
        case Key::inquiry:
          sections[static_cast<int>(k) - static_cast<int>(Key::customer)] = v;
          break;
        default:
          break;
      }
    }
    if (!f.has(Key::id) || !f.has(Key::type) || !f.has(Key::at)) return false;
    ev.kind = EventReader<SimdNode>::kind_of(ev.type);
    const EventType kind = ev.kind;
    // A section is read when present, needed or not, as the general reader reads it.
    auto section = [&](Key k, bool needed, bool& has, auto read) {
      if (!f.has(k)) return !needed;
      simdjson::dom::object o;
      const element v = sections[static_cast<int>(k) - static_cast<int>(Key::customer)];
      if (v.get_object().get(o) != simdjson::SUCCESS || !read(o)) return false;
      has = true;
      return true;
    };
    using Object = simdjson::dom::object;
    const bool needs_order = kind == EventType::OrderPlaced ||
                             kind == EventType::ShipmentException ||
                             kind == EventType::ReturnRequested;
    return section(Key::customer, kind != EventType::Unknown, ev.has_customer,
                   [&](Object o) { return read_customer(o, ev.customer); }) &&
           section(Key::order, needs_order, ev.has_order,
                   [&](Object o) {
                     return read_order(o, ev.order, kind == EventType::ReturnRequested);
                   }) &&
           section(Key::shipment, kind == EventType::ShipmentException, ev.has_shipment,
                   [&](Object o) { return read_shipment(o, ev.shipment); }) &&
           section(Key::return_, kind == EventType::ReturnRequested, ev.has_return,
                   [&](Object o) { return read_return(o, ev.ret) && exchanges_bought(ev); }) &&
           section(Key::contact, kind == EventType::ContactReceived, ev.has_contact,
                   [&](Object o) { return read_contact(o, ev.contact); }) &&
           section(Key::inquiry, kind == EventType::StockInquiry, ev.has_inquiry,
                   [&](Object o) { return read_inquiry(o, ev.inquiry); });
  }

 private:
  /// An exchange ships a new item for one that comes back: the line must be one that was bought.
  static bool exchanges_bought(const Event& ev) {
    for (const ReturnLine& line : ev.ret.lines)
      if (line.exchange_for && !(ev.has_order && ev.order.find_line(line.sku))) return false;
    return true;
  }

  static constexpr Key kGiveUp = Key::count_;
  static constexpr Key kSkip = static_cast<Key>(static_cast<unsigned>(Key::count_) + 1);

  /// The fields of one object read so far. A key given twice is left to the general reader
  /// (the last one wins there); a null value stands for an absent field, as there.
  class Fields {
   public:
    /// The key of `field`, with its value in `v`; kSkip for a field to pass over (a name the
    /// event does not know, or a null), kGiveUp for a key given twice.
    Key take(const simdjson::dom::key_value_pair& field, element& v) {
      const auto k = key_of(field.key);
      if (!k) return kSkip;
      const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(*k);
      if (given_ & bit) return kGiveUp;
      given_ |= bit;
      v = field.value;
      if (v.is_null()) return kSkip;
      present_ |= bit;
      return *k;
    }
    bool has(Key k) const { return present_ >> static_cast<unsigned>(k) & 1; }

   private:
    std::uint64_t given_ = 0, present_ = 0;
  };

  static bool string(element v, Text& out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || s.size() > kMaxTextBytes) return false;
    out = s;
    return true;
  }
  static bool time(element v, Timestamp& out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || !parse_time(s, out.seconds)) return false;
    out.present = true;
    return true;
  }
  /// A non-negative integer (`min` 0), or a count starting at `min`.
  static bool integer(element v, std::int64_t min, std::int64_t& out) {
    if (v.type() != element_type::INT64) return false;
    const std::int64_t i = v.get_int64().value_unsafe();
    if (i < min) return false;
    out = i;
    return true;
  }
  static bool flag(element v, bool& out) { return v.get_bool().get(out) == simdjson::SUCCESS; }
  template <class Enum, std::size_t N>
  static bool choice(element v, const std::string_view (&names)[N], const Enum (&values)[N],
                     Enum& out) {
    Text s;
    if (!string(v, s)) return false;
    for (std::size_t i = 0; i < N; ++i)
      if (s == names[i]) {
        out = values[i];
        return true;
      }
    return false;
  }
  static bool strings(element v, std::vector<Text>& out) {
    simdjson::dom::array array;
    if (v.get_array().get(array) != simdjson::SUCCESS || array.size() > kMaxListItems) return false;
    for (element item : array)
      if (!string(item, out.emplace_back())) return false;
    return true;
  }
  /// The required list of objects `v`, one `read(object, item)` each.
  template <class T, class Read>
  static bool objects(const Fields& f, Key k, element v, std::vector<T>& out, Read read) {
    simdjson::dom::array array;
    if (!f.has(k) || v.get_array().get(array) != simdjson::SUCCESS || array.size() > kMaxLines)
      return false;
    out.reserve(array.size());
    for (element item : array) {
      simdjson::dom::object object;
      if (item.get_object().get(object) != simdjson::SUCCESS || !read(object, out.emplace_back()))
        return false;
    }
    return true;
  }

  static bool read_customer(simdjson::dom::object object, Customer& c) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::id:
          ok = string(v, c.id);
          break;
        case Key::since:
          ok = time(v, c.since);
          break;
        case Key::orders:
          ok = integer(v, 0, c.orders);
          break;
        case Key::lifetime_spend:
          ok = integer(v, 0, c.lifetime_spend);
          break;
        case Key::returns:
          ok = integer(v, 0, c.returns);
          break;
        case Key::returned_value:
          ok = integer(v, 0, c.returned_value);
          break;
        case Key::tier:
          ok = string(v, c.tier);
          break;
        case Key::vip:
          ok = flag(v, c.vip);
          break;
        case Key::points:
          ok = integer(v, 0, c.points);
          break;
        case Key::household:
          ok = strings(v, c.household);
          break;
        case Key::goodwill_last_90d:
          ok = integer(v, 0, c.goodwill_last_90d);
          break;
        case Key::tags:
          ok = strings(v, c.tags);
          break;
        case Key::last_order_at:
          ok = time(v, c.last_order_at);
          break;
        case Key::spend_12m:
          ok = integer(v, 0, c.spend_12m);
          c.has_spend_12m = true;
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return f.has(Key::id);
  }

  static bool read_order(simdjson::dom::object object, Order& o, bool needs_delivery) {
    Fields f;
    element lines;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::id:
          ok = string(v, o.id);
          break;
        case Key::placed_at:
          ok = time(v, o.placed_at);
          break;
        case Key::currency:
          ok = string(v, o.currency);
          break;
        case Key::shipping:
          ok = choice(v, choices::kShippingNames, choices::kShipping, o.shipping);
          break;
        case Key::delivered_at:
          ok = time(v, o.delivered_at);
          break;
        case Key::lines:
          lines = v;
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    if (!f.has(Key::id) || !f.has(Key::currency) || (needs_delivery && !f.has(Key::delivered_at)))
      return false;
    std::int64_t subtotal = 0;
    const bool ok = objects(f, Key::lines, lines, o.lines,
                            [&](simdjson::dom::object line_object, OrderLine& line) {
                              if (!read_order_line(line_object, line)) return false;
                              std::int64_t total;
                              return !__builtin_mul_overflow(line.price, line.qty, &total) &&
                                     !__builtin_add_overflow(subtotal, total, &subtotal);
                            });
    o.subtotal = subtotal;
    return ok;
  }

  static bool read_order_line(simdjson::dom::object object, OrderLine& line) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::sku:
          ok = string(v, line.sku);
          break;
        case Key::category:
          ok = string(v, line.category);
          break;
        case Key::price:
          ok = integer(v, 0, line.price);
          break;
        case Key::qty:
          ok = integer(v, 1, line.qty);
          break;
        case Key::final_sale:
          ok = flag(v, line.final_sale);
          break;
        case Key::size:
          ok = string(v, line.size);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return f.has(Key::sku) && f.has(Key::price) && f.has(Key::qty);
  }

  static bool read_shipment(simdjson::dom::object object, Shipment& s) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::status:
          ok = choice(v, choices::kStatusNames, choices::kStatus, s.status);
          break;
        case Key::carrier_fault:
          ok = flag(v, s.carrier_fault);
          break;
        case Key::days_late:
          ok = integer(v, 0, s.days_late);
          break;
        case Key::needed_by:
          ok = time(v, s.needed_by);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  static bool read_return(simdjson::dom::object object, Return& r) {
    Fields f;
    element lines;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::lines:
          lines = v;
          break;
        case Key::refund_to:
          ok = choice(v, choices::kRefundToNames, choices::kRefundTo, r.refund_to);
          break;
        case Key::circumstances:
          ok = strings(v, r.circumstances);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return objects(f, Key::lines, lines, r.lines, read_return_line);
  }

  static bool read_return_line(simdjson::dom::object object, ReturnLine& line) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::sku:
          ok = string(v, line.sku);
          break;
        case Key::qty:
          ok = integer(v, 1, line.qty);
          break;
        case Key::reason:
          ok = string(v, line.reason);
          break;
        case Key::exchange_for:
          ok = read_exchange(v, line.exchange_for);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return f.has(Key::sku);
  }

  static bool read_exchange(element v, ExchangeFor& x) {
    simdjson::dom::object object;
    if (v.get_object().get(object) != simdjson::SUCCESS) return false;
    Fields f;
    for (const auto field : object) {
      element fv;
      bool ok = true;
      switch (f.take(field, fv)) {
        case kGiveUp:
          return false;
        case Key::sku:
          ok = string(fv, x.sku);
          break;
        case Key::size:
          ok = string(fv, x.size);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    x.present = true;
    return f.has(Key::sku) && !x.sku.empty();
  }

  static bool read_contact(simdjson::dom::object object, Contact& c) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::channel:
          ok = choice(v, choices::kChannelNames, choices::kChannel, c.channel);
          break;
        case Key::topic:
          ok = choice(v, choices::kTopicNames, choices::kTopic, c.topic);
          break;
        case Key::circumstances:
          ok = strings(v, c.circumstances);
          break;
        case Key::public_:
          ok = flag(v, c.is_public);
          break;
        case Key::our_fault:
          ok = flag(v, c.our_fault);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  static bool read_inquiry(simdjson::dom::object object, Inquiry& q) {
    Fields f;
    for (const auto field : object) {
      element v;
      bool ok = true;
      switch (f.take(field, v)) {
        case kGiveUp:
          return false;
        case Key::sku:
          ok = string(v, q.sku);
          break;
        case Key::size:
          ok = string(v, q.size);
          break;
        case Key::in_stock:
          ok = flag(v, q.in_stock);
          break;
        default:
          break;
      }
      if (!ok) return false;
    }
    return true;
  }
};

}  // namespace

struct EventLineReader::Impl {
  simdjson::dom::parser parser;
  std::vector<char> buffer;  // the line plus simdjson's padding, reused
  KeyIndexes indexes;
};

EventLineReader::EventLineReader() : impl_(std::make_unique<Impl>()) {}
EventLineReader::~EventLineReader() = default;

std::string EventLineReader::read(std::string_view line, Event& ev) {
  auto& b = impl_->buffer;
  if (b.size() < line.size() + simdjson::SIMDJSON_PADDING)
    b.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(b.data(), line.data(), line.size());
  std::memset(b.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  element root;
  if (auto error = impl_->parser.parse(b.data(), line.size(), false).get(root))
    return std::string("not valid JSON: ") + simdjson::error_message(error);
  ev.reset();
  if (OnePass::read(root, ev)) {
    ++one_pass_reads_;
    return {};
  }
  try {
    ev.reset();
    impl_->indexes.clear();
    EventReader<SimdNode>::read(SimdNode(root, impl_->indexes), ev);
  } catch (const InvalidEventError& e) {
    return e.what();
  }
  return {};
}

}  // namespace shoprules::host
