#include "fs/memory_file_system.h"

#include <gtest/gtest.h>

#include "fs/forwarding_file_system.h"

namespace wharf::fs {
namespace {

TEST(MemoryFileSystem, StatReadAndCounters) {
  MemoryFileSystem fs;
  fs.set_file("/r/a.txt", "hello");
  auto stat = fs.stat("/r/a.txt");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->type, FileType::regular);
  EXPECT_EQ(stat->size, 5u);
  EXPECT_EQ(stat->mtime_ns, MemoryFileSystem::kStartNs);
  EXPECT_EQ(stat->mode & 0777, 0644u);
  auto contents = fs.read_file("/r/a.txt");
  ASSERT_TRUE(contents);
  EXPECT_EQ(*contents, "hello");
  EXPECT_EQ(fs.reads(), 1u);
  EXPECT_EQ(fs.bytes_read(), 5u);
  EXPECT_EQ(fs.stats(), 1u);
  EXPECT_EQ(fs.read_log(), std::vector<std::string>{"/r/a.txt"});
  fs.reset_counters();
  EXPECT_EQ(fs.reads(), 0u);
}

TEST(MemoryFileSystem, MissingIsNotFound) {
  MemoryFileSystem fs;
  auto stat = fs.stat("/nope");
  ASSERT_FALSE(stat);
  EXPECT_EQ(stat.error().kind, ErrorKind::not_found);
  EXPECT_EQ(fs.read_file("/nope").error().kind, ErrorKind::not_found);
}

TEST(MemoryFileSystem, KeepTimesKeepsMtimeButNotCtime) {
  MemoryFileSystem fs;
  fs.set_file("/r/a", "abc");
  auto before = fs.stat("/r/a");
  fs.tick();
  fs.set_file("/r/a", "abd", MemoryFileSystem::KeepTimes::yes);
  auto after = fs.stat("/r/a");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->size, before->size);
  EXPECT_EQ(after->mtime_ns, before->mtime_ns);
  EXPECT_EQ(after->inode, before->inode);
  EXPECT_NE(after->ctime_ns, before->ctime_ns);
}

TEST(MemoryFileSystem, TouchAndChmodMoveCtime) {
  MemoryFileSystem fs;
  fs.set_file("/r/a", "x");
  fs.tick();
  fs.touch("/r/a");
  EXPECT_EQ(fs.stat("/r/a")->mtime_ns, MemoryFileSystem::kStartNs + MemoryFileSystem::kTickNs);
  fs.tick();
  fs.chmod("/r/a", 0755);
  auto stat = fs.stat("/r/a");
  EXPECT_EQ(stat->mode & 0777, 0755u);
  EXPECT_EQ(stat->ctime_ns, MemoryFileSystem::kStartNs + 2 * MemoryFileSystem::kTickNs);
}

TEST(MemoryFileSystem, ListDirIsSortedWithImplicitDirectories) {
  MemoryFileSystem fs;
  fs.set_file("/r/b.txt", "");
  fs.set_file("/r/a/deep/x", "");
  fs.set_symlink("/r/link", "b.txt");
  ASSERT_TRUE(fs.make_dirs("/r/empty"));
  auto entries = fs.list_dir("/r");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].name, "a");
  EXPECT_EQ((*entries)[0].type, FileType::directory);
  EXPECT_EQ((*entries)[1].name, "b.txt");
  EXPECT_EQ((*entries)[2].name, "empty");
  EXPECT_EQ((*entries)[3].name, "link");
  EXPECT_EQ((*entries)[3].type, FileType::symlink);
  EXPECT_EQ(*fs.read_link("/r/link"), "b.txt");
  EXPECT_EQ(fs.stat("/r/a")->type, FileType::directory);
}

TEST(MemoryFileSystem, AddingOrRemovingAnEntryStampsItsDirectory) {
  MemoryFileSystem fs;
  fs.set_file("/r/d/a", "1");
  auto before = fs.stat("/r/d");
  fs.tick();
  fs.set_file("/r/d/a", "2");  // a change inside: the directory is untouched
  EXPECT_EQ(fs.stat("/r/d")->mtime_ns, before->mtime_ns);
  fs.set_file("/r/d/b", "new");
  EXPECT_EQ(fs.stat("/r/d")->mtime_ns, before->mtime_ns + MemoryFileSystem::kTickNs);
  fs.tick();
  ASSERT_TRUE(fs.remove("/r/d/b"));
  EXPECT_EQ(fs.stat("/r/d")->mtime_ns, before->mtime_ns + 2 * MemoryFileSystem::kTickNs);
  EXPECT_EQ(fs.stat("/r/d")->inode, before->inode);
}

TEST(MemoryFileSystem, WriteRenameRemove) {
  MemoryFileSystem fs;
  ASSERT_TRUE(fs.write_file_atomic("/r/a", "1"));
  ASSERT_TRUE(fs.rename("/r/a", "/r/b"));
  EXPECT_FALSE(fs.exists("/r/a"));
  EXPECT_EQ(*fs.read_file("/r/b"), "1");
  ASSERT_TRUE(fs.remove("/r/b"));
  EXPECT_EQ(fs.remove("/r/b").error().kind, ErrorKind::not_found);
}

// A fault-injecting file system: fails reads of one path.
class FailingReads : public ForwardingFileSystem {
 public:
  FailingReads(FileSystem& target, std::string bad) : ForwardingFileSystem(target), bad_(std::move(bad)) {}
  Result<std::string> read_file(const std::string& path) const override {
    if (path == bad_) return fail(ErrorKind::io, "injected");
    return ForwardingFileSystem::read_file(path);
  }

 private:
  std::string bad_;
};

TEST(ForwardingFileSystem, SubclassOverridesOneCall) {
  MemoryFileSystem fs;
  fs.set_file("/r/a", "a");
  fs.set_file("/r/b", "b");
  FailingReads failing(fs, "/r/b");
  EXPECT_EQ(*failing.read_file("/r/a"), "a");
  EXPECT_EQ(failing.read_file("/r/b").error().message, "injected");
  EXPECT_TRUE(failing.stat("/r/b"));
  EXPECT_EQ(failing.now_ns(), fs.now_ns());
}

}  // namespace
}  // namespace wharf::fs
