#include "hashing/hasher.h"

#include <gtest/gtest.h>

#include "hashing/xxh3.h"

namespace wharf::hashing {
namespace {

TEST(Xxh3, StreamingEqualsOneShotAndHexRoundTrips) {
  Xxh3 state;
  state.update("hello ");
  state.update("world");
  EXPECT_EQ(state.digest(), xxh3_128("hello world"));
  // Known value (xxhsum -H2 of "hello world" without a newline).
  EXPECT_EQ(to_hex(xxh3_128("hello world")), "df8d09e93f874900a99b8775cc15b6c7");
  Digest128 d = xxh3_128("x");
  EXPECT_EQ(digest_from_hex(to_hex(d)), d);
  EXPECT_EQ(digest_from_hex("zz"), std::nullopt);
  state.reset();
  EXPECT_EQ(state.digest(), xxh3_128(""));
}

TEST(Hasher, TagsSeparateFields) {
  Hasher a;
  a.field("x", "a").field("x", "bc");
  Hasher b;
  b.field("x", "ab").field("x", "c");
  EXPECT_NE(a.finish(), b.finish());
  // A value cannot pose as a tag either.
  Hasher c;
  c.field("ab", "c");
  Hasher d;
  d.field("a", "bc");
  EXPECT_NE(c.finish(), d.finish());
  Hasher e;
  e.field("x", "a").field("x", "bc");
  EXPECT_EQ(a.finish(), e.finish());
}

TEST(Hasher, TranscriptRecordsEveryFieldWithoutChangingTheKey) {
  std::string transcript;
  Hasher with(&transcript);
  with.field("name", "api").number("n", 3).field("digest", xxh3_128("x")).field("multi", "a\nb\\c");
  with.secret("env.value", "s3cret");
  Hasher without;
  without.field("name", "api").number("n", 3).field("digest", xxh3_128("x")).field("multi", "a\nb\\c");
  without.secret("env.value", "s3cret");
  EXPECT_EQ(with.finish(), without.finish());
  EXPECT_EQ(transcript, "name: api\nn: 3\ndigest: " + to_hex(xxh3_128("x")) +
                            "\nmulti: a\\nb\\\\c\nenv.value: (hidden) xxh3:" + to_hex(xxh3_128("s3cret")) + "\n");
  EXPECT_EQ(transcript.find("s3cret"), std::string::npos);
  EXPECT_EQ(unescape_transcript_value("a\\nb\\\\c"), "a\nb\\c");
}

}  // namespace
}  // namespace wharf::hashing
