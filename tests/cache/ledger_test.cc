#include "cache/ledger.h"

#include <gtest/gtest.h>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

using LedgerTest = CacheTest;

LedgerEntry Entry(const std::string& sha, int key) {
  return {sha, fmt::format("{:032x}", key), std::string(64, 'd'), 1000 + key};
}

TEST_F(LedgerTest, RecordFindReplace) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Ledger& ledger = cache->ledger();
  EXPECT_FALSE(ledger.find("prod", "api").value_or(Entry("x", 0)).has_value());
  ASSERT_TRUE(ledger.record("prod", "api", Entry("aaa", 1)));
  EXPECT_EQ(ledger.find("prod", "api").value_or(std::nullopt), Entry("aaa", 1));
  ASSERT_TRUE(ledger.record("prod", "api", Entry("bbb", 2)));
  EXPECT_EQ(ledger.find("prod", "api").value_or(std::nullopt), Entry("bbb", 2));
  EXPECT_FALSE(ledger.find("impl", "api").value_or(Entry("x", 0)).has_value());
}

TEST_F(LedgerTest, ListsOneEnvironmentOrAll) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Ledger& ledger = cache->ledger();
  ASSERT_TRUE(ledger.record("prod", "web", Entry("1", 1)));
  ASSERT_TRUE(ledger.record("prod", "api", Entry("2", 2)));
  ASSERT_TRUE(ledger.record("prod-eu", "api", Entry("3", 3)));  // shares a prefix with "prod"
  ASSERT_TRUE(ledger.record("impl", "api", Entry("4", 4)));
  auto prod = ledger.list("prod");
  ASSERT_TRUE(prod.has_value());
  ASSERT_EQ(prod->size(), 2u);
  EXPECT_EQ((*prod)[0].service, "api");
  EXPECT_EQ((*prod)[1].service, "web");
  EXPECT_EQ((*prod)[1].entry, Entry("1", 1));
  auto all = ledger.list();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].environment, "impl");
  EXPECT_EQ((*all)[3].environment, "prod-eu");
}

TEST_F(LedgerTest, KeepsABoundedHistoryNewestLast) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  Ledger& ledger = cache->ledger();
  for (int i = 0; i < static_cast<int>(kLedgerHistory) + 5; ++i) {
    ASSERT_TRUE(ledger.record("prod", "api", Entry(fmt::format("sha{}", i), i)));
  }
  ASSERT_TRUE(ledger.record_all("prod", {{"web", Entry("w", 1)}, {"api", Entry("last", 999)}}));
  auto history = ledger.history("prod", "api");
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->size(), kLedgerHistory);
  EXPECT_EQ(history->back(), Entry("last", 999));
  EXPECT_EQ(history->front().sha, "sha6");  // the oldest six dropped
  EXPECT_EQ(ledger.find("prod", "api").value_or(std::nullopt), Entry("last", 999));
  // The history is not listed as services.
  auto prod = ledger.list("prod");
  ASSERT_TRUE(prod.has_value());
  ASSERT_EQ(prod->size(), 2u);
  EXPECT_EQ((*prod)[0].entry, Entry("last", 999));
}

TEST_F(LedgerTest, RejectsEmptyOrNulNames) {
  auto cache = Open();
  ASSERT_TRUE(cache);
  auto empty = cache->ledger().record("", "api", Entry("1", 1));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().kind, ErrorKind::usage);
  EXPECT_FALSE(cache->ledger().record("prod", std::string("a\0b", 3), Entry("1", 1)).has_value());
}

}  // namespace
}  // namespace wharf::cache
