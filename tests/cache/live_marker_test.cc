// Markers of processes with the cache open, and what Cache::open does when
// one belongs to a process that died.
#include "cache/live_marker.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

namespace fs = std::filesystem;

class LiveMarkerTest : public CacheTest {
 protected:
  // A child process opens the cache, writes, sets `state` and dies (no clean
  // close), as kill -9 would leave it.
  void DieWithCacheOpen(MarkerState state = MarkerState::open) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::string> warnings;
      auto cache = Cache::open(dir(), warnings, options());
      if (!cache) ::_exit(1);
      Store(**cache, Key(1), "api", "bytes");
      auto marker = LiveMarker::create(dir());  // a second one, to set its state
      if (!marker) ::_exit(1);
      marker->set_state(state);
      ::_exit(0);  // no destructors: both markers stay, unlocked
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  std::vector<std::string> OpenWarnings() {
    std::vector<std::string> warnings;
    auto cache = Cache::open(dir(), warnings, options());
    EXPECT_TRUE(cache.has_value()) << cache.error().message;
    if (cache) found_ = (*cache)->find_artifact(Key(1)).value_or(std::nullopt).has_value();
    return warnings;
  }

  std::size_t MovedAside() {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir())) n += entry.path().filename().string().starts_with("db.");
    return n;
  }

  bool found_ = false;
};

TEST_F(LiveMarkerTest, ALiveProcessIsNeverTakenForDead) {
  auto first = Open();
  auto marker = LiveMarker::create(dir());
  ASSERT_TRUE(marker);
  EXPECT_TRUE(find_dead_markers(dir()).empty());
  first.reset();
  EXPECT_TRUE(find_dead_markers(dir()).empty());  // a clean close removes its marker
  EXPECT_EQ(OpenWarnings().size(), 0u);
}

TEST_F(LiveMarkerTest, AfterACrashTheNextOpenChecksOnceWithOneWarning) {
  DieWithCacheOpen();
  EXPECT_EQ(find_dead_markers(dir()).size(), 2u);
  auto warnings = OpenWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("records verified"), std::string::npos) << warnings[0];
  EXPECT_TRUE(found_);  // sound: kept
  EXPECT_EQ(MovedAside(), 0u);
  EXPECT_TRUE(OpenWarnings().empty());  // the dead markers are gone
}

TEST_F(LiveMarkerTest, ADamagedRecordFoundByTheCheckMovesTheCacheAside) {
  DieWithCacheOpen();
  // Flip a byte of the artifact record's digest, where it sits in data.mdb.
  std::string data_file = dir() + "/db/data.mdb";
  std::ifstream in(data_file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  std::size_t at = data.find("\"digest\":\"");
  ASSERT_NE(at, std::string::npos);
  for (; at != std::string::npos; at = data.find("\"digest\":\"", at + 1)) data[at + 12] ^= 0x01;
  std::ofstream(data_file, std::ios::binary) << data;

  auto warnings = OpenWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("failed their checksum"), std::string::npos) << warnings[0];
  EXPECT_FALSE(found_);
  EXPECT_EQ(MovedAside(), 1u);
}

TEST_F(LiveMarkerTest, AfterACheckDiedTheCacheIsMovedAsideUnchecked) {
  DieWithCacheOpen(MarkerState::checking);
  auto warnings = OpenWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("did not finish"), std::string::npos) << warnings[0];
  EXPECT_FALSE(found_);
  EXPECT_EQ(MovedAside(), 1u);
}

}  // namespace
}  // namespace wharf::cache
