#include "cache/size.h"

#include <gtest/gtest.h>

namespace wharf::cache {
namespace {

TEST(SizeTest, ParsesBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_size("1024").value_or(0), 1024u);
  EXPECT_EQ(parse_size("0").value_or(1), 0u);
  EXPECT_EQ(parse_size("500M").value_or(0), 500ull << 20);
  EXPECT_EQ(parse_size("2G").value_or(0), 2ull << 30);
  EXPECT_EQ(parse_size("2g").value_or(0), 2ull << 30);
  EXPECT_EQ(parse_size("3K").value_or(0), 3072u);
  EXPECT_EQ(parse_size("1T").value_or(0), 1ull << 40);
  EXPECT_EQ(parse_size("10MB").value_or(0), 10ull << 20);
  EXPECT_EQ(parse_size("10MiB").value_or(0), 10ull << 20);
  EXPECT_EQ(parse_size("7B").value_or(0), 7u);
}

TEST(SizeTest, RejectsEverythingElseAsUsage) {
  for (const char* text : {"", "M", "-1", "1.5G", "12X", "1 G", "5iB", "99999999999999999999", "20000000000000T"}) {
    auto size = parse_size(text);
    ASSERT_FALSE(size.has_value()) << text;
    EXPECT_EQ(size.error().kind, ErrorKind::usage);
  }
}

TEST(SizeTest, FormatsHumanSizes) {
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_size(2ull << 30), "2.0 GiB");
}

}  // namespace
}  // namespace wharf::cache
