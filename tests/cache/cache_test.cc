#include "cache/cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

namespace fs = std::filesystem;

TEST(ResolveCacheDirTest, FlagBeatsEnvironmentBeatsRepositoryDefault) {
  EXPECT_EQ(resolve_cache_dir("/repo", "/flag", "/env").value_or(""), "/flag");
  EXPECT_EQ(resolve_cache_dir("/repo", "", "/env").value_or(""), "/env");
  EXPECT_EQ(resolve_cache_dir("/repo", "", nullptr).value_or(""), "/repo/.wharf/cache");
  EXPECT_EQ(resolve_cache_dir("/repo", "", "").value_or(""), "/repo/.wharf/cache");
  EXPECT_EQ(resolve_cache_dir("", "/flag/", nullptr).value_or(""), "/flag");
}

TEST(ResolveCacheDirTest, RelativePathsBecomeAbsolute) {
  auto dir = resolve_cache_dir("", "some/../cache", nullptr);
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(*dir, (fs::current_path() / "cache").string());
}

TEST(ResolveCacheDirTest, NothingToGoOnIsAUsageError) {
  auto dir = resolve_cache_dir("", "", nullptr);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::usage);
  EXPECT_NE(dir.error().message.find("--cache-dir"), std::string::npos);
}

using CacheOpenTest = CacheTest;

TEST_F(CacheOpenTest, CreatesTheDocumentedLayout) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->dir(), dir());
  EXPECT_TRUE(fs::exists(dir() + "/db/data.mdb"));
  EXPECT_TRUE(fs::exists(dir() + "/db/lock.mdb"));
  EXPECT_TRUE(fs::is_directory(dir() + "/blobs/sha256"));
  EXPECT_TRUE(fs::is_directory(dir() + "/tmp"));
  EXPECT_EQ(cache->blob_path(std::string(64, 'a')), dir() + "/blobs/sha256/" + std::string(64, 'a'));
}

}  // namespace
}  // namespace wharf::cache
