// A plugin whose rules emit more than the host lets one rule emit, between two that stay in bounds.
#include <shoprules/sdk.hpp>

#include <string>

namespace {

using shoprules::RuleContext;
using shoprules::RuleOutput;
using shoprules::Value;

void before(const RuleContext&, RuleOutput& out) {
  out.emit("test.before", "ran before the greedy rules");
}

void huge_reason(const RuleContext&, RuleOutput& out) {
  out.emit("test.huge_reason", std::string(10 << 20, 'x'));
}

void huge_param(const RuleContext&, RuleOutput& out) {
  out.emit("test.huge_param", "a 10 MiB param").set("text", std::string(10 << 20, 'x'));
}

void too_many(const RuleContext&, RuleOutput& out) {
  for (int i = 0; i < 101; ++i) out.emit("test.many", "one of too many");
}

void deep_params(const RuleContext&, RuleOutput& out) {
  Value v = Value::list();
  for (int i = 0; i < 9; ++i) {
    Value outer = Value::list();
    outer.push(std::move(v));
    v = std::move(outer);
  }
  out.emit("test.deep", "params nested 10 deep").set("tree", std::move(v));
}

void wide_params(const RuleContext&, RuleOutput& out) {
  Value v = Value::list();
  for (int i = 0; i < 20000; ++i) v.push(i);
  out.emit("test.wide", "20,000 values in one param").set("values", std::move(v));
}

void long_note(const RuleContext&, RuleOutput& out) {
  out.note(std::string(5000, 'n'));
}

void grows_earlier(const RuleContext&, RuleOutput& out) {
  if (auto* earlier = out.find("test.before")) earlier->reason.append(std::string(1 << 20, 'y'));
}

void at_the_caps(const RuleContext&, RuleOutput& out) {
  Value v = Value::list();
  for (int i = 0; i < 7; ++i) {
    Value outer = Value::list();
    outer.push(std::move(v));
    v = std::move(outer);
  }
  out.emit("test.at_caps", std::string(4096, 'r'))
      .set("text", std::string(4096, 't'))
      .set("nested", std::move(v));
  for (int i = 1; i < 100; ++i) out.emit("test.at_caps", "within the count");
}

void after(const RuleContext&, RuleOutput& out) {
  out.emit("test.after", "ran after the greedy rules");
}

constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("before", "Works", &before),
    shoprules::rule("huge_reason", "Emits a 10 MiB reason", &huge_reason),
    shoprules::rule("huge_param", "Emits a 10 MiB param", &huge_param),
    shoprules::rule("too_many", "Emits 101 actions", &too_many),
    shoprules::rule("deep_params", "Emits params nested 10 deep", &deep_params),
    shoprules::rule("wide_params", "Emits 20,000 values", &wide_params),
    shoprules::rule("long_note", "Notes 5,000 bytes", &long_note),
    shoprules::rule("grows_earlier", "Grows an earlier action's reason to 1 MiB", &grows_earlier),
    shoprules::rule("at_the_caps", "Emits exactly as much as the caps allow", &at_the_caps),
    shoprules::rule("after", "Works", &after),
};

}  // namespace

SHOPRULES_PLUGIN("greedy", "0.0.1", "test", "Rules that emit too much", kRules);
