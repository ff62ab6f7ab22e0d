// The simdjson adapter for EventReader, for JSON lines read in bulk.
#include "shoprules/host/event_line.hpp"

#include <simdjson.h>

#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/event_reader.hpp"

namespace shoprules::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

class SimdNode {
 public:
  explicit SimdNode(element e) : e_(e) {}

  bool is_null() const { return e_.is_null(); }
  bool is_object() const { return e_.type() == element_type::OBJECT; }
  bool is_list() const { return e_.type() == element_type::ARRAY; }
  // The last of duplicate keys wins, as with nlohmann, so both readers agree on every line.
  std::optional<SimdNode> get(Key k) const {
    simdjson::dom::object object;
    if (e_.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
    const std::string_view name = key_name(k);
    std::optional<SimdNode> found;
    for (const auto field : object)
      if (field.key == name) found = SimdNode(field.value);
    return found;
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
    for (element item : array) f(SimdNode(item));
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
};

}  // namespace

struct EventLineReader::Impl {
  simdjson::dom::parser parser;
  std::vector<char> buffer;  // the line plus simdjson's padding, reused
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
  try {
    ev.reset();
    EventReader<SimdNode>::read(SimdNode(root), ev);
  } catch (const InvalidEventError& e) {
    return e.what();
  }
  return {};
}

}  // namespace shoprules::host
