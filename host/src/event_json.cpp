// The nlohmann::json adapter for EventReader.
#include "shoprules/host/event_json.hpp"

#include <limits>

#include "shoprules/host/event_reader.hpp"
#include "shoprules/host/utf8.hpp"

namespace shoprules::host {

std::string describe_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      return s.size() > 40 ? nlohmann::json(s.substr(0, utf8_prefix(s, 40))).dump() + "..."
                           : j.dump();
    }
    default:
      return j.dump();
  }
}

namespace {

class JsonNode {
 public:
  explicit JsonNode(const nlohmann::json& j) : j_(&j) {}

  bool is_null() const { return j_->is_null(); }
  bool is_object() const { return j_->is_object(); }
  bool is_list() const { return j_->is_array(); }
  std::optional<JsonNode> get(Key k) const {
    auto it = j_->find(key_name(k));
    if (it == j_->end()) return std::nullopt;
    return JsonNode(*it);
  }
  std::size_t size() const { return j_->size(); }
  template <class F>
  void each(F&& f) const {
    for (const auto& item : *j_) f(JsonNode(item));
  }
  bool string(std::string_view& out) const {
    if (!j_->is_string()) return false;
    out = j_->get_ref<const std::string&>();
    return true;
  }
  bool boolean(bool& out) const {
    if (!j_->is_boolean()) return false;
    out = j_->get<bool>();
    return true;
  }
  IntRead integer(std::int64_t& out) const {
    if (j_->is_number_unsigned()) {
      auto u = j_->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return IntRead::Overflow;
      out = static_cast<std::int64_t>(u);
      return IntRead::Ok;
    }
    if (!j_->is_number_integer()) return IntRead::NotInteger;
    out = j_->get<std::int64_t>();
    return IntRead::Ok;
  }
  std::string describe() const { return describe_json(*j_); }

 private:
  const nlohmann::json* j_;
};

}  // namespace

void read_event(const nlohmann::json& j, Event& ev) {
  EventReader<JsonNode>::read(JsonNode(j), ev);
}

}  // namespace shoprules::host
