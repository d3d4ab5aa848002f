// The work-tree half of git status (hashing/worktree_status.h) on an
// in-memory file system: which changes count, and what a warm run reads.
// The differential test against the git CLI is tests/workspace/worktree_test.cc.
#include "hashing/worktree_status.h"

#include <gtest/gtest.h>

#include "fs/memory_file_system.h"
#include "tests/hashing/memory_caches.h"
#include "tests/testing/assert_result.h"

namespace wharf::hashing {
namespace {

using fs::MemoryFileSystem;
using testing::MemoryStatCache;
using Paths = std::vector<std::string>;

class WorktreeStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* path : {"a.txt", "dir/b.txt", "dir/sub/c.txt"}) fs_.set_file(Full(path), std::string("v1 ") + path);
    fs_.tick();  // older than any record written from now on
    for (const char* path : {"a.txt", "dir/b.txt", "dir/sub/c.txt"}) Track(path, std::string("v1 ") + path);
  }

  static std::string Full(const std::string& rel) { return "/repo/" + rel; }

  // An index entry for `rel` as git writes it after `git add` of `staged`,
  // with the file's current lstat facts.
  void Track(const std::string& rel, std::string_view staged, bool racy = false) {
    fs::FileStat stat = wharf::testing::value_or_throw(fs_.stat(Full(rel)), "stat " + rel);
    TrackedFile t;
    t.path = rel;
    t.facts.blob_id = git_blob_id(staged);
    t.facts.mode = git_mode_of(stat);
    t.facts.mtime_sec = static_cast<std::uint32_t>(stat.mtime_ns / 1'000'000'000);
    t.facts.mtime_nsec = static_cast<std::uint32_t>(stat.mtime_ns % 1'000'000'000);
    t.facts.ctime_sec = static_cast<std::uint32_t>(stat.ctime_ns / 1'000'000'000);
    t.facts.ctime_nsec = static_cast<std::uint32_t>(stat.ctime_ns % 1'000'000'000);
    t.facts.ino = static_cast<std::uint32_t>(stat.inode);
    t.facts.size = static_cast<std::uint32_t>(stat.size);
    t.facts.racy = racy;
    auto it = std::find_if(tracked_.begin(), tracked_.end(), [&](const TrackedFile& f) { return f.path == rel; });
    if (it != tracked_.end()) {
      *it = t;
    } else {
      tracked_.push_back(t);
      std::sort(tracked_.begin(), tracked_.end(),
                [](const TrackedFile& x, const TrackedFile& y) { return x.path < y.path; });
    }
  }
  TrackedFile& Entry(const std::string& rel) {
    return *std::find_if(tracked_.begin(), tracked_.end(), [&](const TrackedFile& f) { return f.path == rel; });
  }

  Paths Status() {
    WorkTree tree;
    tree.fs = &fs_;
    tree.root = "/repo";
    tree.tracked = tracked_;
    tree.listing_cache = &listings_;
    tree.is_ignored = [](const std::string& path) -> Result<bool> { return path.ends_with(".log"); };
    FileHasher hasher(fs_, "/repo", &stats_);
    fs_.reset_counters();
    auto paths = unstaged_paths(tree, hasher, options_);
    EXPECT_TRUE(paths.has_value()) << paths.error().message;
    return paths ? *paths : Paths{"(error)"};
  }

  MemoryFileSystem fs_;
  MemoryStatCache stats_;
  MemoryStatCache listings_;
  std::vector<TrackedFile> tracked_;
  WorktreeStatusOptions options_;
};

TEST_F(WorktreeStatusTest, CleanTreeReadsNothingAndTheSecondRunListsNothing) {
  EXPECT_EQ(Status(), Paths{});
  EXPECT_EQ(fs_.reads(), 0u);
  EXPECT_GT(fs_.lists(), 0u);
  fs_.tick();
  EXPECT_EQ(Status(), Paths{});
  EXPECT_EQ(fs_.reads(), 0u);
  EXPECT_EQ(fs_.lists(), 0u) << "every directory's listing was remembered";
}

TEST_F(WorktreeStatusTest, ModifiedDeletedAndChmodCountTouchedDoesNot) {
  fs_.set_file(Full("a.txt"), "v2 a.txt");  // same size
  fs_.remove(Full("dir/b.txt"));
  fs_.chmod(Full("dir/sub/c.txt"), 0755);
  EXPECT_EQ(Status(), (Paths{"a.txt", "dir/b.txt", "dir/sub/c.txt"}));

  options_.trust_executable_bit = false;  // core.filemode=false
  EXPECT_EQ(Status(), (Paths{"a.txt", "dir/b.txt"}));

  fs_.set_file(Full("a.txt"), "v1 a.txt");  // back to the staged content: a touch
  EXPECT_EQ(Status(), (Paths{"dir/b.txt"}));
}

TEST_F(WorktreeStatusTest, UntrackedCountsIgnoredDoesNot) {
  fs_.set_file(Full("dir/new.txt"), "new");
  fs_.set_file(Full("dir/debug.log"), "ignored");
  fs_.set_file(Full("fresh/deep/x.txt"), "x");
  EXPECT_EQ(Status(), (Paths{"dir/new.txt", "fresh/deep/x.txt"}));
  fs_.tick();
  EXPECT_EQ(Status(), (Paths{"dir/new.txt", "fresh/deep/x.txt"})) << "a listing with untracked files is not remembered";
}

TEST_F(WorktreeStatusTest, IndexFlagsDecide) {
  fs_.set_file(Full("a.txt"), "hidden edit");
  Entry("a.txt").skip_worktree = true;
  Entry("dir/b.txt").conflicted = true;
  Entry("dir/sub/c.txt").intent_to_add = true;
  EXPECT_EQ(Status(), (Paths{"dir/b.txt", "dir/sub/c.txt"}));
}

TEST_F(WorktreeStatusTest, StatRecordFromBeforeStagingDoesNotMakeAFileModified) {
  fs_.set_file(Full("a.txt"), "v2 a.txt");
  fs_.tick();
  EXPECT_EQ(Status(), (Paths{"a.txt"}));  // read: its XXH3 digest goes into the stat cache
  fs_.tick();
  // `git add` of that content, with the entry racy so the index proves
  // nothing: only the stat record (taken before) speaks for the file.
  Track("a.txt", "v2 a.txt", /*racy=*/true);
  EXPECT_EQ(Status(), Paths{});
}

}  // namespace
}  // namespace wharf::hashing
