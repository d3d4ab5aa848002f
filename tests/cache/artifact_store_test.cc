#include "cache/artifact_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using ArtifactStoreTest = CacheTest;

TEST_F(ArtifactStoreTest, PutRecordsArtifactTranscriptAndLastBuilt) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto stored = Store(*cache, Key(1), "api", "zip bytes", "path src/a.ts\n");
  EXPECT_EQ(stored.created_ns, stored.last_used_ns);
  EXPECT_GT(stored.created_ns, 0);
  auto found = cache->find_artifact(Key(1));
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, stored);
  EXPECT_EQ(cache->transcript(Key(1)).value_or(std::nullopt), "path src/a.ts\n");
  EXPECT_EQ(cache->last_built("api").value_or(std::nullopt), Key(1));
  Store(*cache, Key(2), "api", "newer bytes");
  EXPECT_EQ(cache->last_built("api").value_or(std::nullopt), Key(2));
  EXPECT_EQ(cache->last_built("web").value_or(std::nullopt), std::nullopt);
}

TEST_F(ArtifactStoreTest, MissingKeyIsAMissAndBadKeysAreUsageErrors) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto found = cache->find_artifact(Key(9));
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
  auto bad = cache->find_artifact("not-a-key");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

TEST_F(ArtifactStoreTest, PutRefusesARecordWhoseBlobIsNotStored) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  ArtifactRecord record{"api", "zip", std::string(64, 'a'), 3, 0, 0};
  auto put = cache->put_artifact(Key(1), record, "");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::not_found);
  EXPECT_FALSE(cache->find_artifact(Key(1)).value_or(std::nullopt).has_value());
  EXPECT_FALSE(cache->last_built("api").value_or(std::nullopt).has_value());
}

TEST_F(ArtifactStoreTest, RecordWhoseBlobVanishedIsAMiss) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto stored = Store(*cache, Key(1), "api", "bytes");
  std::filesystem::remove(cache->blob_path(stored.digest));
  auto found = cache->find_artifact(Key(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
}

TEST_F(ArtifactStoreTest, UndecodableRecordIsAMiss) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  ASSERT_TRUE(cache->env().write([](Txn& txn) { return txn.put(Db::artifacts, Key(3), "{broken"); }));
  auto found = cache->find_artifact(Key(3));
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
  EXPECT_EQ(cache->touch_artifact(Key(3)).value_or(true), false);
}

TEST_F(ArtifactStoreTest, TouchUpdatesLastUsedOnly) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto stored = Store(*cache, Key(1), "api", "bytes");
  EXPECT_EQ(cache->touch_artifact(Key(1)).value_or(false), true);
  auto found = cache->find_artifact(Key(1)).value_or(std::nullopt);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->created_ns, stored.created_ns);
  EXPECT_GT(found->last_used_ns, stored.last_used_ns);
  EXPECT_EQ(cache->touch_artifact(Key(2)).value_or(true), false);
}

TEST_F(ArtifactStoreTest, PutFileStoresTheBytes) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  std::string file = temp_.path() + "/artifact.zip";
  std::ofstream(file, std::ios::binary) << "PK zip";
  auto stored = cache->artifacts().put_file(Key(4), "web", "zip", file, "t");
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  EXPECT_EQ(stored->kind, "zip");
  EXPECT_EQ(stored->size, 6u);
  EXPECT_EQ(cache->blobs().read(stored->digest, Verify::yes).value_or(""), "PK zip");
}

TEST_F(ArtifactStoreTest, ListSkipsUndecodableRecords) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Store(*cache, Key(2), "api", "two");
  Store(*cache, Key(1), "api", "one");
  ASSERT_TRUE(cache->env().write([](Txn& txn) { return txn.put(Db::artifacts, Key(0), "junk"); }));
  auto listed = cache->artifacts().list();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].first, Key(1));
  EXPECT_EQ((*listed)[1].first, Key(2));
}

}  // namespace
}  // namespace wharf::cache
