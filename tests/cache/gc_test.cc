#include "cache/gc.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using GcTest = CacheTest;

std::vector<std::string> RemovedKeys(const GcReport& report) {
  std::vector<std::string> keys;
  for (const auto& removed : report.removed) keys.push_back(removed.key);
  return keys;
}

// 100 bytes, distinct per n.
std::string Bytes(int n) { return fmt::format("{:<100}", n); }

GcReport Gc(Cache& cache, std::uint64_t max, std::size_t keep, DryRun dry_run = DryRun::no,
            std::chrono::nanoseconds grace = kUnreferencedGrace) {
  auto report = collect_garbage(cache, GcOptions{max, keep, dry_run, grace});
  EXPECT_TRUE(report.has_value()) << report.error().message;
  return report ? *report : GcReport{};
}

bool Has(Cache& cache, int n) { return cache.find_artifact(Key(n)).value_or(std::nullopt).has_value(); }

TEST_F(GcTest, RemovesLeastRecentlyUsedFirstUntilUnderBudget) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  std::vector<ArtifactRecord> records;
  for (int n = 1; n <= 4; ++n) records.push_back(Store(*cache, Key(n), "api", Bytes(n)));
  ASSERT_TRUE(cache->touch_artifact(Key(1)));  // now the most recent
  auto report = Gc(*cache, 250, 0);
  EXPECT_EQ(RemovedKeys(report), (std::vector<std::string>{Key(2), Key(3)}));
  EXPECT_EQ(report.bytes_before, 400u);
  EXPECT_EQ(report.bytes_after, 200u);
  EXPECT_EQ(report.kept, 2u);
  ASSERT_EQ(report.removed_blobs.size(), 2u);
  EXPECT_TRUE(Has(*cache, 1));
  EXPECT_FALSE(Has(*cache, 2));
  EXPECT_FALSE(Has(*cache, 3));
  EXPECT_TRUE(Has(*cache, 4));
  EXPECT_FALSE(std::filesystem::exists(cache->blob_path(records[1].digest)));
  EXPECT_FALSE(std::filesystem::exists(cache->blob_path(records[2].digest)));
  EXPECT_TRUE(std::filesystem::exists(cache->blob_path(records[3].digest)));
}

TEST_F(GcTest, UnderBudgetRemovesNothing) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(1), "api", Bytes(1));
  auto report = Gc(*cache, 100, 0);
  EXPECT_TRUE(report.removed.empty());
  EXPECT_TRUE(report.removed_blobs.empty());
  EXPECT_TRUE(Has(*cache, 1));
}

TEST_F(GcTest, KeepsTheNewestNPerService) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(1), "api", Bytes(1));
  Store(*cache, Key(2), "web", Bytes(2));
  Store(*cache, Key(3), "api", Bytes(3));
  Store(*cache, Key(4), "api", Bytes(4));
  Store(*cache, Key(5), "web", Bytes(5));
  auto report = Gc(*cache, 0, 2);
  EXPECT_EQ(RemovedKeys(report), (std::vector<std::string>{Key(1)}));
  EXPECT_EQ(report.bytes_after, 400u);  // over budget: the rest is protected
  for (int n = 2; n <= 5; ++n) EXPECT_TRUE(Has(*cache, n)) << n;
}

TEST_F(GcTest, NeverRemovesWhatTheLedgerPointsTo) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(1), "api", Bytes(1));
  auto second = Store(*cache, Key(2), "api", Bytes(2));
  Store(*cache, Key(3), "api", Bytes(3));
  // One entry by input key, one by artifact digest only.
  ASSERT_TRUE(cache->ledger().record("prod", "api", LedgerEntry{"sha1", Key(1), "", 1}));
  ASSERT_TRUE(cache->ledger().record("impl", "api", LedgerEntry{"sha2", "", second.digest, 2}));
  auto report = Gc(*cache, 0, 0);
  EXPECT_EQ(RemovedKeys(report), (std::vector<std::string>{Key(3)}));
  EXPECT_EQ(report.ledger_protected, 2u);
  EXPECT_TRUE(Has(*cache, 1));
  EXPECT_TRUE(Has(*cache, 2));
  EXPECT_FALSE(Has(*cache, 3));
}

TEST_F(GcTest, SharedBlobStaysWhileAnyRecordUsesIt) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto first = Store(*cache, Key(1), "api", Bytes(1));
  Store(*cache, Key(2), "web", Bytes(1));  // same bytes, another key
  Store(*cache, Key(3), "web", Bytes(3));
  auto report = Gc(*cache, 150, 0);
  // Removing key 1 frees nothing (key 2 shares its blob), so key 2 goes too.
  EXPECT_EQ(RemovedKeys(report), (std::vector<std::string>{Key(1), Key(2)}));
  ASSERT_EQ(report.removed_blobs.size(), 1u);
  EXPECT_EQ(report.removed_blobs[0].digest, first.digest);
  EXPECT_TRUE(Has(*cache, 3));
}

TEST_F(GcTest, RemovesOrphanBlobsAndDanglingRecords) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto orphan = cache->put_blob("nobody refers to me");
  ASSERT_TRUE(orphan.has_value());
  auto dangling = Store(*cache, Key(1), "api", Bytes(1));
  std::filesystem::remove(cache->blob_path(dangling.digest));
  Store(*cache, Key(2), "api", Bytes(2));
  ASSERT_TRUE(cache->env().write([](Txn& txn) { return txn.put(Db::artifacts, Key(9), "undecodable"); }));
  auto report = Gc(*cache, 1 << 20, 0, DryRun::no, std::chrono::nanoseconds(0));
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0].key, Key(1));
  EXPECT_EQ(report.removed[0].reason, RemovalReason::dangling);
  ASSERT_EQ(report.removed_blobs.size(), 1u);
  EXPECT_EQ(report.removed_blobs[0].digest, orphan->digest);
  EXPECT_EQ(report.undecodable_records, 1u);
  EXPECT_FALSE(std::filesystem::exists(cache->blob_path(orphan->digest)));
  EXPECT_TRUE(Has(*cache, 2));
  auto listed = cache->artifacts().list();
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 1u);
  auto usage = cache->env().usage(Db::artifacts);
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->entries, 1u);  // the undecodable record is gone too
}

TEST_F(GcTest, DryRunRemovesNothing) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto stored = Store(*cache, Key(1), "api", Bytes(1));
  auto report = Gc(*cache, 0, 0, DryRun::yes);
  EXPECT_TRUE(report.dry_run);
  EXPECT_EQ(RemovedKeys(report), (std::vector<std::string>{Key(1)}));
  EXPECT_EQ(report.removed_blobs.size(), 1u);
  EXPECT_TRUE(Has(*cache, 1));
  EXPECT_TRUE(std::filesystem::exists(cache->blob_path(stored.digest)));
}

TEST_F(GcTest, KeepsTranscriptsOfLastBuiltKeys) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(1), "api", Bytes(1), "old transcript");
  Store(*cache, Key(2), "api", Bytes(2), "last transcript");
  Gc(*cache, 0, 0);
  EXPECT_FALSE(Has(*cache, 2));
  EXPECT_EQ(cache->transcript(Key(1)).value_or("?"), std::nullopt);
  EXPECT_EQ(cache->transcript(Key(2)).value_or(std::nullopt), "last transcript");
  EXPECT_EQ(cache->last_built("api").value_or(std::nullopt), Key(2));
}

}  // namespace
}  // namespace wharf::cache
