// End to end: `wharf cache` on a real repository, and that the default cache
// inside the work tree never shows up as a change.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/testing/git_repo.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

class CacheCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("wharf.toml", "[service.api]\npaths = [\"api\"]\n");
    repo_.write("api/main.ts", "main\n");
    head_ = repo_.commit("initial");
    std::ofstream(repo_.path() + "/artifact.bin") << "artifact bytes";
  }

  std::string Wharf(const std::string& args, int* status) {
    return run_command("cd " + shell_quote(repo_.path()) + " && env -u WHARF_CACHE_DIR " +
                           shell_quote(testing::wharf_binary()) + " " + args + " 2>&1",
                       status);
  }

  testing::GitRepo repo_;
  std::string head_;
};

TEST_F(CacheCliTest, PutStatsAndGcRoundTrip) {
  int status = -1;
  std::string key(32, 'a');
  Wharf("cache put --key " + key + " --service api --kind file artifact.bin", &status);
  ASSERT_EQ(status, 0);
  auto stats = nlohmann::json::parse(Wharf("cache stats --json", &status));
  ASSERT_EQ(status, 0);
  EXPECT_EQ(stats["databases"]["artifacts"]["entries"], 1);
  EXPECT_EQ(stats["blobs"]["count"], 1);
  EXPECT_EQ(stats["blobs"]["bytes"], 14);

  auto gc = nlohmann::json::parse(Wharf("cache gc --max-size 0 --keep 0 --json", &status));
  ASSERT_EQ(status, 0);
  ASSERT_EQ(gc["removed"].size(), 1u);
  EXPECT_EQ(gc["removed"][0]["key"], key);
  stats = nlohmann::json::parse(Wharf("cache stats --json", &status));
  EXPECT_EQ(stats["blobs"]["count"], 0);

  Wharf("cache gc --max-size 12Q", &status);
  EXPECT_EQ(status, 2);
}

TEST_F(CacheCliTest, DefaultCacheInTheWorkTreeIsNotAChange) {
  int status = -1;
  std::remove((repo_.path() + "/artifact.bin").c_str());
  Wharf("cache stats", &status);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(repo_.git("status --porcelain"), "");
  auto plan = nlohmann::json::parse(Wharf("plan --json --worktree --since HEAD", &status));
  ASSERT_EQ(status, 0);
  EXPECT_EQ(plan["services"][0]["action"], "skip") << plan.dump();
}

}  // namespace
}  // namespace wharf
