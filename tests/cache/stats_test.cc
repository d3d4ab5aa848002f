#include "cache/stats.h"

#include <gtest/gtest.h>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using StatsTest = CacheTest;

TEST_F(StatsTest, CountsEntriesBlobsAndMap) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(1), "api", "12345", "transcript");
  Store(*cache, Key(2), "web", "123");
  ASSERT_TRUE(cache->ledger().record("prod", "api", LedgerEntry{"sha", Key(1), "", 1}));
  auto stats = collect_stats(*cache);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->path, dir());
  ASSERT_EQ(stats->dbs.size(), kDbCount);
  EXPECT_EQ(FindDb(*stats, "artifacts").entries, 2u);
  EXPECT_EQ(FindDb(*stats, "transcripts").entries, 1u);  // the second put gave none
  EXPECT_EQ(FindDb(*stats, "last_built").entries, 2u);
  EXPECT_EQ(FindDb(*stats, "ledger").entries, 2u);  // the newest entry and its copy in the history
  EXPECT_EQ(FindDb(*stats, "stat").entries, 0u);
  EXPECT_EQ(FindDb(*stats, "meta").entries, 1u);
  EXPECT_EQ(stats->blob_count, 2u);
  EXPECT_EQ(stats->blob_bytes, 8u);
  EXPECT_EQ(stats->env.map_size, kDefaultMapSize);
  EXPECT_GT(stats->env.used_bytes, 0u);
  EXPECT_GE(stats->env.data_file_bytes, stats->env.used_bytes);
  EXPECT_EQ(stats->tmp_files, 0u);
  EXPECT_TRUE(stats->corrupt_dirs.empty());
}

}  // namespace
}  // namespace wharf::cache
