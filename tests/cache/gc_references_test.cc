// gc over multi-blob artifacts: it follows each record's blob list.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "cache/gc.h"
#include "cache/stats.h"
#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using GcReferencesTest = CacheTest;

// 100 bytes, distinct per name.
std::string Part(const std::string& name) { return fmt::format("{:<100}", name); }

GcReport Gc(Cache& cache, std::uint64_t max, std::chrono::nanoseconds grace = kUnreferencedGrace) {
  auto report = collect_garbage(cache, GcOptions{max, 0, DryRun::no, grace});
  EXPECT_TRUE(report.has_value()) << report.error().message;
  return report ? *report : GcReport{};
}

std::vector<std::string> Digests(const std::vector<BlobInfo>& blobs) {
  std::vector<std::string> digests;
  for (const auto& blob : blobs) digests.push_back(blob.digest);
  return digests;
}

bool Has(Cache& cache, int n) { return cache.find_artifact(Key(n)).value_or(std::nullopt).has_value(); }

// Two images on one base layer: removing the least recently used one frees
// its manifest, config and own layer, never the base layer the kept one uses.
TEST_F(GcReferencesTest, LruRemovalFreesOnlyBlobsNoKeptRecordUses) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto old_image = StoreImage(*cache, Key(1), "api", {Part("m1"), Part("c1"), Part("base"), Part("code1")});
  auto new_image = StoreImage(*cache, Key(2), "web", {Part("m2"), Part("c2"), Part("base"), Part("code2")});
  ASSERT_EQ(old_image.blobs.size(), 4u);
  // 7 distinct blobs, 700 bytes; removing image 1 frees its 3 own blobs.
  auto report = Gc(*cache, 400);
  EXPECT_EQ(report.bytes_before, 700u);
  EXPECT_EQ(report.bytes_after, 400u);
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0].key, Key(1));
  std::vector<std::string> freed = {old_image.blobs[0].digest, old_image.blobs[1].digest, old_image.blobs[3].digest};
  std::sort(freed.begin(), freed.end());
  EXPECT_EQ(Digests(report.removed_blobs), freed);
  EXPECT_TRUE(std::filesystem::exists(cache->blob_path(new_image.blobs[2].digest)));  // the base layer
  EXPECT_FALSE(Has(*cache, 1));
  EXPECT_TRUE(Has(*cache, 2));
  for (const auto& blob : new_image.blobs) EXPECT_TRUE(cache->blobs().contains(blob.digest)) << blob.digest;
}

// Removing every image: the base layer goes with the last one that lists it.
TEST_F(GcReferencesTest, SharedLayerGoesWithItsLastUser) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto first = StoreImage(*cache, Key(1), "api", {Part("m1"), Part("base")});
  StoreImage(*cache, Key(2), "web", {Part("m2"), Part("base")});
  auto report = Gc(*cache, 0);
  EXPECT_EQ(report.removed.size(), 2u);
  EXPECT_EQ(report.removed_blobs.size(), 3u);
  EXPECT_EQ(report.bytes_after, 0u);
  EXPECT_FALSE(std::filesystem::exists(cache->blob_path(first.blobs[1].digest)));
}

// A shared blob counts once: in the budget (a budget of exactly the distinct
// bytes removes nothing), in the report and in `cache stats`.
TEST_F(GcReferencesTest, SharedBlobCountsOnceInBudgetReportAndStats) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  for (int n = 1; n <= 3; ++n) {
    StoreImage(*cache, Key(n), fmt::format("svc{}", n), {Part(fmt::format("m{}", n)), Part("base"), Part("deps")});
  }
  auto stats = collect_stats(*cache);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->blob_count, 5u);
  EXPECT_EQ(stats->blob_bytes, 500u);
  auto report = Gc(*cache, 500);
  EXPECT_TRUE(report.removed.empty());
  EXPECT_EQ(report.bytes_before, 500u);
  EXPECT_EQ(report.bytes_after, 500u);
  EXPECT_EQ(report.kept, 3u);
  // One byte less: only the least recently used image goes, freeing its manifest alone.
  report = Gc(*cache, 499);
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0].key, Key(1));
  EXPECT_EQ(report.removed_blobs.size(), 1u);
  EXPECT_EQ(report.bytes_after, 400u);
}

TEST_F(GcReferencesTest, RecordMissingALayerIsDropped) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto image = StoreImage(*cache, Key(1), "api", {Part("m1"), Part("layer")});
  StoreImage(*cache, Key(2), "web", {Part("m2"), Part("other layer")});
  std::filesystem::remove(cache->blob_path(image.blobs[1].digest));
  EXPECT_FALSE(Has(*cache, 1));  // find() is a miss already
  auto report = Gc(*cache, 1 << 20, std::chrono::nanoseconds(0));
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0].key, Key(1));
  EXPECT_EQ(report.removed[0].reason, RemovalReason::dangling);
  EXPECT_EQ(Digests(report.removed_blobs), std::vector<std::string>{image.blobs[0].digest});
  EXPECT_TRUE(Has(*cache, 2));
}

// A build stores its blobs before its record: gc leaves blobs nobody lists
// alone for the grace period, and removes them after it.
TEST_F(GcReferencesTest, UnreferencedBlobsAreSparedForTheGracePeriod) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto pending = cache->put_blob(Part("layer of a build in progress"));
  ASSERT_TRUE(pending.has_value());
  auto report = Gc(*cache, 0);
  EXPECT_TRUE(report.removed_blobs.empty());
  EXPECT_EQ(report.spared_blobs, 1u);
  EXPECT_EQ(report.bytes_after, 100u);
  EXPECT_TRUE(cache->blobs().contains(pending->digest));
  report = Gc(*cache, 0, std::chrono::nanoseconds(0));
  EXPECT_EQ(Digests(report.removed_blobs), std::vector<std::string>{pending->digest});
  EXPECT_EQ(report.spared_blobs, 0u);
  EXPECT_FALSE(cache->blobs().contains(pending->digest));
}

}  // namespace
}  // namespace wharf::cache
