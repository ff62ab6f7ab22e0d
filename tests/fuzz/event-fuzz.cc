// Fuzzes events as simulate reads them, one JSON object per line: each line must be decided or
// refused with an InvalidEventError, whatever it holds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shoprules/host/decision.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/event_json.hpp"

namespace {

const shoprules::host::ConfigSnapshot& snapshot() {
  static const auto snap = [] {
    shoprules::host::ConfigSource source;
    source.origin = "fuzz";
    source.json = {
        {"seed", "fuzz"},
        {"stores",
         {{"eu", {{"plugins", {{"returns", {{"rules", {{"window", {{"days", 30}}}}}}}}}}}}}};
    return shoprules::host::build_snapshot(
        source, shoprules::host::load_plugin_dirs({SHOPRULES_BUILD_PLUGIN_DIR}));
  }();
  return *snap;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoprules::host;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  shoprules::Event event;
  Decision decision;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const auto j = nlohmann::json::parse(text.substr(0, end), nullptr, false);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (j.is_discarded()) continue;
    event.reset();
    try {
      read_event(j, event);
    } catch (const InvalidEventError&) {
      continue;
    }
    const StoreConfig* store = snapshot().find(event.store);
    if (!store) continue;
    decision.clear();
    decision.store = store;
    evaluate_event(*store, event, decision);
    for (const auto& t : decision.trace)  // no rule may fail on any valid event
      if (t.outcome == Outcome::Error) __builtin_trap();
  }
  return 0;
}
