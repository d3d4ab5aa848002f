#include "cache/lmdb_env.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace wharf::cache {
namespace {

class LmdbEnvTest : public ::testing::Test {
 protected:
  std::unique_ptr<LmdbEnv> Open(std::size_t map_size = kDefaultMapSize) {
    auto env = LmdbEnv::open(temp_.path() + "/db", EnvOptions{map_size});
    EXPECT_TRUE(env.has_value()) << env.error().message;
    return env ? std::move(*env) : nullptr;
  }

  static std::optional<std::string> Get(LmdbEnv& env, Db db, std::string_view key) {
    auto value = env.get(db, key);
    EXPECT_TRUE(value.has_value()) << value.error().message;
    return value.value_or(std::nullopt);
  }

  wharf::testing::TempDir temp_;
};

TEST_F(LmdbEnvTest, PutGetDeleteRoundTripAcrossReopen) {
  {
    auto env = Open();
    ASSERT_TRUE(env);
    auto written = env->write([](Txn& txn) -> Result<void> {
      if (auto r = txn.put(Db::artifacts, "k1", "v1"); !r) return r;
      if (auto r = txn.put(Db::ledger, "k1", "other db"); !r) return r;
      return txn.put(Db::artifacts, "k2", "v2");
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
  }
  auto env = Open();
  ASSERT_TRUE(env);
  EXPECT_EQ(Get(*env, Db::artifacts, "k1"), "v1");
  EXPECT_EQ(Get(*env, Db::ledger, "k1"), "other db");
  EXPECT_EQ(Get(*env, Db::stat, "k1"), std::nullopt);
  bool existed = false;
  ASSERT_TRUE(env->write([&](Txn& txn) -> Result<void> {
    auto r = txn.del(Db::artifacts, "k1");
    if (r) existed = *r;
    return r ? ok() : std::unexpected(r.error());
  }));
  EXPECT_TRUE(existed);
  EXPECT_EQ(Get(*env, Db::artifacts, "k1"), std::nullopt);
  EXPECT_EQ(Get(*env, Db::artifacts, "k2"), "v2");
}

TEST_F(LmdbEnvTest, FailedBodyWritesNothing) {
  auto env = Open();
  ASSERT_TRUE(env);
  auto written = env->write([](Txn& txn) -> Result<void> {
    if (auto r = txn.put(Db::artifacts, "k", "v"); !r) return r;
    return fail(ErrorKind::io, "body gave up");
  });
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().message, "body gave up");
  EXPECT_EQ(Get(*env, Db::artifacts, "k"), std::nullopt);
}

TEST_F(LmdbEnvTest, ScanVisitsKeysInOrderFromAStartKey) {
  auto env = Open();
  ASSERT_TRUE(env);
  ASSERT_TRUE(env->write([](Txn& txn) -> Result<void> {
    for (const char* key : {"b", "a", "d", "c"}) {
      if (auto r = txn.put(Db::meta, std::string("x/") + key, key); !r) return r;
    }
    return ok();
  }));
  std::vector<std::string> seen;
  ASSERT_TRUE(env->read([&](Txn& txn) {
    return txn.scan(Db::meta, "x/b", [&](std::string_view key, std::string_view) {
      seen.emplace_back(key);
      return key != "x/c";
    });
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"x/b", "x/c"}));
}

TEST_F(LmdbEnvTest, MapGrowsOnMapFullAndKeepsEverything) {
  constexpr std::size_t kTiny = 64 << 10;
  const std::string value(2000, 'v');
  {
    auto env = Open(kTiny);
    ASSERT_TRUE(env);
    // One transaction bigger than the whole initial map...
    ASSERT_TRUE(env->write([&](Txn& txn) -> Result<void> {
      for (int i = 0; i < 200; ++i) {
        if (auto r = txn.put(Db::artifacts, fmt::format("big{:04}", i), value); !r) return r;
      }
      return ok();
    }));
    // ...and many small ones.
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(env->write([&](Txn& txn) { return txn.put(Db::transcripts, fmt::format("small{:04}", i), value); }));
    }
    EXPECT_GT(env->growth_count(), 0);
    auto usage = env->usage();
    ASSERT_TRUE(usage.has_value());
    EXPECT_GT(usage->map_size, kTiny);
  }
  auto env = Open(kTiny);  // LMDB raises a too-small map to fit the data
  ASSERT_TRUE(env);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(Get(*env, Db::artifacts, fmt::format("big{:04}", i)), value);
    EXPECT_EQ(Get(*env, Db::transcripts, fmt::format("small{:04}", i)), value);
  }
}

TEST_F(LmdbEnvTest, SnapshotIsReleasedForGrowthAndReopensAfterwards) {
  auto env = Open(64 << 10);
  ASSERT_TRUE(env);
  ASSERT_TRUE(env->write([](Txn& txn) { return txn.put(Db::stat, "early", "1"); }));
  Snapshot snapshot(*env);
  auto txn = snapshot.txn();
  ASSERT_TRUE(txn.has_value());
  auto early = (*txn)->get(Db::stat, "early");
  ASSERT_TRUE(early.has_value() && early->has_value());
  ASSERT_TRUE(env->write([](Txn& write) -> Result<void> {
    for (int i = 0; i < 100; ++i) {
      if (auto r = write.put(Db::stat, fmt::format("late{}", i), std::string(3000, 'x')); !r) return r;
    }
    return ok();
  }));
  ASSERT_GT(env->growth_count(), 0);
  txn = snapshot.txn();  // a fresh snapshot that sees the new data
  ASSERT_TRUE(txn.has_value());
  auto late = (*txn)->get(Db::stat, "late99");
  ASSERT_TRUE(late.has_value());
  EXPECT_TRUE(late->has_value());
}

TEST_F(LmdbEnvTest, GrowthStopsAtTheConfiguredMaximum) {
  auto env = LmdbEnv::open(temp_.path() + "/db", EnvOptions{64 << 10, 128 << 10});
  ASSERT_TRUE(env.has_value());
  auto written = (*env)->write([](Txn& txn) -> Result<void> {
    for (int i = 0; i < 200; ++i) {
      if (auto r = txn.put(Db::artifacts, fmt::format("k{}", i), std::string(2000, 'v')); !r) return r;
    }
    return ok();
  });
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::io);
  EXPECT_NE(written.error().message.find("gc"), std::string::npos) << written.error().message;
}

TEST_F(LmdbEnvTest, CorruptionMarkerMakesOpenFail) {
  {
    auto env = Open();
    ASSERT_TRUE(env);
    env->mark_corrupt();
  }
  auto env = LmdbEnv::open(temp_.path() + "/db");
  ASSERT_FALSE(env.has_value());
  EXPECT_EQ(env.error().kind, ErrorKind::corrupt);
}

TEST_F(LmdbEnvTest, UsageCountsEntries) {
  auto env = Open();
  ASSERT_TRUE(env);
  ASSERT_TRUE(env->write([](Txn& txn) -> Result<void> {
    if (auto r = txn.put(Db::ledger, "a", "1"); !r) return r;
    return txn.put(Db::ledger, "b", "2");
  }));
  auto usage = env->usage(Db::ledger);
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->entries, 2u);
  EXPECT_GT(usage->bytes, 0u);
}

}  // namespace
}  // namespace wharf::cache
