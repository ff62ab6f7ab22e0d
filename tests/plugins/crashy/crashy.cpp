// A plugin whose rule takes its process down in every way a native plugin can, chosen by the event
// id: for isolation tests only (in process, most of them would end the test program).
#include <shoprules/sdk.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using shoprules::RuleContext;
using shoprules::RuleOutput;

bool starts(std::string_view id, std::string_view prefix) {
  return id.substr(0, prefix.size()) == prefix;
}

void ok(const RuleContext& ctx, RuleOutput& out) {
  out.emit("test.ok", "ran for " + std::string(ctx.event.id)).set("event", ctx.event.id);
}

/// Fails as the event id says: crash (a null pointer), abort, hang (forever), eat (10 GiB),
/// print (to stdout), fork (a child left behind); any other event is served normally.
void fault(const RuleContext& ctx, RuleOutput& out) {
  const std::string_view id = ctx.event.id;
  if (starts(id, "crash")) {
    volatile int* p = nullptr;
    *p = 1;
  } else if (starts(id, "abort")) {
    std::abort();
  } else if (starts(id, "hang")) {
    for (;;) asm volatile("" ::: "memory");  // a loop the compiler may not remove
  } else if (starts(id, "eat")) {
    std::vector<char> block(std::size_t{10} << 30);
    std::memset(block.data(), 1, block.size());
    out.emit("test.ate", "allocated 10 GiB").set("last", block.back());
    return;
  } else if (starts(id, "print")) {
    std::printf("crashy-writes-to-stdout\n");
    std::fflush(stdout);
    out.emit("test.wrote", "wrote a line to stdout");
    return;
  } else if (starts(id, "fork")) {
    if (fork() == 0) {
      sleep(30);
      _exit(0);
    }
    out.emit("test.forked", "forked a child and left it");
    return;
  }
  out.emit("test.survived", "nothing went wrong for " + std::string(id));
}

constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("ok", "Works", &ok),
    shoprules::rule("fault", "Fails as the event id says", &fault),
};

}  // namespace

SHOPRULES_PLUGIN("crashy", "0.0.1", "test", "Rules that crash their process", kRules);
