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
  return read_padded(std::string_view(b.data(), line.size()), ev);
}

static_assert(EventLineReader::kPadding >= simdjson::SIMDJSON_PADDING);

std::string EventLineReader::read_padded(std::string_view line, Event& ev) {
  element root;
  if (auto error = impl_->parser.parse(line.data(), line.size(), false).get(root))
    return std::string("not valid JSON: ") + simdjson::error_message(error);
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
