// End to end: the real wharf binary (`wharf hash`, `wharf explain`) on a real
// git repository built with the git CLI.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using ::wharf::testing::run_command;
using ::wharf::testing::shell_quote;

constexpr const char* kConfig = R"([workspace]
inputs = ["package.json"]

[package.common]
paths = ["packages/common"]

[service.api]
paths = ["services/api"]
deps = ["common"]
env = ["NODE_ENV"]

[service.web]
paths = ["services/web"]
)";

class HashCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("wharf.toml", kConfig);
    repo_.write("package.json", "{}");
    repo_.write(".gitignore", "dist/\n");
    repo_.write("packages/common/index.ts", "export const x = 1;");
    repo_.write("services/api/index.ts", "import 'common';");
    repo_.write("services/api/dist/bundle.js", "ignored");
    repo_.write("services/web/main.ts", "web");
    repo_.commit("initial");
    repo_.write("services/web/untracked.ts", "untracked, not ignored");
    // Let the clock move past the files' timestamps (the racy guard).
    ::usleep(200'000);
  }

  nlohmann::json Hash(const std::string& dir, const std::string& args = "") {
    int status = -1;
    std::string out =
        run_command("cd " + shell_quote(dir) + " && env -u NODE_ENV " + shell_quote(::wharf::testing::wharf_binary()) +
                        " hash --json --cache-dir " + shell_quote(cache_.path()) + " " + args,
                    &status);
    EXPECT_EQ(status, 0) << out;
    return nlohmann::json::parse(out);
  }

  std::string Wharf(const std::string& args) {
    int status = -1;
    std::string out =
        run_command("cd " + shell_quote(repo_.path()) + " && " + shell_quote(::wharf::testing::wharf_binary()) + " " +
                        args + " --cache-dir " + shell_quote(cache_.path()),
                    &status);
    EXPECT_EQ(status, 0) << out;
    return out;
  }

  ::wharf::testing::GitRepo repo_;
  ::wharf::testing::TempDir cache_;
};

TEST_F(HashCliTest, SecondRunReadsNoFile) {
  nlohmann::json first = Hash(repo_.path());
  ASSERT_EQ(first["services"].size(), 2u);
  EXPECT_EQ(first["services"][0]["name"], "api");
  EXPECT_EQ(first["services"][0]["key"].get<std::string>().size(), 32u);
  EXPECT_EQ(first["services"][0]["cached"], false);
  EXPECT_EQ(first["services"][0]["files"], 3);  // package.json, api/index.ts, common/index.ts
  EXPECT_EQ(first["services"][1]["files"], 3);  // package.json, web/main.ts, web/untracked.ts
  EXPECT_EQ(first["stats"]["files"], 5);
  // The four committed files are clean in the index: their blob ids stand
  // in, unread. Only the untracked file is read.
  EXPECT_EQ(first["stats"]["blob_hits"], 4);
  EXPECT_EQ(first["stats"]["files_read"], 1);

  nlohmann::json second = Hash(repo_.path());
  EXPECT_EQ(second["services"], first["services"]);
  EXPECT_EQ(second["stats"]["files_read"], 0);
  EXPECT_EQ(second["stats"]["bytes_read"], 0);
  EXPECT_EQ(second["stats"]["blob_hits"], 4);
  EXPECT_EQ(second["stats"]["stat_hits"], 1);
}

TEST_F(HashCliTest, CloneElsewhereGivesTheSameKeysFromTheGitIndex) {
  nlohmann::json original = Hash(repo_.path(), "api");
  ::wharf::testing::TempDir other;
  std::string clone = other.path() + "/checkout";
  int status = -1;
  run_command("git clone -q " + shell_quote(repo_.path()) + " " + shell_quote(clone), &status);
  ASSERT_EQ(status, 0);
  ::usleep(1'100'000);  // past the index file's second, so its entries are not racy
  run_command("cd " + shell_quote(clone) + " && git update-index --really-refresh >/dev/null", &status);
  nlohmann::json cloned = Hash(clone, "api");
  EXPECT_EQ(cloned["services"][0]["key"], original["services"][0]["key"]);
  EXPECT_EQ(cloned["stats"]["files_read"], 0);
  EXPECT_EQ(cloned["stats"]["blob_hits"], 3);
}

TEST_F(HashCliTest, ExplainNamesTheChangedFile) {
  std::string key = Hash(repo_.path(), "api")["services"][0]["key"];
  EXPECT_NE(Wharf("explain api").find("nothing was ever built"), std::string::npos);
  std::string artifact = cache_.path() + "/artifact.bin";
  run_command("echo bytes > " + shell_quote(artifact));
  Wharf("cache put --key " + key + " --service api " + shell_quote(artifact));
  // The put gave no transcript: the one `wharf hash` stored for the key stays
  // (nothing is hashed between the put and the change below).
  repo_.write("services/api/index.ts", "import 'common'; // changed");
  repo_.write("packages/common/index.ts", "export const x = 2;");
  std::string explained = Wharf("explain api");
  EXPECT_NE(explained.find("file changed: services/api/index.ts"), std::string::npos) << explained;
  EXPECT_NE(explained.find("package changed: common\n    file changed: packages/common/index.ts"), std::string::npos)
      << explained;
  repo_.write("services/api/index.ts", "import 'common';");
  repo_.write("packages/common/index.ts", "export const x = 1;");
  EXPECT_NE(Wharf("explain api").find("unchanged"), std::string::npos);
  nlohmann::json reverted = Hash(repo_.path(), "api");
  EXPECT_EQ(reverted["services"][0]["key"], key);
  EXPECT_EQ(reverted["services"][0]["cached"], true);
}

// Issue 12: with the submodule checked out one commit back, `wharf hash`
// gave the recorded commit's key, and files changed inside it did not count.
TEST_F(HashCliTest, SubmoduleKeyFollowsItsCheckoutAndItsChangedFiles) {
  ::wharf::testing::GitRepo lib;
  lib.write("lib.ts", "export const v = 1;");
  std::string first = lib.commit("first");
  lib.write("lib.ts", "export const v = 2;");
  lib.commit("second");
  repo_.git("-c protocol.file.allow=always submodule add -q " + shell_quote(lib.path()) + " services/api/vendor/lib");
  repo_.commit("vendor lib");
  auto key = [&] {
    nlohmann::json out = Hash(repo_.path(), "api web");
    EXPECT_EQ(out["services"][1]["name"], "web");
    return std::make_pair(out["services"][0]["key"].get<std::string>(), out["services"][1]["key"].get<std::string>());
  };
  const auto recorded = key();
  repo_.git("-C services/api/vendor/lib checkout -q " + first);
  const auto back = key();
  EXPECT_NE(back.first, recorded.first);
  EXPECT_EQ(back.second, recorded.second);  // web does not contain the submodule
  repo_.git("-C services/api/vendor/lib checkout -q main");
  EXPECT_EQ(key(), recorded);

  repo_.write("services/api/vendor/lib/lib.ts", "export const v = 3;");
  const auto dirty = key();
  EXPECT_NE(dirty.first, recorded.first);
  EXPECT_NE(dirty.first, back.first);
  repo_.write("services/api/vendor/lib/lib.ts", "export const v = 2;");
  repo_.write("services/api/vendor/lib/extra.ts", "untracked");
  const auto untracked = key();
  EXPECT_NE(untracked.first, recorded.first);
  EXPECT_NE(untracked.first, dirty.first);
  repo_.remove("services/api/vendor/lib/extra.ts");
  EXPECT_EQ(key(), recorded);
}

// Issue 12: a full disk on a cold cache said "cache commit: Input/output
// error". A tmpfs too small for the cache, in a private mount namespace.
TEST_F(HashCliTest, AFullDiskIsNamedWithTheCacheDirectory) {
  int status = -1;
  run_command("unshare -m true 2>/dev/null", &status);
  if (status != 0) GTEST_SKIP() << "needs unshare -m (root) to mount a small tmpfs";
  for (int i = 0; i < 300; ++i) {
    repo_.write(fmt::format("services/web/untracked/file{}.ts", i), fmt::format("untracked {}", i));
  }
  ::usleep(200'000);
  ::wharf::testing::TempDir scratch;
  const std::string full = scratch.path() + "/full";
  const std::string err_file = scratch.path() + "/stderr";
  std::string script = "mkdir -p " + shell_quote(full) + " && mount -t tmpfs -o size=64k tmpfs " + shell_quote(full) +
                       " && cd " + shell_quote(repo_.path()) + " && " + shell_quote(::wharf::testing::wharf_binary()) +
                       " hash --cache-dir " + shell_quote(full) + " 2>" + shell_quote(err_file);
  run_command("unshare -m sh -c " + shell_quote(script), &status);
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  EXPECT_EQ(status, 3) << err.str();
  EXPECT_NE(err.str().find("the disk is full"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(full), std::string::npos) << err.str();
}

}  // namespace
}  // namespace wharf
