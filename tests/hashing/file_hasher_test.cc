#include "hashing/file_hasher.h"

#include <gtest/gtest.h>

#include "fs/memory_file_system.h"
#include "hashing/xxh3.h"
#include "tests/hashing/memory_caches.h"
#include "tests/testing/assert_result.h"

namespace wharf::hashing {
namespace {

using fs::MemoryFileSystem;
using testing::MemoryStatCache;

class FileHasherTest : public ::testing::Test {
 protected:
  std::vector<HashedFile> Hash(const std::vector<FileToHash>& files) {
    fs_.reset_counters();
    FileHasher hasher(fs_, "/repo", &stat_cache_);
    auto result = hasher.hash(files);
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    stats_ = hasher.stats();
    return result ? *result : std::vector<HashedFile>{};
  }

  // Index facts as git would record them for the file as it is now, with
  // the blob of `staged` (what `git add` saw).
  IndexFacts FactsFor(const std::string& rel, std::string_view staged, bool racy = false) {
    // Used inline: a failure throws, which fails the test (assert_result.h).
    fs::FileStat stat = wharf::testing::value_or_throw(fs_.stat("/repo/" + rel), "stat " + rel);
    IndexFacts facts;
    facts.blob_id = git_blob_id(staged);
    facts.mode = git_mode_of(stat);
    facts.mtime_sec = static_cast<std::uint32_t>(stat.mtime_ns / 1'000'000'000);
    facts.mtime_nsec = static_cast<std::uint32_t>(stat.mtime_ns % 1'000'000'000);
    facts.ctime_sec = static_cast<std::uint32_t>(stat.ctime_ns / 1'000'000'000);
    facts.ctime_nsec = static_cast<std::uint32_t>(stat.ctime_ns % 1'000'000'000);
    facts.ino = static_cast<std::uint32_t>(stat.inode);
    facts.size = static_cast<std::uint32_t>(stat.size);
    facts.racy = racy;
    return facts;
  }

  MemoryFileSystem fs_;
  MemoryStatCache stat_cache_;
  HashStats stats_;
};

TEST_F(FileHasherTest, SecondRunReadsNothing) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.set_file("/repo/b.txt", "beta");
  fs_.tick();
  auto first = Hash({{"a.txt"}, {"b.txt"}});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first[0].present);
  EXPECT_EQ(first[0].digest, xxh3_128("alpha"));
  EXPECT_EQ(first[0].mode, kGitModeFile);
  EXPECT_EQ(stats_.files_read, 2u);
  EXPECT_EQ(stats_.bytes_read, 9u);
  EXPECT_EQ(fs_.reads(), 2u);

  fs_.tick();
  auto second = Hash({{"a.txt"}, {"b.txt"}});
  EXPECT_EQ(second[0].digest, first[0].digest);
  EXPECT_EQ(second[1].digest, first[1].digest);
  EXPECT_EQ(stats_.files, 2u);
  EXPECT_EQ(stats_.stat_hits, 2u);
  EXPECT_EQ(stats_.files_read, 0u);
  EXPECT_EQ(fs_.reads(), 0u);
}

TEST_F(FileHasherTest, TouchRereadsOnceThenNever) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  auto first = Hash({{"a.txt"}});
  fs_.tick();
  fs_.touch("/repo/a.txt");
  fs_.tick();
  auto second = Hash({{"a.txt"}});
  EXPECT_EQ(second[0].digest, first[0].digest);
  EXPECT_EQ(fs_.reads(), 1u);
  fs_.tick();
  auto third = Hash({{"a.txt"}});
  EXPECT_EQ(third[0].digest, first[0].digest);
  EXPECT_EQ(fs_.reads(), 0u);
}

TEST_F(FileHasherTest, OneByteChangedWithSizeAndMtimeKeptIsDetected) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  Hash({{"a.txt"}});
  fs_.tick();
  fs_.set_file("/repo/a.txt", "alphb", MemoryFileSystem::KeepTimes::yes);
  fs_.tick();
  auto result = Hash({{"a.txt"}});
  EXPECT_EQ(result[0].digest, xxh3_128("alphb"));
  EXPECT_EQ(stats_.files_read, 1u);
}

TEST_F(FileHasherTest, RacyRecordIsRehashed) {
  // Written and hashed within one clock tick: a later change in that same tick
  // would leave every stat fact equal, so the record must not be trusted.
  fs_.set_file("/repo/a.txt", "alpha");
  Hash({{"a.txt"}});
  fs_.set_file("/repo/a.txt", "alphb", MemoryFileSystem::KeepTimes::yes);
  auto result = Hash({{"a.txt"}});
  EXPECT_EQ(result[0].digest, xxh3_128("alphb"));
  EXPECT_EQ(stats_.stat_hits, 0u);
  EXPECT_EQ(stats_.files_read, 1u);
  // Once the clock has moved on, the record written by that run is trusted.
  fs_.tick();
  Hash({{"a.txt"}});
  EXPECT_EQ(stats_.files_read, 1u);  // the previous record was written in the file's tick
  fs_.tick();
  Hash({{"a.txt"}});
  EXPECT_EQ(stats_.files_read, 0u);
}

TEST_F(FileHasherTest, GitBlobIdIsGits) {
  // `printf hello | git hash-object --stdin`
  auto id = git_blob_id("hello");
  static constexpr std::uint8_t kHello[20] = {0xb6, 0xfc, 0x4c, 0x62, 0x0b, 0x67, 0xd9, 0x5f, 0x95, 0x3a,
                                              0x5c, 0x1c, 0x12, 0x30, 0xaa, 0xab, 0x5d, 0xb5, 0xa1, 0xb0};
  EXPECT_TRUE(std::equal(id.begin(), id.end(), std::begin(kHello)));
}

TEST_F(FileHasherTest, CleanIndexEntryStandsInWithoutARead) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  IndexFacts facts = FactsFor("a.txt", "alpha");
  auto first = Hash({{"a.txt", &facts}});
  EXPECT_EQ(first[0].digest, blob_stand_in(facts.blob_key()));
  EXPECT_EQ(stats_.blob_hits, 1u);
  EXPECT_EQ(stats_.files_read, 0u);
  EXPECT_EQ(fs_.reads(), 0u);
  EXPECT_TRUE(stat_cache_.committed.empty());  // the index vouches; nothing to remember
}

TEST_F(FileHasherTest, TouchedTrackedFileKeepsItsDigestAndIsReadOnce) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  IndexFacts facts = FactsFor("a.txt", "alpha");
  auto clean = Hash({{"a.txt", &facts}});
  fs_.set_file("/repo/a.txt", "alpha");  // touch: new times, same bytes; the index is now stale
  fs_.tick();
  auto touched = Hash({{"a.txt", &facts}});
  EXPECT_EQ(touched[0].digest, clean[0].digest);  // git blob SHA-1 of the bytes matched
  EXPECT_EQ(stats_.files_read, 1u);
  fs_.tick();
  auto again = Hash({{"a.txt", &facts}});
  EXPECT_EQ(again[0].digest, clean[0].digest);
  EXPECT_EQ(stats_.stat_hits, 1u);
  EXPECT_EQ(fs_.reads(), 0u);
}

TEST_F(FileHasherTest, ModifiedTrackedFileGetsItsContentDigest) {
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  IndexFacts facts = FactsFor("a.txt", "alpha");
  fs_.set_file("/repo/a.txt", "alphb", MemoryFileSystem::KeepTimes::yes);  // ctime moves
  fs_.tick();
  auto result = Hash({{"a.txt", &facts}});
  EXPECT_EQ(result[0].digest, xxh3_128("alphb"));
  EXPECT_EQ(stats_.blob_hits, 0u);
  EXPECT_EQ(stats_.files_read, 1u);
}

TEST_F(FileHasherTest, RacyIndexEntryIsNotTrusted) {
  // The file changed in the same tick as git looked at it: size and times can
  // match the entry while the bytes do not.
  fs_.set_file("/repo/a.txt", "alpha");
  fs_.tick();
  IndexFacts racy = FactsFor("a.txt", "other", /*racy=*/true);
  auto result = Hash({{"a.txt", &racy}});
  EXPECT_EQ(result[0].digest, xxh3_128("alpha"));
  EXPECT_EQ(stats_.blob_hits, 0u);
  EXPECT_EQ(stats_.files_read, 1u);
}

TEST_F(FileHasherTest, SymlinksExecBitsMissingFilesAndSubmodules) {
  fs_.set_file("/repo/run.sh", "#!/bin/sh");
  fs_.chmod("/repo/run.sh", 0755);
  fs_.set_symlink("/repo/link", "run.sh");
  fs_.tick();
  IndexFacts submodule;
  submodule.mode = kGitModeGitlink;
  submodule.blob_id.fill(7);
  auto result = Hash({{"run.sh"}, {"link"}, {"gone"}, {"vendor/lib", &submodule}});
  ASSERT_EQ(result.size(), 4u);
  EXPECT_EQ(result[0].mode, kGitModeExecutable);
  EXPECT_EQ(result[1].mode, kGitModeSymlink);
  EXPECT_EQ(result[1].digest, xxh3_128("run.sh"));
  EXPECT_FALSE(result[2].present);
  EXPECT_TRUE(result[3].present);
  EXPECT_EQ(result[3].mode, kGitModeGitlink);
  EXPECT_EQ(result[3].digest, blob_stand_in(submodule.blob_key()));
  EXPECT_EQ(stats_.files_read, 2u);
}

TEST_F(FileHasherTest, WithoutAStatCacheEverythingIsRead) {
  fs_.set_file("/repo/a", "1");
  FileHasher hasher(fs_, "/repo", nullptr);
  ASSERT_TRUE(hasher.hash(std::vector<FileToHash>{{"a"}}));
  ASSERT_TRUE(hasher.hash(std::vector<FileToHash>{{"a"}}));
  EXPECT_EQ(hasher.stats().files_read, 2u);
  EXPECT_EQ(hasher.stats().files, 2u);
}

TEST_F(FileHasherTest, ManyFilesInParallel) {
  std::vector<FileToHash> files;
  for (int i = 0; i < 1000; ++i) {
    std::string name = "f" + std::to_string(i);
    fs_.set_file("/repo/" + name, "content " + std::to_string(i));
    files.push_back({name});
  }
  fs_.tick();
  auto result = Hash(files);
  ASSERT_EQ(result.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(result[i].digest, xxh3_128("content " + std::to_string(i)));
  fs_.tick();
  Hash(files);
  EXPECT_EQ(stats_.stat_hits, 1000u);
}

}  // namespace
}  // namespace wharf::hashing
