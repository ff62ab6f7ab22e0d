// Plugin loading: good plugins load, every kind of bad file is refused by name and reason.
#include <gtest/gtest.h>

#include <fstream>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/plugin_loader.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

using host::PluginLoadError;

/// The PluginLoadError message of loading `dir`, or "" if it loaded.
std::string load_error(const fs::path& dir) {
  try {
    host::load_plugin_dirs({dir});
  } catch (const PluginLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(Loader, LoadsTheBundledPluginsInFileOrder) {
  auto plugins = host::load_plugin_dirs({SHOPRULES_BUILD_PLUGIN_DIR});
  ASSERT_EQ(plugins.size(), 3u);
  EXPECT_EQ(plugins[0]->name(), "delight");
  EXPECT_EQ(plugins[1]->name(), "loyalty");
  EXPECT_EQ(plugins[2]->name(), "returns");
  for (const auto& p : plugins) EXPECT_STREQ(p->descriptor->header.abi_key, host::host_abi_key());
}

TEST(Loader, AbiKeyNamesEveryPart) {
  std::string key = host::host_abi_key();
  EXPECT_NE(key.find("shoprules-abi=7"), std::string::npos) << key;
  EXPECT_NE(key.find("gcc-"), std::string::npos) << key;
  EXPECT_NE(key.find("libstdc++-"), std::string::npos) << key;
  EXPECT_NE(key.find("cxx11abi="), std::string::npos) << key;
  EXPECT_NE(key.find("std=202002L"), std::string::npos) << key;
}

TEST(Loader, RefusesAWrongAbiKeyWithoutRunningPluginCode) {
  // The plugin's rule and trampoline abort: reaching this line proves neither ran.
  std::string error = load_error(test_plugin_dir("bad_abi"));
  EXPECT_NE(error.find("bad_abi.so"), std::string::npos) << error;
  EXPECT_NE(error.find("ABI mismatch"), std::string::npos) << error;
  EXPECT_NE(error.find("gcc-4.8"), std::string::npos) << error;
}

TEST(Loader, RefusesAnUnknownDescriptorVersion) {
  std::string error = load_error(test_plugin_dir("bad_version"));
  EXPECT_NE(error.find("bad_version.so"), std::string::npos) << error;
  EXPECT_NE(error.find("descriptor version 99 is not supported"), std::string::npos) << error;
}

TEST(Loader, RefusesASharedLibraryThatIsNotAPlugin) {
  std::string error = load_error(test_plugin_dir("not_a_plugin"));
  EXPECT_NE(error.find("not_a_plugin.so"), std::string::npos) << error;
  EXPECT_NE(error.find("not a shoprules plugin"), std::string::npos) << error;
}

TEST(Loader, RefusesAGarbageFile) {
  fs::path dir = fs::temp_directory_path() / "shoprules-garbage-test";
  fs::create_directories(dir);
  std::ofstream(dir / "garbage.so") << "this is not a shared library\n";
  std::string error = load_error(dir);
  fs::remove_all(dir);
  EXPECT_NE(error.find("garbage.so"), std::string::npos) << error;
  EXPECT_NE(error.find("not a shared library"), std::string::npos) << error;
}

TEST(Loader, RefusesATruncatedLibrary) {
  fs::path dir = fs::temp_directory_path() / "shoprules-truncated-test";
  fs::create_directories(dir);
  std::ofstream(dir / "truncated.so", std::ios::binary) << "\x7f"
                                                           "ELF\x02\x01\x01";
  std::string error = load_error(dir);
  fs::remove_all(dir);
  EXPECT_NE(error.find("truncated.so"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot be loaded"), std::string::npos) << error;
}

TEST(Loader, RefusesAMissingSymbolAtLoad) {
  std::string error = load_error(test_plugin_dir("missing_symbol"));
  EXPECT_NE(error.find("missing_symbol.so"), std::string::npos) << error;
  EXPECT_NE(error.find("shoprules_test_symbol_nobody_defines"), std::string::npos) << error;
}

TEST(Loader, RefusesTwoPluginsWithOneName) {
  std::string error = load_error(test_plugin_dir("duplicate"));
  EXPECT_NE(error.find("duplicate plugin name 'twin'"), std::string::npos) << error;
  EXPECT_NE(error.find("twin_one.so"), std::string::npos) << error;
  EXPECT_NE(error.find("twin_two.so"), std::string::npos) << error;
}

TEST(Loader, RefusesAMissingFileAndFolder) {
  try {
    host::load_plugin("/nonexistent/plugin.so");
    FAIL() << "loaded a missing file";
  } catch (const PluginLoadError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/plugin.so: no such file");
  }
  EXPECT_EQ(load_error("/nonexistent-folder"), "/nonexistent-folder: plugin folder does not exist");
}

TEST(Loader, LoadingTwiceReusesTheLibrary) {
  auto a = host::load_plugin(test_plugin_dir("testkit") / "testkit.so");
  auto b = host::load_plugin(test_plugin_dir("testkit") / ".." / "testkit" / "testkit.so");
  EXPECT_EQ(a.get(), b.get());
}

TEST(Loader, DecisionsOutliveTheirHost) {
  // Trace text points into the plugin library; the decision keeps it loaded.
  host::Decision d;
  json event = order_event();
  {
    auto h = make_host();
    Event ev;
    host::read_event(event, ev);
    h.evaluate(ev, d);
  }
  json out = d.to_json();
  EXPECT_EQ(trace_of(out, "returns", "window")["why"], "not a return.requested event");
}

}  // namespace
}  // namespace shoprules::test
