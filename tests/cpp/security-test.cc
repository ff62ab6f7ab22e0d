// Plugin files an attacker could swap: owner and mode checks, and sha256 pins.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/plugin_loader.hpp"
#include "shoprules/host/sha256.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

using host::LoadPolicy;

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(host::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(host::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(host::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(host::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/// A fresh folder holding a copy of the testkit plugin as `name`.so.
struct Sandbox {
  fs::path dir;
  fs::path file;
  explicit Sandbox(const std::string& name = "testkit") {
    dir = fs::temp_directory_path() /
          ("shoprules-security-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms(0755));
    file = dir / (name + ".so");
    fs::copy_file(test_plugin_dir("testkit") / "testkit.so", file);
    fs::permissions(file, fs::perms(0755));
  }
  ~Sandbox() { fs::remove_all(dir); }
};

std::string load_error(const fs::path& dir, const LoadPolicy& policy = {}) {
  try {
    host::load_plugin_dirs({dir}, policy);
  } catch (const host::PluginLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(Security, RefusesAFileOthersCanWrite) {
  Sandbox box;
  fs::permissions(box.file, fs::perms(0775));
  std::string error = load_error(box.dir);
  EXPECT_NE(error.find("testkit.so: the file is writable by group or others (mode 0775)"),
            std::string::npos)
      << error;
  LoadPolicy allow;
  allow.allow_unsafe_files = true;
  EXPECT_EQ(load_error(box.dir, allow), "");
}

TEST(Security, RefusesAFolderOthersCanWrite) {
  Sandbox box;
  fs::permissions(box.dir, fs::perms(0777));
  std::string error = load_error(box.dir);
  EXPECT_NE(error.find("the plugin folder is writable by group or others (mode 0777)"),
            std::string::npos)
      << error;
}

TEST(Security, RefusesAFileOwnedByAnotherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  Sandbox box;
  ASSERT_EQ(chown(box.file.c_str(), 12345, 12345), 0);
  std::string error = load_error(box.dir);
  EXPECT_NE(error.find("the file is owned by uid 12345, not by this user (uid 0) or root"),
            std::string::npos)
      << error;
}

TEST(Security, APinnedFileMustHashToThePin) {
  Sandbox box;
  LoadPolicy pinned;
  pinned.sha256["testkit"] = std::string(64, '0');
  std::string error = load_error(box.dir, pinned);
  EXPECT_NE(error.find("does not match the pin 0000"), std::string::npos) << error;

  auto plugins = host::load_plugin_dirs({box.dir});
  pinned.sha256["testkit"] = plugins[0]->sha256;
  EXPECT_EQ(load_error(box.dir, pinned), "");
}

TEST(Security, APinMustFindItsPlugin) {
  Sandbox box;
  LoadPolicy pinned;
  pinned.sha256["loyalty"] = std::string(64, 'a');
  EXPECT_EQ(load_error(box.dir, pinned),
            "plugins.loyalty.sha256: the config pins a plugin 'loyalty' but no plugin folder holds "
            "loyalty.so");
}

TEST(Security, APinnedFileMustHoldThePluginItIsNamedFor) {
  Sandbox box("faulty");  // testkit's code under another plugin's file name
  LoadPolicy pinned;
  pinned.sha256["faulty"] = host::load_plugin_dirs({box.dir})[0]->sha256;
  std::string error = load_error(box.dir, pinned);
  EXPECT_NE(error.find("pinned as plugin 'faulty' but holds plugin 'testkit'"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace shoprules::test
