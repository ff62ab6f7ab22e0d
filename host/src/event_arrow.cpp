// The Arrow adapter for EventReader: a node is a column and a row; the schema is checked once per
// batch, so reading a row is buffer lookups only.
#include "shoprules/host/event_arrow.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/event_keys.hpp"
#include "shoprules/host/event_reader.hpp"
#include "shoprules/host/utf8.hpp"

namespace shoprules::host {
namespace {

// What the event expects at a field, and for objects which fields they have.
enum class Want : std::uint8_t { Text, Int, Bool, Time, Texts, Object, Objects };
enum class Shape : std::uint8_t {
  Root,
  Customer,
  Order,
  OrderLine,
  Shipment,
  Return,
  ReturnLine,
  Exchange,
  Contact,
  Inquiry
};

struct Field {
  Key key;
  Want want;
  Shape shape = Shape::Root;  // for Object and Objects
};

const std::vector<Field>& fields_of(Shape s) {
  using enum Key;
  static const std::vector<Field> root = {{id, Want::Text},
                                          {type, Want::Text},
                                          {at, Want::Time},
                                          {store, Want::Text},
                                          {customer, Want::Object, Shape::Customer},
                                          {order, Want::Object, Shape::Order},
                                          {shipment, Want::Object, Shape::Shipment},
                                          {return_, Want::Object, Shape::Return},
                                          {contact, Want::Object, Shape::Contact},
                                          {inquiry, Want::Object, Shape::Inquiry}};
  static const std::vector<Field> customer_ = {{id, Want::Text},
                                               {since, Want::Time},
                                               {orders, Want::Int},
                                               {lifetime_spend, Want::Int},
                                               {returns, Want::Int},
                                               {returned_value, Want::Int},
                                               {tier, Want::Text},
                                               {vip, Want::Bool},
                                               {points, Want::Int},
                                               {household, Want::Texts},
                                               {goodwill_last_90d, Want::Int},
                                               {tags, Want::Texts},
                                               {last_order_at, Want::Time},
                                               {spend_12m, Want::Int}};
  static const std::vector<Field> order_ = {
      {id, Want::Text},       {placed_at, Want::Time},    {currency, Want::Text},
      {shipping, Want::Text}, {delivered_at, Want::Time}, {lines, Want::Objects, Shape::OrderLine}};
  static const std::vector<Field> order_line = {{sku, Want::Text},        {category, Want::Text},
                                                {price, Want::Int},       {qty, Want::Int},
                                                {final_sale, Want::Bool}, {size, Want::Text}};
  static const std::vector<Field> shipment_ = {{status, Want::Text},
                                               {carrier_fault, Want::Bool},
                                               {days_late, Want::Int},
                                               {needed_by, Want::Time}};
  static const std::vector<Field> return__ = {{lines, Want::Objects, Shape::ReturnLine},
                                              {refund_to, Want::Text},
                                              {circumstances, Want::Texts}};
  static const std::vector<Field> return_line = {{sku, Want::Text},
                                                 {qty, Want::Int},
                                                 {reason, Want::Text},
                                                 {exchange_for, Want::Object, Shape::Exchange}};
  static const std::vector<Field> exchange = {{sku, Want::Text}, {size, Want::Text}};
  static const std::vector<Field> contact_ = {{channel, Want::Text},
                                              {topic, Want::Text},
                                              {circumstances, Want::Texts},
                                              {public_, Want::Bool},
                                              {our_fault, Want::Bool}};
  static const std::vector<Field> inquiry_ = {
      {sku, Want::Text}, {size, Want::Text}, {in_stock, Want::Bool}};
  switch (s) {
    case Shape::Root:
      return root;
    case Shape::Customer:
      return customer_;
    case Shape::Order:
      return order_;
    case Shape::OrderLine:
      return order_line;
    case Shape::Shipment:
      return shipment_;
    case Shape::Return:
      return return__;
    case Shape::ReturnLine:
      return return_line;
    case Shape::Exchange:
      return exchange;
    case Shape::Contact:
      return contact_;
    case Shape::Inquiry:
      return inquiry_;
  }
  return root;
}

const char* expected_text(Want w) {
  switch (w) {
    case Want::Text:
      return "a string";
    case Want::Int:
      return "an integer";
    case Want::Bool:
      return "a bool";
    case Want::Time:
      return "a timestamp or an ISO-8601 string";
    case Want::Texts:
      return "a list of strings";
    case Want::Object:
      return "a struct";
    case Want::Objects:
      return "a list of structs";
  }
  return "?";
}

std::string type_name(std::string_view f) {
  if (f == "n") return "null";
  if (f == "b") return "bool";
  if (f == "u") return "string";
  if (f == "U") return "large_string";
  if (f == "vu") return "string_view";
  if (f == "z" || f == "Z" || f == "vz") return "binary";
  if (f == "c" || f == "s" || f == "i" || f == "l")
    return "int" + std::to_string(f == "c" ? 8 : f == "s" ? 16 : f == "i" ? 32 : 64);
  if (f == "C" || f == "S" || f == "I" || f == "L")
    return "uint" + std::to_string(f == "C" ? 8 : f == "S" ? 16 : f == "I" ? 32 : 64);
  if (f == "e" || f == "f" || f == "g") return "floating point";
  if (f.starts_with("d:")) return "decimal";
  if (f.starts_with("ts")) return "timestamp";
  if (f.starts_with("td")) return "date";
  if (f == "+s") return "struct";
  if (f == "+l" || f == "+L" || f.starts_with("+w")) return "list";
  if (f == "+m") return "map";
  return "another type";
}

enum class Kind : std::uint8_t {
  Null,
  Struct,
  List,
  LargeList,
  Str,
  LargeStr,
  Dict,  // dictionary-encoded strings: integer indices into a string column (item)
  Int,
  Bool,
  Time
};

struct Column {
  Kind kind = Kind::Null;
  Want want = Want::Text;
  Shape shape = Shape::Root;
  std::string path;
  // Bound to an array:
  const std::uint8_t* validity = nullptr;
  const void* values = nullptr;  // ints, bool bits, timestamps, or offsets
  const char* data = nullptr;    // string bytes
  std::int64_t offset = 0, length = 0;
  std::uint8_t width = 8;  // bytes of an integer
  bool is_signed = true;
  std::int64_t per_second = 1;  // a timestamp's units in a second
  std::vector<std::unique_ptr<Column>> kids;
  std::array<const Column*, kKeyCount> by_key{};  // a struct's fields
  const Column* item = nullptr;                   // a list's items
  bool used = false;                              // read by the event (else only lined up)
  // Strings: the bytes of all the rows, [text_begin, text_end) of `data`, checked as UTF-8 in one
  // pass when bound; a row is then UTF-8 when it starts and ends on a character's boundary.
  bool utf8 = false;
  std::int64_t text_begin = 0, text_end = 0;
};

std::string child_path(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

[[noreturn]] void wrong(const Column& c, std::string_view format) {
  throw ArrowSchemaError("column " + (c.path.empty() ? std::string("(the batch)") : c.path) +
                         ": expected " + expected_text(c.want) + ", got " + type_name(format) +
                         " (Arrow format \"" + std::string(format) + "\")");
}

// Builds the column tree for `schema` where the event wants `c.want`.
void build(const ArrowSchema& schema, Column& c) {
  const std::string_view f = schema.format ? schema.format : "";
  if (schema.dictionary) {  // strings as a dictionary (pandas categoricals, read_dictionary)
    const std::string_view d = schema.dictionary->format ? schema.dictionary->format : "";
    static constexpr std::string_view kIndexes = "csilCSIL";
    const std::size_t at = f.size() == 1 ? kIndexes.find(f[0]) : std::string_view::npos;
    if ((c.want != Want::Text && c.want != Want::Time) || (d != "u" && d != "U") ||
        at == std::string_view::npos)
      throw ArrowSchemaError("column " + c.path + ": expected " + expected_text(c.want) +
                             ", got a dictionary of " + type_name(d) + " (Arrow format \"" +
                             std::string(d) + "\")");
    c.kind = Kind::Dict;
    c.width = static_cast<std::uint8_t>(1u << (at % 4));
    c.is_signed = at < 4;
    auto dict = std::make_unique<Column>();
    dict->want = Want::Text;
    dict->kind = d == "u" ? Kind::Str : Kind::LargeStr;
    dict->path = c.path;
    dict->used = true;
    c.item = dict.get();
    c.kids.push_back(std::move(dict));
    return;
  }
  if (f == "n") return void(c.kind = Kind::Null);
  switch (c.want) {
    case Want::Text:
      if (f == "u") return void(c.kind = Kind::Str);
      if (f == "U") return void(c.kind = Kind::LargeStr);
      wrong(c, f);
    case Want::Int: {
      static constexpr std::string_view kInts = "csilCSIL";
      const std::size_t at = f.size() == 1 ? kInts.find(f[0]) : std::string_view::npos;
      if (at == std::string_view::npos) wrong(c, f);
      c.kind = Kind::Int;
      c.width = static_cast<std::uint8_t>(1u << (at % 4));
      c.is_signed = at < 4;
      return;
    }
    case Want::Bool:
      if (f == "b") return void(c.kind = Kind::Bool);
      wrong(c, f);
    case Want::Time:
      if (f == "u") return void(c.kind = Kind::Str);
      if (f == "U") return void(c.kind = Kind::LargeStr);
      if (f.size() >= 4 && f.starts_with("ts") && f[3] == ':') {
        static constexpr std::string_view kUnits = "smun";
        static constexpr std::int64_t kPer[] = {1, 1000, 1000000, 1000000000};
        const std::size_t u = kUnits.find(f[2]);
        if (u == std::string_view::npos) wrong(c, f);
        c.kind = Kind::Time;
        c.width = 8;
        c.per_second = kPer[u];
        return;
      }
      wrong(c, f);
    case Want::Texts:
    case Want::Objects: {
      if (f != "+l" && f != "+L") wrong(c, f);
      if (schema.n_children != 1 || !schema.children || !schema.children[0])
        throw ArrowSchemaError("column " + c.path + ": a list without its item type");
      c.kind = f == "+l" ? Kind::List : Kind::LargeList;
      auto item = std::make_unique<Column>();
      item->want = c.want == Want::Texts ? Want::Text : Want::Object;
      item->shape = c.shape;
      item->path = c.path;
      item->used = true;
      build(*schema.children[0], *item);
      c.item = item.get();
      c.kids.push_back(std::move(item));
      return;
    }
    case Want::Object: {
      if (f != "+s") wrong(c, f);
      c.kind = Kind::Struct;
      const auto& fields = fields_of(c.shape);
      for (std::int64_t i = 0; i < schema.n_children; ++i) {
        const ArrowSchema* child = schema.children ? schema.children[i] : nullptr;
        if (!child) throw ArrowSchemaError("column " + c.path + ": a struct without its fields");
        const std::string_view name = child->name ? child->name : "";
        auto kid = std::make_unique<Column>();
        kid->path = child_path(c.path, name);
        const auto key = key_of(name);
        const Field* field = nullptr;
        if (key)
          for (const Field& fd : fields)
            if (fd.key == *key) field = &fd;
        if (field) {  // a field the event reads; others are kept only to line up with the array
          kid->want = field->want;
          kid->shape = field->shape;
          kid->used = true;
          build(*child, *kid);
          c.by_key[static_cast<std::size_t>(*key)] = kid.get();  // the last of duplicates wins
        }
        c.kids.push_back(std::move(kid));
      }
      return;
    }
  }
}

[[noreturn]] void malformed(const Column& c, const std::string& what) {
  throw ArrowSchemaError("column " + (c.path.empty() ? std::string("(the batch)") : c.path) +
                         ": malformed Arrow array: " + what);
}

template <class Off>
void check_offsets(const Column& c, const Off* offs, std::int64_t limit) {
  if (!offs) malformed(c, "no offsets buffer");
  Off prev = offs[c.offset];
  if (prev < 0) malformed(c, "negative offset");
  for (std::int64_t i = 1; i <= c.length; ++i) {
    const Off next = offs[c.offset + i];
    if (next < prev) malformed(c, "offsets go backwards");
    prev = next;
  }
  if (limit >= 0 && static_cast<std::int64_t>(prev) > limit)
    malformed(c, "offsets past the end of the items");
}

// Checks a string column's bytes as UTF-8 in one pass (much cheaper than row by row). Text that is
// not UTF-8 anywhere leaves `utf8` false, and each row is then checked on its own.
template <class Off>
void check_utf8(Column& c, const Off* offs) {
  c.text_begin = offs[c.offset];
  c.text_end = offs[c.offset + c.length];
  c.utf8 = !c.data || simdjson::validate_utf8(c.data + c.text_begin,
                                              static_cast<std::size_t>(c.text_end - c.text_begin));
}

// Points `c` (built from the schema) at the buffers of `a`, checking the layout.
void bind(const ArrowArray& a, Column& c) {
  if (a.length < 0 || a.offset < 0) malformed(c, "negative length or offset");
  c.offset = a.offset;
  c.length = a.length;
  const std::int64_t want_buffers = c.kind == Kind::Null                              ? 0
                                    : c.kind == Kind::Str || c.kind == Kind::LargeStr ? 3
                                    : c.kind == Kind::Struct                          ? 1
                                                                                      : 2;
  if (a.n_buffers != want_buffers || (want_buffers && !a.buffers))
    malformed(c, "expected " + std::to_string(want_buffers) + " buffers, got " +
                     std::to_string(a.n_buffers));
  if (want_buffers)
    c.validity = a.null_count == 0 ? nullptr : static_cast<const std::uint8_t*>(a.buffers[0]);
  if (want_buffers >= 2) c.values = a.buffers[1];
  if (want_buffers == 3) c.data = static_cast<const char*>(a.buffers[2]);
  switch (c.kind) {
    case Kind::Null:
      return;
    case Kind::Int:
    case Kind::Bool:
    case Kind::Time:
      if (!c.values && c.length) malformed(c, "no values buffer");
      return;
    case Kind::Dict:  // indices are checked against the dictionary as they are read
      if (!c.values && c.length) malformed(c, "no indices buffer");
      if (!a.dictionary) malformed(c, "a dictionary-encoded column without its dictionary");
      bind(*a.dictionary, *c.kids[0]);
      return;
    case Kind::Str:
      check_offsets(c, static_cast<const std::int32_t*>(c.values), -1);
      if (!c.data && c.length) malformed(c, "no data buffer");
      check_utf8(c, static_cast<const std::int32_t*>(c.values));
      return;
    case Kind::LargeStr:
      check_offsets(c, static_cast<const std::int64_t*>(c.values), -1);
      if (!c.data && c.length) malformed(c, "no data buffer");
      check_utf8(c, static_cast<const std::int64_t*>(c.values));
      return;
    case Kind::List:
    case Kind::LargeList: {
      if (a.n_children != 1 || !a.children || !a.children[0]) malformed(c, "a list without items");
      Column& item = *c.kids[0];
      bind(*a.children[0], item);
      if (c.kind == Kind::List)
        check_offsets(c, static_cast<const std::int32_t*>(c.values), item.length);
      else
        check_offsets(c, static_cast<const std::int64_t*>(c.values), item.length);
      return;
    }
    case Kind::Struct:
      if (a.n_children != static_cast<std::int64_t>(c.kids.size()) || (a.n_children && !a.children))
        malformed(c, "the struct's fields do not match its schema");
      for (std::size_t i = 0; i < c.kids.size(); ++i) {
        Column& kid = *c.kids[i];
        const ArrowArray* child = a.children[i];
        if (!child) malformed(c, "a missing field array");
        if (!kid.used) continue;  // a column the event does not read
        bind(*child, kid);
        if (kid.length < c.offset + c.length) malformed(kid, "shorter than its struct");
      }
      return;
  }
}

inline bool bit(const std::uint8_t* bits, std::int64_t i) {
  return (bits[i >> 3] >> (i & 7)) & 1;
}

class ArrowNode {
 public:
  ArrowNode(const Column* c, std::int64_t i) : c_(c), i_(i) {}

  bool is_null() const {
    return c_->kind == Kind::Null || (c_->validity && !bit(c_->validity, c_->offset + i_));
  }
  bool is_object() const { return c_->kind == Kind::Struct; }
  bool is_list() const { return c_->kind == Kind::List || c_->kind == Kind::LargeList; }
  std::optional<ArrowNode> get(Key k) const {
    if (c_->kind != Kind::Struct) return std::nullopt;
    const Column* kid = c_->by_key[static_cast<std::size_t>(k)];
    if (!kid) return std::nullopt;
    return ArrowNode(kid, c_->offset + i_);  // a struct's offset applies to its fields
  }
  std::size_t size() const {
    const auto [begin, end] = range();
    return static_cast<std::size_t>(end - begin);
  }
  template <class F>
  void each(F&& f) const {
    const auto [begin, end] = range();
    for (std::int64_t j = begin; j < end; ++j) f(ArrowNode(c_->item, j));
  }
  bool string(std::string_view& out) const {
    const Column* owner = nullptr;
    if (!text(out, &owner)) return false;
    if (out.empty()) return true;
    if (!owner->utf8) return simdjson::validate_utf8(out.data(), out.size());
    // Inside valid UTF-8, a slice is valid when neither of its ends cuts a character.
    const std::int64_t b = out.data() - owner->data, e = b + static_cast<std::int64_t>(out.size());
    return (b >= owner->text_end || !utf8_continuation(owner->data[b])) &&
           (e >= owner->text_end || !utf8_continuation(owner->data[e]));
  }
  bool boolean(bool& out) const {
    if (c_->kind != Kind::Bool) return false;
    out = bit(static_cast<const std::uint8_t*>(c_->values), c_->offset + i_);
    return true;
  }
  IntRead integer(std::int64_t& out) const {
    if (c_->kind != Kind::Int) return IntRead::NotInteger;
    return int_at(*c_, c_->offset + i_, out);
  }
  static IntRead int_at(const Column& c, std::int64_t p, std::int64_t& out) {
    const Column* c_ = &c;
    const void* v = c_->values;
    switch (c_->width) {
      case 1:
        out = c_->is_signed ? static_cast<const std::int8_t*>(v)[p]
                            : static_cast<const std::uint8_t*>(v)[p];
        return IntRead::Ok;
      case 2:
        out = c_->is_signed ? static_cast<const std::int16_t*>(v)[p]
                            : static_cast<const std::uint16_t*>(v)[p];
        return IntRead::Ok;
      case 4:
        out = c_->is_signed ? static_cast<const std::int32_t*>(v)[p]
                            : static_cast<const std::uint32_t*>(v)[p];
        return IntRead::Ok;
      default:
        if (c_->is_signed) {
          out = static_cast<const std::int64_t*>(v)[p];
          return IntRead::Ok;
        }
        const std::uint64_t u = static_cast<const std::uint64_t*>(v)[p];
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return IntRead::Overflow;
        out = static_cast<std::int64_t>(u);
        return IntRead::Ok;
    }
  }
  bool seconds(std::int64_t& out) const {
    if (c_->kind != Kind::Time) return false;
    const std::int64_t v = static_cast<const std::int64_t*>(c_->values)[c_->offset + i_];
    out = v / c_->per_second;
    if (v % c_->per_second < 0) --out;  // whole seconds, rounded down as ISO fractions are
    return true;
  }
  std::string describe() const {
    if (is_null()) return "null";
    switch (c_->kind) {
      case Kind::Struct:
        return "an object";
      case Kind::List:
      case Kind::LargeList:
        return "a list";
      case Kind::Str:
      case Kind::LargeStr:
      case Kind::Dict: {
        std::string_view s;
        if (!text(s)) return "an index outside its dictionary";
        if (!simdjson::validate_utf8(s.data(), s.size())) return "text that is not UTF-8";
        return describe_json(nlohmann::json(std::string(s)));
      }
      case Kind::Bool: {
        bool b = false;
        boolean(b);
        return b ? "true" : "false";
      }
      case Kind::Int: {
        std::int64_t v = 0;
        if (integer(v) == IntRead::Overflow)
          return std::to_string(static_cast<const std::uint64_t*>(c_->values)[c_->offset + i_]);
        return std::to_string(v);
      }
      case Kind::Time:
        return "a timestamp";
      case Kind::Null:
        return "null";
    }
    return "a value";
  }

 private:
  bool text(std::string_view& out, const Column** owner = nullptr) const {
    const std::int64_t p = c_->offset + i_;
    std::int64_t b, e;
    if (c_->kind == Kind::Str) {
      const auto* offs = static_cast<const std::int32_t*>(c_->values);
      b = offs[p];
      e = offs[p + 1];
    } else if (c_->kind == Kind::LargeStr) {
      const auto* offs = static_cast<const std::int64_t*>(c_->values);
      b = offs[p];
      e = offs[p + 1];
    } else if (c_->kind == Kind::Dict) {
      std::int64_t index = -1;
      if (int_at(*c_, p, index) != IntRead::Ok || index < 0 || index >= c_->item->length)
        return false;
      return ArrowNode(c_->item, index).text(out, owner);
    } else {
      return false;
    }
    out = std::string_view(c_->data + b, static_cast<std::size_t>(e - b));
    if (owner) *owner = c_;
    return true;
  }
  std::pair<std::int64_t, std::int64_t> range() const {
    const std::int64_t p = c_->offset + i_;
    if (c_->kind == Kind::List) {
      const auto* offs = static_cast<const std::int32_t*>(c_->values);
      return {offs[p], offs[p + 1]};
    }
    if (c_->kind == Kind::LargeList) {
      const auto* offs = static_cast<const std::int64_t*>(c_->values);
      return {offs[p], offs[p + 1]};
    }
    return {0, 0};
  }

  const Column* c_;
  std::int64_t i_;
};

std::unique_ptr<Column> root_column(const ArrowSchema& schema) {
  auto root = std::make_unique<Column>();
  root->want = Want::Object;
  root->shape = Shape::Root;
  root->used = true;
  const std::string_view f = schema.format ? schema.format : "";
  if (f != "+s")
    throw ArrowSchemaError("expected a record batch (a struct of columns), got " + type_name(f) +
                           " (Arrow format \"" + std::string(f) + "\")");
  build(schema, *root);
  return root;
}

}  // namespace

void check_event_schema(const ArrowSchema& schema) {
  root_column(schema);
}

struct ArrowEventBatch::Impl {
  ArrowSchema schema{};
  ArrowArray array{};
  std::unique_ptr<Column> root;
  std::once_flag read_once;
  Events kept;
  std::atomic<std::size_t> kept_bytes{0};
  std::atomic<bool> read{false};

  ~Impl() {
    if (array.release) array.release(&array);
    if (schema.release) schema.release(&schema);
  }
};

ArrowEventBatch::ArrowEventBatch(ArrowSchema* schema, ArrowArray* array)
    : impl_(std::make_unique<Impl>()) {
  impl_->schema = *schema;  // moving a C data interface struct: copy, then mark the source released
  schema->release = nullptr;
  impl_->array = *array;
  array->release = nullptr;
  impl_->root = root_column(impl_->schema);
  bind(impl_->array, *impl_->root);
}

ArrowEventBatch::~ArrowEventBatch() = default;

std::int64_t ArrowEventBatch::rows() const {
  return impl_->root->length;
}

std::string ArrowEventBatch::read(std::int64_t row, Event& ev) const {
  try {
    ev.reset();
    const ArrowNode root(impl_->root.get(), row);
    if (root.is_null()) return "expected an event object, got null";
    EventReader<ArrowNode>::read(root, ev);
  } catch (const InvalidEventError& e) {
    return e.what();
  }
  return {};
}

namespace {

/// What an event takes beyond its own struct: its lists.
std::size_t heap_bytes(const Event& ev) {
  const auto texts = [](const std::vector<Text>& v) { return v.capacity() * sizeof(Text); };
  return texts(ev.customer.household) + texts(ev.customer.tags) +
         ev.order.lines.capacity() * sizeof(OrderLine) +
         ev.ret.lines.capacity() * sizeof(ReturnLine) + texts(ev.ret.circumstances) +
         texts(ev.contact.circumstances);
}

constexpr std::size_t kEventBytesEstimate = sizeof(Event) + 2 * sizeof(OrderLine);

}  // namespace

constexpr std::size_t kStoresListed = 16;  // more stores in a batch: replays go row by row
constexpr std::size_t kEventTypeCount = static_cast<std::size_t>(EventType::StockInquiry) + 1;

const ArrowEventBatch::Events& ArrowEventBatch::events() const {
  std::call_once(impl_->read_once, [this] {
    Events& kept = impl_->kept;
    const std::int64_t n = rows();
    const auto size = static_cast<std::size_t>(n);
    kept.events.resize(size);
    kept.rows.resize(size);
    kept.slots.resize(size);
    kept.errors.resize(size);
    std::size_t bytes = n * (sizeof(Event) + sizeof(std::string) + 2 * sizeof(std::int64_t));
    std::vector<Event> window(static_cast<std::size_t>(std::min(n, Events::kWindow)));
    for (std::int64_t w = 0; w < n; w += Events::kWindow) {
      const std::int64_t end = std::min(n, w + Events::kWindow);
      for (std::int64_t r = w; r < end; ++r) {
        std::string& error = kept.errors[static_cast<std::size_t>(r)];
        Event& ev = window[static_cast<std::size_t>(r - w)];
        error = read(r, ev);
        if (!error.empty()) {
          kept.bad.push_back(r);
          bytes += sizeof(std::int64_t) + (error.size() > 15 ? error.capacity() : 0);
          continue;
        }
        bytes += heap_bytes(ev);
        if (kept.few_stores && std::find(kept.stores.begin(), kept.stores.end(),
                                         std::string_view(ev.store)) == kept.stores.end()) {
          kept.few_stores = kept.stores.size() < kStoresListed;
          kept.stores.push_back(ev.store);
        }
      }
      // The window's good rows by type (in row order within a type), then its bad rows.
      std::int64_t slot = w;
      const auto place = [&](std::int64_t r, Event&& ev, bool good) {
        kept.events[static_cast<std::size_t>(slot)] = std::move(ev);
        kept.rows[static_cast<std::size_t>(slot)] = good ? r : -1;
        kept.slots[static_cast<std::size_t>(r)] = slot++;
      };
      for (std::size_t type = 0; type < kEventTypeCount; ++type)
        for (std::int64_t r = w; r < end; ++r) {
          Event& ev = window[static_cast<std::size_t>(r - w)];
          if (kept.errors[static_cast<std::size_t>(r)].empty() &&
              static_cast<std::size_t>(ev.kind) == type)
            place(r, std::move(ev), true);
        }
      for (std::int64_t r = w; r < end; ++r)
        if (!kept.errors[static_cast<std::size_t>(r)].empty()) place(r, Event{}, false);
    }
    impl_->kept_bytes = bytes;
    impl_->read = true;
  });
  return impl_->kept;
}

bool ArrowEventBatch::events_read() const {
  return impl_->read;
}

std::size_t ArrowEventBatch::event_bytes() const {
  return impl_->read ? impl_->kept_bytes.load()
                     : static_cast<std::size_t>(rows()) * kEventBytesEstimate;
}

}  // namespace shoprules::host
