// An unusable cache is moved aside with a warning and replaced by an empty
// one: slower, never wrong.
#include "cache/recovery.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/cache/cache_fixture.h"

namespace wharf::cache {
namespace {

namespace fs = std::filesystem;

class RecoveryTest : public CacheTest {
 protected:
  // Two artifacts, and enough padding (one transaction) that data.mdb spans
  // many pages.
  void Fill() {
    auto cache = Open();
    ASSERT_TRUE(cache);
    Store(*cache, Key(0), "api", "first");
    Store(*cache, Key(299), "api", "last");
    ASSERT_TRUE(cache->env().write([](Txn& txn) -> Result<void> {
      for (int i = 0; i < 300; ++i) {
        if (auto r = txn.put(Db::transcripts, fmt::format("pad{}", i), std::string(1000, 't')); !r) return r;
      }
      return ok();
    }));
  }

  std::string DataFile() const { return dir() + "/db/data.mdb"; }

  void Overwrite(const std::string& path, std::size_t offset, std::size_t length) {
    std::mt19937 random(7);
    std::string garbage;
    for (std::size_t i = 0; i < length; ++i) garbage.push_back(static_cast<char>(random()));
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }

  std::vector<fs::path> MovedAside() const {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir())) {
      if (entry.path().filename().string().starts_with("db.corrupt-")) out.push_back(entry.path());
    }
    return out;
  }

  // Opens, expecting one warning, an empty but working cache, and the old
  // files kept in db.corrupt-*.
  void ExpectRecovered() {
    std::vector<std::string> warnings;
    auto cache = Cache::open(dir(), warnings, options());
    ASSERT_TRUE(cache.has_value()) << cache.error().message;
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("moved it to"), std::string::npos) << warnings[0];
    auto moved = MovedAside();
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_TRUE(fs::exists(moved[0] / "data.mdb"));
    EXPECT_NE(warnings[0].find(moved[0].string()), std::string::npos) << warnings[0];

    auto found = (*cache)->find_artifact(Key(0));
    ASSERT_TRUE(found.has_value()) << found.error().message;
    EXPECT_FALSE(found->has_value());
    Store(**cache, Key(0), "api", "rebuilt");
    EXPECT_TRUE((*cache)->find_artifact(Key(0)).value_or(std::nullopt).has_value());
    cache->reset();
    auto again = Open();  // no second warning
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->find_artifact(Key(0)).value_or(std::nullopt).has_value());
  }
};

TEST_F(RecoveryTest, TruncatedDataFile) {
  Fill();
  fs::resize_file(DataFile(), fs::file_size(DataFile()) / 2);
  ExpectRecovered();
}

TEST_F(RecoveryTest, GarbageDataFile) {
  Fill();
  Overwrite(DataFile(), 0, fs::file_size(DataFile()));
  ExpectRecovered();
}

TEST_F(RecoveryTest, GarbageMetaPages) {
  Fill();
  Overwrite(DataFile(), 0, 8192);
  ExpectRecovered();
}

TEST_F(RecoveryTest, ZeroLengthDataFile) {
  Fill();
  fs::resize_file(DataFile(), 0);
  ExpectRecovered();
}

TEST_F(RecoveryTest, TinyDataFile) {
  Fill();
  fs::resize_file(DataFile(), 100);
  ExpectRecovered();
}

TEST_F(RecoveryTest, UnknownFormatVersion) {
  {
    auto cache = Open();
    ASSERT_TRUE(cache);
    ASSERT_TRUE(cache->env().write([](Txn& txn) { return txn.put(Db::meta, "format", "wharf-cache/99"); }));
  }
  ExpectRecovered();
}

TEST_F(RecoveryTest, CorruptionSeenByAnEarlierRun) {
  {
    auto cache = Open();
    ASSERT_TRUE(cache);
    cache->env().mark_corrupt();
  }
  ExpectRecovered();
}

// LMDB rebuilds a lock file nobody holds; the data must survive it.
TEST_F(RecoveryTest, GarbageLockFileKeepsTheData) {
  Fill();
  Overwrite(dir() + "/db/lock.mdb", 0, 4096);
  auto cache = Open();
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->find_artifact(Key(299)).value_or(std::nullopt).has_value());
  EXPECT_TRUE(MovedAside().empty());
}

TEST_F(RecoveryTest, TruncatedLockFileKeepsTheData) {
  Fill();
  fs::resize_file(dir() + "/db/lock.mdb", 10);
  auto cache = Open();
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->find_artifact(Key(0)).value_or(std::nullopt).has_value());
}

TEST_F(RecoveryTest, MoveAsideRenamesTheDirectory) {
  fs::create_directories(dir() + "/db");
  std::ofstream(dir() + "/db/data.mdb") << "x";
  auto moved = move_aside(dir() + "/db");
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_FALSE(fs::exists(dir() + "/db"));
  EXPECT_TRUE(fs::exists(*moved + "/data.mdb"));
  EXPECT_TRUE(moved->starts_with(dir() + "/db.corrupt-"));
}

}  // namespace
}  // namespace wharf::cache
