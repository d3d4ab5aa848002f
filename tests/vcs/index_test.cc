// The direct index reader against libgit2's, on real repositories in each
// index version and with conflicts, intent-to-add entries and symlinks.
#include "vcs/index.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/testing/git_repo.h"
#include "vcs/index_file.h"

namespace wharf::vcs {
namespace {

using testing::GitRepo;

void ExpectSameEntries(const Index& fast, const Index& reference) {
  ASSERT_EQ(fast.entries().size(), reference.entries().size());
  for (std::size_t i = 0; i < fast.entries().size(); ++i) {
    const IndexEntry& a = fast.entries()[i];
    const IndexEntry& b = reference.entries()[i];
    EXPECT_EQ(a.path, b.path);
    EXPECT_TRUE(git_oid_equal(&a.id, &b.id)) << a.path;
    EXPECT_EQ(a.mode, b.mode) << a.path;
    EXPECT_EQ(a.mtime_sec, b.mtime_sec) << a.path;
    EXPECT_EQ(a.mtime_nsec, b.mtime_nsec) << a.path;
    EXPECT_EQ(a.ctime_sec, b.ctime_sec) << a.path;
    EXPECT_EQ(a.ctime_nsec, b.ctime_nsec) << a.path;
    EXPECT_EQ(a.ino, b.ino) << a.path;
    EXPECT_EQ(a.file_size, b.file_size) << a.path;
    EXPECT_EQ(a.racy, b.racy) << a.path;
    EXPECT_EQ(a.conflicted, b.conflicted) << a.path;
    EXPECT_EQ(a.assume_unchanged, b.assume_unchanged) << a.path;
    EXPECT_EQ(a.skip_worktree, b.skip_worktree) << a.path;
    EXPECT_EQ(a.intent_to_add, b.intent_to_add) << a.path;
  }
}

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("a.txt", "a\n");
    repo_.write("dir/b.txt", "b\n");
    repo_.write("dir/deeper/c.sh", "#!/bin/sh\n");
    repo_.chmod_exec("dir/deeper/c.sh");
    repo_.symlink("a.txt", "link");
    repo_.write(std::string(200, 'x') + "/" + std::string(200, 'y') + ".txt", "long path\n");
    repo_.commit("initial");
  }

  void Compare() {
    auto repo = Repository::open(repo_.path());
    ASSERT_TRUE(repo.has_value());
    auto fast = Index::read(*repo, IndexReader::fast);
    auto reference = Index::read(*repo, IndexReader::libgit2);
    ASSERT_TRUE(fast.has_value()) << fast.error().message;
    ASSERT_TRUE(reference.has_value());
    EXPECT_FALSE(fast->entries().empty());
    ExpectSameEntries(*fast, *reference);
    // ...and the direct reader did the work rather than declining to libgit2.
    std::ifstream in(repo_.path() + "/.git/index", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string declined;
    auto parsed = parse_index_file(bytes, timespec{}, &declined);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_TRUE(parsed->has_value()) << declined;
  }

  GitRepo repo_;
};

TEST_F(IndexTest, Version2MatchesLibgit2) {
  repo_.git("update-index --index-version 2");
  Compare();
}

TEST_F(IndexTest, Version3WithIntentToAddMatchesLibgit2) {
  repo_.write("new.txt", "new\n");
  repo_.git("add -N new.txt");  // sets the extended flags: a version 3 index
  Compare();
}

TEST_F(IndexTest, Version4PrefixCompressionMatchesLibgit2) {
  repo_.git("update-index --index-version 4");
  Compare();
}

TEST_F(IndexTest, WorkTreeFlagsMatchLibgit2) {
  repo_.git("update-index --assume-unchanged a.txt");
  repo_.git("update-index --skip-worktree dir/b.txt");
  repo_.write("added.txt", "later\n");
  repo_.git("add -N added.txt");
  Compare();
  auto repo = Repository::open(repo_.path());
  ASSERT_TRUE(repo.has_value());
  auto index = Index::read(*repo);
  ASSERT_TRUE(index.has_value());
  ASSERT_NE(index->find("a.txt"), nullptr);
  EXPECT_TRUE(index->find("a.txt")->assume_unchanged);
  EXPECT_TRUE(index->find("dir/b.txt")->skip_worktree);
  EXPECT_TRUE(index->find("added.txt")->intent_to_add);
  EXPECT_FALSE(index->find("link")->skip_worktree);
}

TEST_F(IndexTest, CacheTreeNamesTheTreesGitWrote) {
  repo_.write("other/d.txt", "d\n");
  repo_.commit("second");
  repo_.git("write-tree");  // makes sure the cache tree is complete
  auto repo = Repository::open(repo_.path());
  ASSERT_TRUE(repo.has_value());
  auto index = Index::read_recorded(*repo);
  ASSERT_TRUE(index.has_value());
  const git_oid* root = index->cache_tree().valid_id("");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(ObjectId{*root}.hex(), repo_.git("rev-parse HEAD^{tree}"));
  const git_oid* deeper = index->cache_tree().valid_id("dir/deeper");
  ASSERT_NE(deeper, nullptr);
  EXPECT_EQ(ObjectId{*deeper}.hex(), repo_.git("rev-parse HEAD:dir/deeper"));

  // Staging a change invalidates its directories up to the root, no others.
  repo_.write("dir/b.txt", "changed\n");
  repo_.git("add dir/b.txt");
  index = Index::read_recorded(*repo);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->cache_tree().valid_id(""), nullptr);
  EXPECT_EQ(index->cache_tree().valid_id("dir"), nullptr);
  ASSERT_NE(index->cache_tree().valid_id("other"), nullptr);
  EXPECT_EQ(ObjectId{*index->cache_tree().valid_id("other")}.hex(), repo_.git("rev-parse HEAD:other"));
  EXPECT_FALSE(parse_cache_tree("garbage").has_value());
}

TEST_F(IndexTest, ConflictsAreOneEntryMarkedConflicted) {
  repo_.git("checkout -q -b other");
  repo_.write("a.txt", "other\n");
  repo_.commit("other");
  repo_.git("checkout -q main");
  repo_.write("a.txt", "main\n");
  repo_.commit("main");
  EXPECT_NE(repo_.git_status("merge -q other"), 0);  // the conflict is the point
  Compare();
  auto repo = Repository::open(repo_.path());
  auto index = Index::read(*repo);
  ASSERT_TRUE(index.has_value());
  const IndexEntry* conflicted = index->find("a.txt");
  ASSERT_NE(conflicted, nullptr);
  EXPECT_TRUE(conflicted->conflicted);
}

TEST_F(IndexTest, DamagedIndexIsAClearError) {
  std::string path = repo_.path() + "/.git/index";
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(40);
  file.put('\x7f');  // inside the first entry: the checksum no longer matches
  file.close();
  auto repo = Repository::open(repo_.path());
  auto index = Index::read(*repo);
  ASSERT_FALSE(index.has_value());
  EXPECT_EQ(index.error().kind, ErrorKind::corrupt);
  EXPECT_NE(index.error().message.find("checksum"), std::string::npos) << index.error().message;
}

TEST(IndexFileTest, RejectsTruncatedInput) {
  std::string declined;
  timespec when{};
  EXPECT_FALSE(parse_index_file("DIRC", when, &declined).has_value());
  EXPECT_FALSE(parse_index_file(std::string(64, 'x'), when, &declined).has_value());
}

}  // namespace
}  // namespace wharf::vcs
