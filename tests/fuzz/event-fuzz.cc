// Fuzzes events one JSON object per line, through both readers: nlohmann (single events, the
// CLI) and simdjson (simulate). Each line must be decided or refused, whatever it holds; the two
// readers must accept the same lines and read them into the same events, decided alike.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../cpp/event-equal.hpp"
#include "shoprules/host/decision.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/event_line.hpp"

namespace {

const shoprules::host::ConfigSnapshot& snapshot() {
  static const auto snap = [] {
    shoprules::host::ConfigSource source;
    source.origin = "fuzz";
    source.json = {
        {"seed", "fuzz"},
        {"stores",
         {{"eu", {{"plugins", {{"returns", {{"rules", {{"window", {{"days", 30}}}}}}}}}}}}}};
    // The main store runs the rules that ship off too, so every rule meets the fuzzed events.
    source.json["plugins"] = nlohmann::json::parse(R"({
      "loyalty": {"rules": {"pending_points": {"enabled": true}, "tier_terms": {"enabled": true},
        "category_multiplier": {"enabled": true, "multipliers": {"shoes": 2.5, "gift_cards": 0}}}},
      "returns": {"rules": {"category_window": {"enabled": true, "days": {"electronics": 30}},
        "holiday_window": {"enabled": true, "from": "12-15", "to": "01-05"},
        "instant_refund": {"enabled": true}, "final_sale": {"enabled": true},
        "keep_item": {"enabled": true}, "restocking_fee": {"enabled": true}}},
      "delight": {"rules": {"first_order_welcome": {"enabled": true}}}})");
    return shoprules::host::build_snapshot(
        source, shoprules::host::load_plugin_dirs({SHOPRULES_BUILD_PLUGIN_DIR}));
  }();
  return *snap;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoprules::host;
  static EventLineReader line_reader;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  shoprules::Event event, line_event;
  Decision decision, line_decision;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    const std::string line_error = line_reader.read(line, line_event);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    // nlohmann ends its input at a NUL byte (the end of a C string) and accepts what came
    // before; in JSON a raw NUL is never valid, as simdjson says.
    bool accepted = !j.is_discarded() && line.find('\0') == std::string_view::npos;
    if (accepted) {
      event.reset();
      try {
        read_event(j, event);
      } catch (const InvalidEventError&) {
        accepted = false;
      }
    }
    // simdjson refuses nesting deeper than 1024, which nlohmann reads (and the event ignores).
    const bool too_deep = line_error.find("too deep") != std::string::npos;
    if (accepted != line_error.empty() && !too_deep) __builtin_trap();
    if (!accepted || !line_error.empty()) continue;
    // Read in one pass or by the general reader, the line is the event nlohmann reads.
    if (!shoprules::test::event_difference(event, line_event).empty()) __builtin_trap();

    const StoreConfig* store = snapshot().find(event.store);
    if (store != snapshot().find(line_event.store)) __builtin_trap();
    if (!store) continue;
    decision.clear();
    decision.store = store;
    evaluate_event(*store, event, decision);
    line_decision.clear();
    line_decision.store = store;
    evaluate_event(*store, line_event, line_decision);
    for (const auto& t : decision.trace)  // no rule may fail on any valid event
      if (t.outcome == Outcome::Error) __builtin_trap();
    if (decision.actions_json() != line_decision.actions_json()) __builtin_trap();
  }
  return 0;
}
