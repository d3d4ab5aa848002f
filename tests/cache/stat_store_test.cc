#include "cache/stat_store.h"

#include <gtest/gtest.h>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using StatStoreTest = CacheTest;

hashing::StatRecord Record(std::uint64_t size, std::uint8_t tag) {
  hashing::StatRecord record;
  record.stat.size = size;
  record.stat.mtime_ns = 111;
  record.stat.inode = 42;
  record.stat.mode = 0100644;
  record.recorded_ns = 222;
  record.digest.fill(tag);
  return record;
}

TEST_F(StatStoreTest, PutsAreVisibleBeforeAndAfterCommitAndAcrossReopen) {
  {
    auto cache = Open();
    ASSERT_TRUE(cache);
    LmdbStatCache stats(cache->env());
    EXPECT_FALSE(stats.find("src/a.ts"));
    stats.put("src/a.ts", Record(10, 1));
    stats.put("src/b.ts", Record(20, 2));
    stats.put("src/a.ts", Record(11, 3));  // the last put wins
    EXPECT_EQ(stats.pending(), 2u);
    ASSERT_TRUE(stats.find("src/a.ts"));
    EXPECT_EQ(stats.find("src/a.ts")->stat.size, 11u);
    ASSERT_TRUE(stats.commit());
    EXPECT_EQ(stats.pending(), 0u);
    EXPECT_EQ(stats.find("src/b.ts")->digest[0], 2);
  }
  auto cache = Open();
  ASSERT_TRUE(cache);
  LmdbStatCache stats(cache->env());
  auto a = stats.find("src/a.ts");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->stat.size, 11u);
  EXPECT_EQ(a->stat.inode, 42u);
  EXPECT_EQ(a->recorded_ns, 222);
  EXPECT_EQ(a->digest[0], 3);
  EXPECT_FALSE(stats.find("src/c.ts"));
}

TEST_F(StatStoreTest, CommitIsOneTransaction) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  LmdbStatCache stats(cache->env());
  for (int i = 0; i < 1000; ++i) stats.put(fmt::format("f{}", i), Record(static_cast<std::uint64_t>(i), 0));
  ASSERT_TRUE(stats.commit());
  auto usage = cache->env().usage(Db::stat);
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->entries, 1000u);
}

TEST_F(StatStoreTest, PathsLongerThanTheLmdbKeyLimitWork) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  LmdbStatCache stats(cache->env());
  std::string deep;
  for (int i = 0; i < 80; ++i) deep += "node_modules/";
  std::string other = deep + "x";
  deep += "y";
  stats.put(deep, Record(5, 5));
  stats.put(other, Record(6, 6));
  ASSERT_TRUE(stats.commit());
  LmdbStatCache fresh(cache->env());
  EXPECT_EQ(fresh.find(deep)->stat.size, 5u);
  EXPECT_EQ(fresh.find(other)->stat.size, 6u);
}

TEST_F(StatStoreTest, UndecodableRecordIsAMiss) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  ASSERT_TRUE(cache->env().write([](Txn& txn) { return txn.put(Db::stat, "broken", "garbage"); }));
  LmdbStatCache stats(cache->env());
  EXPECT_FALSE(stats.find("broken"));
}

TEST_F(StatStoreTest, CommitGrowsATinyMap) {
  auto cache = Open(64 << 10);
  ASSERT_TRUE(cache);
  LmdbStatCache stats(cache->env());
  EXPECT_FALSE(stats.find("warm the snapshot"));
  for (int i = 0; i < 5000; ++i) stats.put(fmt::format("some/longish/path/file{}.ts", i), Record(1, 1));
  ASSERT_TRUE(stats.commit());
  EXPECT_GT(cache->env().growth_count(), 0);
  EXPECT_TRUE(stats.find("some/longish/path/file4999.ts"));
}

}  // namespace
}  // namespace wharf::cache
