#include "cache/blob_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cache/sha256.h"
#include "tests/testing/temp_dir.h"

namespace wharf::cache {
namespace {

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.init()); }

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = temp_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static ino_t Inode(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_ino;
  }

  static std::size_t Entries(const std::string& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
  }

  wharf::testing::TempDir temp_;
  BlobStore store_{temp_.path() + "/cache"};
};

TEST_F(BlobStoreTest, PutIsContentAddressed) {
  auto first = store_.put_bytes("artifact bytes");
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(first->written);
  EXPECT_EQ(first->digest, sha256_hex("artifact bytes"));
  EXPECT_EQ(first->size, 14u);
  EXPECT_EQ(store_.path(first->digest), temp_.path() + "/cache/blobs/sha256/" + first->digest);
  EXPECT_TRUE(store_.contains(first->digest));
  auto read = store_.read(first->digest, Verify::yes);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, "artifact bytes");
}

TEST_F(BlobStoreTest, SameBytesAreNotWrittenTwice) {
  auto first = store_.put_bytes("same");
  ASSERT_TRUE(first.has_value());
  ino_t inode = Inode(store_.path(first->digest));
  auto again = store_.put_bytes("same");
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->written);
  EXPECT_EQ(again->digest, first->digest);
  auto from_file = store_.put_file(WriteFile("same.txt", "same"));
  ASSERT_TRUE(from_file.has_value());
  EXPECT_FALSE(from_file->written);
  EXPECT_EQ(from_file->digest, first->digest);
  EXPECT_EQ(Inode(store_.path(first->digest)), inode);  // never replaced
  EXPECT_EQ(Entries(store_.blob_dir()), 1u);
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);  // no temp file left behind
}

TEST_F(BlobStoreTest, PutFileCopiesLargeFiles) {
  std::string bytes;
  for (int i = 0; i < 300000; ++i) bytes += static_cast<char>(i * 7);
  auto put = store_.put_file(WriteFile("big.bin", bytes));
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_TRUE(put->written);
  EXPECT_EQ(put->size, bytes.size());
  EXPECT_EQ(put->digest, sha256_hex(bytes));
  EXPECT_EQ(store_.read(put->digest).value_or(""), bytes);
}

TEST_F(BlobStoreTest, MissingSourceIsNotFound) {
  auto put = store_.put_file(temp_.path() + "/nope");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::not_found);
}

TEST_F(BlobStoreTest, VerifyDetectsTamperedBlob) {
  auto put = store_.put_bytes("original");
  ASSERT_TRUE(put.has_value());
  std::ofstream(store_.path(put->digest), std::ios::binary) << "tampered";
  EXPECT_TRUE(store_.read(put->digest, Verify::no).has_value());
  auto verified = store_.read(put->digest, Verify::yes);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::corrupt);
}

TEST_F(BlobStoreTest, ListAndRemove) {
  auto a = store_.put_bytes("a");
  auto b = store_.put_bytes("bb");
  ASSERT_TRUE(a && b);
  WriteFile("cache/blobs/sha256/not-a-digest", "ignored");
  auto listed = store_.list();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_LT((*listed)[0].digest, (*listed)[1].digest);
  EXPECT_EQ((*listed)[0].size + (*listed)[1].size, 3u);
  EXPECT_EQ(store_.remove(a->digest).value_or(false), true);
  EXPECT_EQ(store_.remove(a->digest).value_or(true), false);
  EXPECT_FALSE(store_.contains(a->digest));
  auto missing = store_.read(a->digest);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

// A temporary whose writer died goes with the next sweep (the next put, or
// gc); one a live writer holds stays.
TEST_F(BlobStoreTest, SweepRemovesOnlyTemporariesOfDeadWriters) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  std::string dead = fmt::format("{}/blob-{}-AAAAAA", store_.tmp_dir(), child);
  std::ofstream(dead) << "half a blob";
  // Locked: its writer lives (in another pid namespace, say) whatever the pid says.
  std::string live = fmt::format("{}/blob-{}-BBBBBB", store_.tmp_dir(), child);
  int fd = ::open(live.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  std::string old_style = store_.tmp_dir() + "/blob-CCCCCC";  // an older wharf's: kept for 24 hours
  std::ofstream(old_style) << "x";
  EXPECT_EQ(store_.temporaries().files, 3u);

  auto put = store_.put_bytes("a blob");
  ASSERT_TRUE(put);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(old_style));
  TempUsage left = store_.temporaries();
  EXPECT_EQ(left.files, 2u);
  EXPECT_EQ(left.bytes, 1u);
  ::close(fd);
}

}  // namespace
}  // namespace wharf::cache
