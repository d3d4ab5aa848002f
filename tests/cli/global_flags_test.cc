// End to end: -C, --config and --cache-dir are global flags, accepted before
// or after the subcommand's name, and every command uses the one cache
// directory policy (--cache-dir, else $WHARF_CACHE_DIR, else .wharf/cache).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

class GlobalFlagsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    repo_ = dir_->path() + "/repo";
    run_command("bash " + shell_quote(testing::source_dir() + "/examples/make-sample-repo.sh") + " " +
                shell_quote(repo_) + " >/dev/null");
    // A second config beside the default, with one service fewer.
    run_command("cd " + shell_quote(repo_) + " && sed '/^\\[service.admin-ui\\]/,$d' wharf.toml > other.toml");
  }
  static void TearDownTestSuite() { delete dir_; }

  // Runs wharf from `dir_` (outside the repository), without $WHARF_CACHE_DIR.
  static std::string Wharf(const std::string& args, int* status) {
    return run_command("cd " + shell_quote(dir_->path()) + " && env -u WHARF_CACHE_DIR " +
                           shell_quote(testing::wharf_binary()) + " " + args + " 2>&1",
                       status);
  }

  static testing::TempDir* dir_;
  static std::string repo_;
};

testing::TempDir* GlobalFlagsTest::dir_ = nullptr;
std::string GlobalFlagsTest::repo_;

// Each command with the global flags before and after its name gives the
// same output and status.
TEST_F(GlobalFlagsTest, EveryCommandTakesGlobalFlagsBeforeOrAfterItsName) {
  const std::string c = "-C " + shell_quote(repo_);
  const std::string config = "--config other.toml";
  const std::string cache = "--cache-dir " + shell_quote(dir_->path() + "/cache-a");
  struct Case {
    std::string command;  // the subcommand and its own arguments
  };
  const Case cases[] = {
      {"plan --since HEAD~2 --json"}, {"graph --format json"}, {"hash --json"}, {"explain auth"}, {"cache stats"},
  };
  for (const Case& one : cases) {
    SCOPED_TRACE(one.command);
    int before_status = -1;
    int after_status = -1;
    int mixed_status = -1;
    std::string before = Wharf(c + " " + config + " " + cache + " " + one.command, &before_status);
    std::string after = Wharf(one.command + " " + c + " " + config + " " + cache, &after_status);
    std::string mixed = Wharf(c + " " + one.command + " " + config + " " + cache, &mixed_status);
    EXPECT_EQ(before_status, 0) << before;
    EXPECT_EQ(after_status, 0) << after;
    EXPECT_EQ(mixed_status, 0) << mixed;
    if (one.command.starts_with("hash")) continue;  // counters differ from a cold to a warm run
    EXPECT_EQ(before, after);
    EXPECT_EQ(before, mixed);
  }
  // --config was honoured: the other config has no admin-ui.
  int status = -1;
  EXPECT_EQ(Wharf("graph " + c + " " + config, &status).find("admin-ui"), std::string::npos);
  EXPECT_NE(Wharf("graph " + c, &status).find("admin-ui"), std::string::npos);
}

// --cache-dir is where every command keeps and reads its cache: nothing is
// written to the default directory, and what `hash` stored is what `cache`
// and `explain` see.
TEST_F(GlobalFlagsTest, CacheDirIsHonouredByEveryCommand) {
  const std::string cache_dir = dir_->path() + "/cache-b";
  const std::string flags = "-C " + shell_quote(repo_) + " --cache-dir " + shell_quote(cache_dir);
  std::filesystem::remove_all(repo_ + "/.wharf");
  int status = -1;
  for (const std::string command : {"plan --since HEAD~1", "graph", "hash", "explain auth", "cache stats"}) {
    std::string out = Wharf(command + " " + flags, &status);
    EXPECT_EQ(status, 0) << command << ": " << out;
  }
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/.wharf")) << "a command used the default cache directory";
  EXPECT_TRUE(std::filesystem::exists(cache_dir + "/db/data.mdb"));
  EXPECT_TRUE(std::filesystem::exists(cache_dir + "/config"));  // the config snapshot

  // An artifact put into it is seen as cached by `hash` with the same flag.
  std::string key = Wharf("hash auth --json " + flags +
                              " | python3 -c 'import json,sys; "
                              "print(json.load(sys.stdin)[\"services\"][0][\"key\"])'",
                          &status);
  ASSERT_EQ(status, 0) << key;
  key.erase(key.find_last_not_of("\n") + 1);
  run_command("printf zip > " + shell_quote(dir_->path() + "/artifact"));
  std::string put = Wharf(
      "cache put --key " + key + " --service auth " + shell_quote(dir_->path() + "/artifact") + " " + flags, &status);
  ASSERT_EQ(status, 0) << put;
  EXPECT_NE(Wharf("hash auth " + flags, &status).find(" cached"), std::string::npos);
  EXPECT_NE(Wharf("explain auth " + flags, &status).find("unchanged"), std::string::npos);
  // Without the flag (default directory), the artifact is not there.
  EXPECT_NE(Wharf("hash auth -C " + shell_quote(repo_), &status).find("not cached"), std::string::npos);
}

// $WHARF_CACHE_DIR is the second choice, for every command too.
TEST_F(GlobalFlagsTest, CacheDirFromTheEnvironment) {
  const std::string cache_dir = dir_->path() + "/cache-env";
  int status = -1;
  std::string out = run_command("cd " + shell_quote(repo_) + " && WHARF_CACHE_DIR=" + shell_quote(cache_dir) + " " +
                                    shell_quote(testing::wharf_binary()) + " plan --since HEAD~1 2>&1",
                                &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(std::filesystem::exists(cache_dir + "/config"));
}

}  // namespace
}  // namespace wharf
