#include "cache/records.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

hashing::StatRecord SampleStat() {
  hashing::StatRecord record;
  record.stat = {fs::FileType::symlink, 1234567890123ULL, -5, 1700000000123456789LL, 987654321ULL, 0120777};
  record.recorded_ns = 1700000000999999999LL;
  for (std::size_t i = 0; i < record.digest.size(); ++i) record.digest[i] = static_cast<std::uint8_t>(i * 17 + 3);
  return record;
}

bool SameStat(const hashing::StatRecord& a, const hashing::StatRecord& b) {
  return a.stat.type == b.stat.type && a.stat.size == b.stat.size && a.stat.mtime_ns == b.stat.mtime_ns &&
         a.stat.ctime_ns == b.stat.ctime_ns && a.stat.inode == b.stat.inode && a.stat.mode == b.stat.mode &&
         a.recorded_ns == b.recorded_ns && a.digest == b.digest;
}

TEST(RecordsTest, StatRecordRoundTripsInAFixedLayout) {
  auto bytes = encode_stat(SampleStat());
  EXPECT_EQ(bytes.size(), 62u);
  EXPECT_EQ(bytes[0], 2);  // version
  auto decoded = decode_stat(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(SameStat(*decoded, SampleStat()));
}

TEST(RecordsTest, StatRecordRejectsOtherVersionsLengthsAndTypes) {
  auto bytes = encode_stat(SampleStat());
  EXPECT_FALSE(decode_stat(bytes.substr(0, 61)));
  EXPECT_FALSE(decode_stat(bytes + "x"));
  EXPECT_FALSE(decode_stat(""));
  auto other_version = bytes;
  other_version[0] = 1;
  EXPECT_FALSE(decode_stat(other_version));
  auto bad_type = bytes;
  bad_type[1] = 9;
  EXPECT_FALSE(decode_stat(bad_type));
}

TEST(RecordsTest, ArtifactRoundTripsAsJson) {
  ArtifactRecord record{"api", "zip", std::string(64, 'a'), 42, 100, 200, {{std::string(64, 'a'), 42, ""}}, ""};
  auto bytes = encode_artifact(record);
  EXPECT_NE(bytes.find("\"service\":\"api\""), std::string::npos);
  EXPECT_NE(bytes.find("\"v\":3"), std::string::npos);
  EXPECT_EQ(decode_artifact(bytes), record);
}

const char* const kManifestType = "application/vnd.oci.image.manifest.v1+json";
const char* const kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

ArtifactRecord Image() {
  std::string manifest(64, 'e');
  return ArtifactRecord{"web",
                        "image",
                        manifest,
                        500,
                        1,
                        2,
                        {{manifest, 500, kManifestType},
                         {std::string(64, 'c'), 900, "application/vnd.oci.image.config.v1+json"},
                         {std::string(64, '1'), 1 << 20, kLayerType},
                         {std::string(64, '2'), 4096, kLayerType}},
                        kManifestType};
}

TEST(RecordsTest, MultiBlobArtifactRoundTrips) {
  ArtifactRecord image = Image();
  auto decoded = decode_artifact(encode_artifact(image));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, image);
  EXPECT_EQ(decoded->blobs.size(), 4u);
  EXPECT_EQ(decoded->blobs[2].media_type, kLayerType);
  EXPECT_EQ(decoded->media_type, kManifestType);
}

// A record of the previous version (one blob, as wharf wrote before
// multi-blob artifacts) still decodes, as that one blob.
TEST(RecordsTest, SingleBlobRecordOfVersion2Decodes) {
  std::string digest(64, 'd');
  auto decoded = decode_artifact(fmt::format(
      R"({{"v":2,"service":"api","kind":"zip","digest":"{}","size":7,"created_ns":3,"last_used_ns":4}})", digest));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->digest, digest);
  EXPECT_EQ(decoded->media_type, "");
  EXPECT_EQ(decoded->blobs, (std::vector<BlobRef>{{digest, 7, ""}}));
  EXPECT_EQ(decoded->last_used_ns, 4);
}

TEST(RecordsTest, EmptyBlobListIsEncodedAsThePrimaryBlob) {
  ArtifactRecord record{"api", "zip", std::string(64, 'a'), 42, 1, 2, {}, ""};
  auto decoded = decode_artifact(encode_artifact(record));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->blobs, (std::vector<BlobRef>{{std::string(64, 'a'), 42, ""}}));
}

TEST(RecordsTest, BlobListWithoutThePrimaryOrWithABadDigestDoesNotDecode) {
  ArtifactRecord image = Image();
  ASSERT_TRUE(decode_artifact(encode_artifact(image)));
  ArtifactRecord no_primary = image;
  no_primary.blobs.erase(no_primary.blobs.begin());
  EXPECT_FALSE(decode_artifact(encode_artifact(no_primary)));
  ArtifactRecord wrong_size = image;
  wrong_size.blobs[0].size = 499;
  EXPECT_FALSE(decode_artifact(encode_artifact(wrong_size)));
  ArtifactRecord bad_hex = image;
  bad_hex.blobs[3].digest = std::string(64, 'G');
  EXPECT_FALSE(decode_artifact(encode_artifact(bad_hex)));
  ArtifactRecord short_digest = image;
  short_digest.blobs[2].digest = "abc";
  EXPECT_FALSE(decode_artifact(encode_artifact(short_digest)));
  // Version 3 without a blob list at all.
  EXPECT_FALSE(decode_artifact(fmt::format(
      R"({{"v":3,"service":"a","kind":"zip","digest":"{}","size":1,"media_type":"","created_ns":1,"last_used_ns":1}})",
      std::string(64, 'a'))));
}

TEST(RecordsTest, ArtifactDecodeFailuresAreMisses) {
  EXPECT_FALSE(decode_artifact("not json"));
  EXPECT_FALSE(decode_artifact("[]"));
  EXPECT_FALSE(decode_artifact(R"({"v":2,"service":"a"})"));
  EXPECT_FALSE(decode_artifact(R"({"v":1,"service":"a"})"));
  EXPECT_FALSE(decode_artifact(
      R"({"v":1,"service":"a","kind":"zip","digest":"short","size":1,"created_ns":1,"last_used_ns":1})"));
  EXPECT_FALSE(decode_artifact(std::string("\xff\x00\x01", 3)));
}

TEST(RecordsTest, LedgerEntryRoundTrips) {
  LedgerEntry entry{"abc123", std::string(32, '0'), std::string(64, 'f'), 77};
  EXPECT_EQ(decode_ledger(encode_ledger(entry)), entry);
  EXPECT_EQ(encode_ledger(entry).find("pusher"), std::string::npos);  // unset deploy fields are not written
  entry.digest = "sha256:" + std::string(64, 'a');
  entry.tag = "abc1234";
  entry.pusher = "registry";
  entry.location = "127.0.0.1:5000/api@" + entry.digest;
  entry.verified_ns = 99;
  EXPECT_EQ(decode_ledger(encode_ledger(entry)), entry);
  EXPECT_FALSE(decode_ledger("{}"));
}

TEST(RecordsTest, KeyAndDigestShapes) {
  EXPECT_TRUE(is_input_key("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_input_key("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(is_input_key("0123456789abcdef"));
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'e')));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace wharf::cache
