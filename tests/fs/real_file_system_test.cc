#include "fs/real_file_system.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace wharf::fs {
namespace {

class RealFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/wharf-fs-test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  RealFileSystem fs_;
};

TEST_F(RealFileSystemTest, WriteAtomicThenReadAndStat) {
  std::string path = dir_ + "/sub/file.txt";
  ASSERT_TRUE(fs_.make_dirs(dir_ + "/sub"));
  ASSERT_TRUE(fs_.write_file_atomic(path, "contents"));
  EXPECT_EQ(*fs_.read_file(path), "contents");
  auto stat = fs_.stat(path);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->type, FileType::regular);
  EXPECT_EQ(stat->size, 8u);
  EXPECT_GT(stat->mtime_ns, 0);
  EXPECT_NE(stat->inode, 0u);
  // Overwrite: no temporary file is left behind.
  ASSERT_TRUE(fs_.write_file_atomic(path, "new"));
  EXPECT_EQ(*fs_.read_file(path), "new");
  auto entries = fs_.list_dir(dir_ + "/sub");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "file.txt");
}

TEST_F(RealFileSystemTest, ReadIntoReusesBufferAndHandlesLargeFiles) {
  std::string big(3 << 20, 'x');
  big[12345] = 'y';
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/big", big));
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/small", "s"));
  std::string buffer;
  ASSERT_TRUE(fs_.read_file_into(dir_ + "/big", buffer));
  EXPECT_EQ(buffer, big);
  ASSERT_TRUE(fs_.read_file_into(dir_ + "/small", buffer));
  EXPECT_EQ(buffer, "s");
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/empty", ""));
  ASSERT_TRUE(fs_.read_file_into(dir_ + "/empty", buffer));
  EXPECT_EQ(buffer, "");
}

TEST_F(RealFileSystemTest, SymlinksAreNotFollowedByStat) {
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/target", "t"));
  ASSERT_EQ(::symlink("target", (dir_ + "/link").c_str()), 0);
  auto stat = fs_.stat(dir_ + "/link");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->type, FileType::symlink);
  EXPECT_EQ(*fs_.read_link(dir_ + "/link"), "target");
  auto entries = fs_.list_dir(dir_);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "link");
  EXPECT_EQ((*entries)[0].type, FileType::symlink);
}

TEST_F(RealFileSystemTest, ErrorsHaveKinds) {
  EXPECT_EQ(fs_.stat(dir_ + "/missing").error().kind, ErrorKind::not_found);
  EXPECT_EQ(fs_.read_file(dir_ + "/missing").error().kind, ErrorKind::not_found);
  EXPECT_EQ(fs_.list_dir(dir_ + "/missing").error().kind, ErrorKind::not_found);
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/f", "x"));
  EXPECT_EQ(fs_.read_file(dir_).error().kind, ErrorKind::io);
  ASSERT_TRUE(fs_.rename(dir_ + "/f", dir_ + "/g"));
  ASSERT_TRUE(fs_.remove(dir_ + "/g"));
  EXPECT_EQ(fs_.stat(dir_ + "/g").error().kind, ErrorKind::not_found);
}

TEST_F(RealFileSystemTest, NowIsOnTheFileClock) {
  std::int64_t before = fs_.now_ns();
  ASSERT_TRUE(fs_.write_file_atomic(dir_ + "/f", "x"));
  // File timestamps come from a coarse clock: allow a few ms of lag.
  EXPECT_GE(fs_.stat(dir_ + "/f")->mtime_ns, before - 50'000'000);
}

}  // namespace
}  // namespace wharf::fs
