// A submodule's id for hashing follows what is checked out in it (issue 12),
// on real repositories with a real submodule.
#include "vcs/submodule.h"

#include <gtest/gtest.h>

#include "tests/testing/git_repo.h"
#include "vcs/index.h"

namespace wharf::vcs {
namespace {

using testing::GitRepo;

class SubmoduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_.write("lib.c", "int one;\n");
    lib_.write(".gitignore", "*.o\n");
    first_ = lib_.commit("first");
    lib_.write("lib.c", "int two;\n");
    second_ = lib_.commit("second");
    super_.write("app/main.c", "int main;\n");
    super_.git("-c protocol.file.allow=always submodule add -q " + testing::shell_quote(lib_.path()) + " app/lib");
    super_.commit("with the submodule");
  }

  // The id Index::read gives the submodule (and the recorded one).
  std::string Id(bool recorded = false) {
    auto repo = Repository::open(super_.path());
    EXPECT_TRUE(repo.has_value());
    auto index = recorded ? Index::read_recorded(*repo) : Index::read(*repo);
    EXPECT_TRUE(index.has_value()) << index.error().message;
    const IndexEntry* entry = index->find("app/lib");
    EXPECT_NE(entry, nullptr);
    EXPECT_EQ(entry->mode, 0160000u);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &entry->id);
    return hex;
  }

  void InLib(const std::string& args) { super_.git("-C app/lib " + args); }

  GitRepo lib_;
  GitRepo super_;
  std::string first_;
  std::string second_;
};

TEST_F(SubmoduleTest, CleanCheckoutIsItsCommit) {
  EXPECT_EQ(Id(), second_);
  EXPECT_EQ(Id(true), second_);
}

TEST_F(SubmoduleTest, ACheckoutOneCommitBackIsThatCommitNotTheRecordedOne) {
  InLib("checkout -q " + first_);
  EXPECT_EQ(Id(), first_);
  EXPECT_EQ(Id(true), second_);  // what the superproject records is unchanged
  InLib("checkout -q " + second_);
  EXPECT_EQ(Id(), second_);
}

TEST_F(SubmoduleTest, ChangedFilesInsideGiveAnIdOfTheirContent) {
  super_.write("app/lib/lib.c", "int three;\n");
  std::string modified = Id();
  EXPECT_NE(modified, second_);
  EXPECT_NE(modified, first_);
  EXPECT_EQ(Id(), modified);  // the same edit, the same id
  super_.write("app/lib/lib.c", "int four;\n");
  EXPECT_NE(Id(), modified);
  super_.write("app/lib/lib.c", "int two;\n");
  EXPECT_EQ(Id(), second_);  // reverted: the commit again

  super_.write("app/lib/new.c", "untracked\n");
  std::string untracked = Id();
  EXPECT_NE(untracked, second_);
  super_.write("app/lib/new.c", "untracked, edited\n");
  EXPECT_NE(Id(), untracked);
  super_.remove("app/lib/new.c");
  super_.write("app/lib/build.o", "ignored by the submodule's .gitignore\n");
  EXPECT_EQ(Id(), second_);

  super_.remove("app/lib/lib.c");
  std::string deleted = Id();
  EXPECT_NE(deleted, second_);
  EXPECT_NE(deleted, modified);
}

TEST_F(SubmoduleTest, NotCheckedOutIsNeitherTheRecordedCommitNorAnother) {
  super_.git("submodule deinit -q -f app/lib");
  std::string absent = Id();
  EXPECT_NE(absent, second_);
  EXPECT_NE(absent, first_);
  EXPECT_EQ(Id(), absent);
  EXPECT_EQ(Id(true), second_);
}

TEST_F(SubmoduleTest, NestedSubmodulesAreFollowed) {
  GitRepo inner;
  inner.write("inner.c", "int inner;\n");
  inner.commit("inner");
  InLib("-c protocol.file.allow=always submodule add -q " + testing::shell_quote(inner.path()) + " deps/inner");
  InLib("commit -q -m 'with inner'");
  std::string lib_head = super_.git("-C app/lib rev-parse HEAD");
  EXPECT_EQ(Id(), lib_head);
  super_.write("app/lib/deps/inner/inner.c", "int changed;\n");
  std::string dirty = Id();
  EXPECT_NE(dirty, lib_head);
  super_.write("app/lib/deps/inner/inner.c", "int inner;\n");
  EXPECT_EQ(Id(), lib_head);
}

}  // namespace
}  // namespace wharf::vcs
