// End to end: `wharf cache` on a real repository, and that the default cache
// inside the work tree never shows up as a change.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/cache/subprocess.h"
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

// Issue 12: `wharf cache put` killed (SIGKILL) while it copies a big file
// into tmp/. The temporary it leaves shows in `cache stats`; the next put, or
// gc, removes it at once, since its writer is gone.
class CachePutKillTest : public CacheCliTest {
 protected:
  // Starts a put of a fresh 64 MB file and kills it once its temporary
  // holds bytes. False if the put always finished first.
  bool KillPutMidWrite(char fill) {
    std::string tmp = cache_ + "/tmp";
    for (int attempt = 0; attempt < 5; ++attempt) {
      {
        std::ofstream big(repo_.path() + "/big.bin", std::ios::binary);
        std::string chunk(1 << 20, fill);
        for (int i = 0; i < 64; ++i) {
          chunk[0] = static_cast<char>(i + attempt);
          big << chunk;
        }
      }
      std::string key = std::string(31, 'b') + static_cast<char>('0' + attempt);
      pid_t pid = testing::spawn(
          testing::wharf_binary(),
          {"cache", "--cache-dir", cache_, "put", "--key", key, "--service", "api", "--kind", "file", "big.bin"},
          repo_.path(), repo_.path() + "/put");
      bool killed = false;
      while (!killed) {
        std::error_code ec;
        for (std::filesystem::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
          std::error_code size_ec;
          if (it->file_size(size_ec) > 0 && !size_ec) killed = ::kill(pid, SIGKILL) == 0;
        }
        if (!killed && ::waitpid(pid, nullptr, WNOHANG) == pid) break;  // finished first
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (killed) {
        testing::wait_for(pid, repo_.path() + "/put");
        return true;
      }
    }
    return false;
  }

  // `wharf cache --cache-dir DIR ARGS...`: stdout parsed as JSON; stderr kept in err_.
  nlohmann::json RunCache(std::vector<std::string> args) {
    args.insert(args.begin(), {"cache", "--cache-dir", cache_});
    auto run = testing::run_binary(testing::wharf_binary(), args, repo_.path(), repo_.path() + "/cache-run");
    EXPECT_EQ(run.code, 0) << run.describe();
    err_ = run.err;
    return nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  }
  nlohmann::json Stats() { return RunCache({"stats", "--json"}); }

  std::string err_;
  std::string cache_ = repo_.path() + "/.wharf/kill-cache";
};

TEST_F(CachePutKillTest, NextPutOrGcRemovesAKilledWritersTemporary) {
  ASSERT_TRUE(KillPutMidWrite('x'));
  auto stats = Stats();
  // The put died with the cache open: this run checked it, with one warning.
  EXPECT_NE(err_.find("checked the cache"), std::string::npos) << err_;
  EXPECT_EQ(stats["tmp_files"], 1) << stats.dump();
  EXPECT_GT(stats["tmp_bytes"].get<std::uint64_t>(), 0u) << stats.dump();

  RunCache({"put", "--key", std::string(32, 'c'), "--service", "api", "--kind", "file", "artifact.bin"});
  stats = Stats();
  EXPECT_EQ(err_, "");
  EXPECT_EQ(stats["tmp_files"], 0) << stats.dump();
  EXPECT_EQ(stats["tmp_bytes"], 0) << stats.dump();

  ASSERT_TRUE(KillPutMidWrite('y'));
  EXPECT_EQ(Stats()["tmp_files"], 1);
  auto gc = RunCache({"gc", "--max-size", "1G", "--json"});
  EXPECT_EQ(gc["removed_temp_files"], 1) << gc.dump();
  EXPECT_EQ(Stats()["tmp_files"], 0);
}

}  // namespace
}  // namespace wharf
