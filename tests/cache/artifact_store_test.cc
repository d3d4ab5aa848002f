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
  ArtifactRecord record{"api", "zip", std::string(64, 'a'), 3, 0, 0, {}, ""};
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

TEST_F(ArtifactStoreTest, RecordWithEmptyBlobListIsStoredAsItsPrimaryBlob) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto stored = Store(*cache, Key(1), "api", "zip bytes");
  EXPECT_EQ(stored.blobs, (std::vector<BlobRef>{{stored.digest, stored.size, ""}}));
  EXPECT_EQ(cache->find_artifact(Key(1)).value_or(std::nullopt), stored);
}

TEST_F(ArtifactStoreTest, MultiBlobArtifactIsFoundWithEveryBlob) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto image = StoreImage(*cache, Key(1), "web", {"manifest", "config", "base layer", "code layer"});
  ASSERT_EQ(image.blobs.size(), 4u);
  EXPECT_EQ(image.kind, "image");
  EXPECT_EQ(image.digest, image.blobs[0].digest);
  auto found = cache->find_artifact(Key(1));
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, image);
  EXPECT_EQ((*found)->media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(cache->blobs().read((*found)->blobs[3].digest).value_or(""), "code layer");
}

TEST_F(ArtifactStoreTest, MissingLayerMakesFindAMiss) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto image = StoreImage(*cache, Key(1), "web", {"manifest", "config", "layer"});
  ASSERT_TRUE(cache->find_artifact(Key(1)).value_or(std::nullopt).has_value());
  std::filesystem::remove(cache->blob_path(image.blobs[2].digest));
  auto found = cache->find_artifact(Key(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
}

TEST_F(ArtifactStoreTest, PutWithAMissingLayerFailsNamingIt) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto manifest = cache->put_blob("manifest");
  ASSERT_TRUE(manifest.has_value());
  std::string never_stored = std::string(63, '0') + "1";
  ArtifactRecord record{"web",
                        "image",
                        manifest->digest,
                        manifest->size,
                        0,
                        0,
                        {{manifest->digest, manifest->size, ""}, {never_stored, 10, ""}},
                        ""};
  auto put = cache->put_artifact(Key(1), record, "t");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::not_found);
  EXPECT_NE(put.error().message.find(never_stored), std::string::npos) << put.error().message;
  EXPECT_FALSE(cache->find_artifact(Key(1)).value_or(std::nullopt).has_value());
  EXPECT_FALSE(cache->last_built("web").value_or(std::nullopt).has_value());
  EXPECT_FALSE(cache->transcript(Key(1)).value_or(std::nullopt).has_value());
}

TEST_F(ArtifactStoreTest, PutRefusesABlobListWithoutThePrimaryOrWithABadDigest) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto manifest = cache->put_blob("manifest");
  auto layer = cache->put_blob("layer");
  ASSERT_TRUE(manifest && layer);
  ArtifactRecord record{"web", "image", manifest->digest, manifest->size, 0, 0, {{layer->digest, layer->size, ""}}, ""};
  auto put = cache->put_artifact(Key(1), record, "");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::usage);
  record.blobs.push_back({manifest->digest, manifest->size, ""});
  record.blobs.push_back({"sha256:" + layer->digest, layer->size, ""});
  put = cache->put_artifact(Key(1), record, "");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::usage);
  record.blobs.pop_back();
  EXPECT_TRUE(cache->put_artifact(Key(1), record, "").has_value());
}

// A record written before multi-blob artifacts (version 2, one blob) is a hit.
TEST_F(ArtifactStoreTest, RecordOfThePreviousVersionIsFound) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto blob = cache->put_blob("old zip");
  ASSERT_TRUE(blob.has_value());
  std::string old =
      fmt::format(R"({{"v":2,"service":"api","kind":"zip","digest":"{}","size":{},"created_ns":5,"last_used_ns":6}})",
                  blob->digest, blob->size);
  ASSERT_TRUE(cache->env().write([&](Txn& txn) { return txn.put(Db::artifacts, Key(7), old); }));
  auto found = cache->find_artifact(Key(7)).value_or(std::nullopt);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->blobs, (std::vector<BlobRef>{{blob->digest, blob->size, ""}}));
  EXPECT_EQ(cache->touch_artifact(Key(7)).value_or(false), true);  // rewritten as version 3
  found = cache->find_artifact(Key(7)).value_or(std::nullopt);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->created_ns, 5);
  EXPECT_EQ(found->blobs.size(), 1u);
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
