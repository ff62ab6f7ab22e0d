// Config validation against the plugins' schemas, defaults, ordering and the content hash.
#include <gtest/gtest.h>

#include <fstream>

#include "shoprules/host/errors.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

std::string config_error(const json& config) {
  try {
    make_host(config, {"testkit"});
  } catch (const host::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EveryRuleStartsAtItsDefaults) {
  auto h = make_host();
  EXPECT_EQ(host::plugins_json(h.snapshot()->main()).size(), 3u);
  const json rules = plugin_entry(h, "returns")["rules"];
  ASSERT_EQ(rules[0]["id"], "window");
  EXPECT_EQ(rules[0]["params"]["days"], 365);
  EXPECT_EQ(rules[0]["defaults"]["days"], 365);
  EXPECT_EQ(rules[0]["schema"]["days"]["min"], 0);
  EXPECT_EQ(rules[0]["schema"]["days"]["max"], 3650);
  EXPECT_EQ(rules[0]["enabled"], true);
}

TEST(Config, ParamsAndSwitchesTakeEffect) {
  auto h = make_host(
      {{"plugins",
        {{"returns",
          {{"rules", {{"window", {{"days", 30}}}, {"refund", {{"enabled", false}}}}}}}}}});
  json rules = plugin_entry(h, "returns")["rules"];
  EXPECT_EQ(rules[0]["params"]["days"], 30);
  EXPECT_EQ(rules[0]["defaults"]["days"], 365);
  EXPECT_EQ(rules[9]["id"], "refund");
  EXPECT_EQ(rules[9]["enabled"], false);
}

TEST(Config, NamesTheFieldOfABadValue) {
  EXPECT_EQ(
      config_error({{"plugins", {{"returns", {{"rules", {{"window", {{"days", "a year"}}}}}}}}}}),
      "test.json: plugins.returns.rules.window.days: expected an integer in 0..3650, got "
      "\"a year\"");
  EXPECT_EQ(
      config_error({{"plugins", {{"returns", {{"rules", {{"window", {{"days", 4000}}}}}}}}}}),
      "test.json: plugins.returns.rules.window.days: expected an integer in 0..3650, got 4000");
  EXPECT_EQ(
      config_error({{"plugins", {{"returns", {{"rules", {{"window", {{"days", 36.5}}}}}}}}}}),
      "test.json: plugins.returns.rules.window.days: expected an integer in 0..3650, got 36.5");
  EXPECT_EQ(config_error({{"plugins", {{"testkit", {{"rules", {{"sampled", {{"rate", 1.5}}}}}}}}}}),
            "test.json: plugins.testkit.rules.sampled.rate: expected a number in 0..1, got 1.5");
  EXPECT_EQ(
      config_error({{"plugins", {{"testkit", {{"rules", {{"upgrade_a", {{"to", "drone"}}}}}}}}}}),
      "test.json: plugins.testkit.rules.upgrade_a.to: expected one of "
      "standard,expedited,overnight, got \"drone\"");
  EXPECT_EQ(config_error({{"plugins", {{"returns", {{"rules", {{"window", {{"enabled", 1}}}}}}}}}}),
            "test.json: plugins.returns.rules.window.enabled: expected true or false, got 1");
}

TEST(Config, RefusesUnknownNames) {
  EXPECT_EQ(config_error({{"plugins", {{"loyalti", json::object()}}}}),
            "test.json: plugins.loyalti: no plugin named 'loyalti' is loaded (loaded: delight, "
            "loyalty, returns, testkit)");
  EXPECT_NE(config_error({{"plugins", {{"returns", {{"rules", {{"windw", json::object()}}}}}}}})
                .find("plugins.returns.rules.windw: plugin returns has no rule named 'windw'"),
            std::string::npos);
  EXPECT_NE(config_error({{"plugins", {{"returns", {{"rules", {{"window", {{"dayz", 1}}}}}}}}}})
                .find("plugins.returns.rules.window.dayz: unknown param (rule returns.window "
                      "takes: enabled, days)"),
            std::string::npos);
  EXPECT_NE(config_error({{"sed", "x"}}).find("test.json: sed: unknown key"), std::string::npos);
  EXPECT_NE(config_error({{"plugins", {{"returns", {{"on_error", "ignore"}}}}}})
                .find("plugins.returns.on_error: expected \"skip\" or \"fail\""),
            std::string::npos);
  EXPECT_NE(config_error(json::array()).find("expected a config object"), std::string::npos);
}

TEST(Config, PluginsRunByOrderThenName) {
  auto h = make_host({{"plugins", {{"testkit", {{"order", 5}}}, {"delight", {{"order", 200}}}}}},
                     {"testkit"});
  const auto& snap = h.snapshot()->main();
  ASSERT_EQ(snap.plugins.size(), 4u);
  EXPECT_EQ(snap.plugins[0].name, "testkit");
  EXPECT_EQ(snap.plugins[1].name, "loyalty");
  EXPECT_EQ(snap.plugins[2].name, "returns");
  EXPECT_EQ(snap.plugins[3].name, "delight");
  auto defaults_host = make_host(json::object(), {"testkit"});
  const auto& defaults = defaults_host.snapshot()->main();
  EXPECT_EQ(defaults.plugins[0].name, "delight");  // all at 100: by name
  EXPECT_EQ(defaults.plugins[3].name, "testkit");
}

TEST(Config, ADisabledPluginDisablesItsRules) {
  auto h = make_host({{"plugins", {{"returns", {{"enabled", false}}}}}});
  json out = decide(h, return_event("2026-06-01", "2026-06-10"));
  EXPECT_TRUE(out["actions"].empty());
  json t = trace_of(out, "returns", "window");
  EXPECT_EQ(t["outcome"], "disabled");
  EXPECT_EQ(t["why"], "its plugin is disabled in the config");
}

TEST(Config, VersionIsAContentHash) {
  json a = {{"seed", "q4"}, {"plugins", {{"returns", {{"rules", {{"window", {{"days", 30}}}}}}}}}};
  json b = a;
  json c = a;
  c["plugins"]["returns"]["rules"]["window"]["days"] = 31;
  EXPECT_EQ(make_host(a).config_version(), make_host(b).config_version());
  EXPECT_NE(make_host(a).config_version(), make_host(c).config_version());
  EXPECT_EQ(make_host(a).config_version().size(), 16u);
}

TEST(Config, AFailedReloadKeepsTheOldSnapshot) {
  auto h = make_host();
  std::string before = h.config_version();
  host::ConfigSource bad;
  bad.origin = "bad.json";
  bad.json = {{"plugins", {{"nope", json::object()}}}};
  EXPECT_THROW(h.reload(bad, std::nullopt), host::ConfigError);
  EXPECT_EQ(h.config_version(), before);
  host::ConfigSource good;
  good.origin = "good.json";
  good.json = {{"seed", "new"}};
  std::string after = h.reload(good, std::nullopt);
  EXPECT_NE(after, before);
  EXPECT_EQ(h.config_version(), after);
}

TEST(Config, ReadsAFileAndNamesItInErrors) {
  fs::path dir = fs::temp_directory_path() / "shoprules-config-test";
  fs::create_directories(dir);
  std::ofstream(dir / "broken.json") << "{\"plugins\": {\n  \"returns\": }\n}\n";
  try {
    host::read_config_file(dir / "broken.json");
    FAIL() << "parsed broken JSON";
  } catch (const host::ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("broken.json: not valid JSON"), std::string::npos) << what;
    EXPECT_NE(what.find("line 2"), std::string::npos) << what;
  }
  fs::remove_all(dir);
}

json stores_config() {
  return {{"seed", "s"},
          {"plugins", {{"returns", {{"rules", {{"window", {{"days", 30}}}}}}}}},
          {"stores",
           {{"eu", {{"plugins", {{"returns", {{"rules", {{"window", {{"days", 14}}}}}}}}}}},
            {"outlet",
             {{"seed", "x"},
              {"plugins", {{"returns", {{"rules", {{"final_sale", {{"enabled", true}}}}}}}}}}}}}};
}

TEST(Config, StoresOverrideTheMainConfig) {
  auto h = make_host(stores_config());
  auto snap = h.snapshot();
  ASSERT_EQ(snap->stores.size(), 3u);
  auto days = [](const host::StoreConfig& s) {
    return host::plugins_json(s)[2]["rules"][0]["params"]["days"].get<int>();
  };
  EXPECT_EQ(snap->main().name, "default");
  EXPECT_EQ(days(snap->main()), 30);
  EXPECT_EQ(days(*snap->find("eu")), 14);
  EXPECT_EQ(days(*snap->find("outlet")), 30);  // inherited from the top level
  EXPECT_EQ(snap->find("eu")->seed, "s");
  EXPECT_EQ(snap->find("outlet")->seed, "x");
  EXPECT_EQ(host::plugins_json(snap->main())[2]["rules"][3]["id"], "final_sale");
  EXPECT_TRUE(host::plugins_json(*snap->find("outlet"))[2]["rules"][3]["enabled"]);
  EXPECT_FALSE(host::plugins_json(snap->main())[2]["rules"][3]["enabled"]);
  EXPECT_EQ(snap->find(""), &snap->main());
  EXPECT_EQ(snap->find("mars"), nullptr);
}

TEST(Config, TheEventPicksItsStore) {
  auto h = make_host(only_plugin("returns", stores_config()));
  json event = return_event("2026-11-01", "2026-11-20");  // 19 days after delivery
  EXPECT_EQ(decide(h, event)["actions"][0]["type"], "return.approve");
  event["store"] = "eu";
  json out = decide(h, event);
  EXPECT_EQ(out["store"], "eu");
  EXPECT_EQ(out["actions"][0]["type"], "return.deny");
  event["store"] = "default";
  EXPECT_EQ(decide(h, event)["actions"][0]["type"], "return.approve");
  event["store"] = "mars";
  try {
    decide(h, event);
    FAIL() << "evaluated for an unknown store";
  } catch (const host::InvalidEventError& e) {
    EXPECT_EQ(e.path(), "store");
    EXPECT_STREQ(e.what(),
                 "store: no store named 'mars' in the config (stores: default, eu, outlet)");
  }
}

TEST(Config, NamesTheStoreOfABadValue) {
  json bad = stores_config();
  bad["stores"]["eu"]["plugins"]["returns"]["rules"]["window"]["days"] = -1;
  EXPECT_EQ(config_error(bad),
            "test.json: stores.eu.plugins.returns.rules.window.days: expected an integer in "
            "0..3650, got -1");
  bad = stores_config();
  bad["stores"]["default"] = json::object();
  EXPECT_NE(config_error(bad).find("stores.default: a store needs a name of its own"),
            std::string::npos);
  bad = stores_config();
  bad["stores"]["eu"]["plugin_dirs"] = json::array();
  EXPECT_NE(config_error(bad).find("stores.eu.plugin_dirs: unknown key (expected one of: seed, "
                                   "plugins, currency)"),
            std::string::npos);
}

}  // namespace
}  // namespace shoprules::test
