#include "cache/records.h"

#include <gtest/gtest.h>

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
  ArtifactRecord record{"api", "zip", std::string(64, 'a'), 42, 100, 200};
  auto bytes = encode_artifact(record);
  EXPECT_NE(bytes.find("\"service\":\"api\""), std::string::npos);
  EXPECT_EQ(decode_artifact(bytes), record);
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
