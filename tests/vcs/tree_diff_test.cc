// TreeDiffer against `git diff --name-only` on a real repository.
#include "vcs/tree_diff.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/testing/git_repo.h"

namespace wharf::vcs {
namespace {

using testing::GitRepo;

class TreeDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.write("services/api/main.go", "v1\n");
    repo.write("services/api/run.sh", "echo\n");
    repo.write("services/web/index.html", "<p>\n");
    repo.write("packages/common/a.ts", "a\n");
    repo.write("packages/common-x/b.ts", "b\n");
    repo.write("docs/old.md", "old\n");
    base = repo.commit("base");
    repo.write("services/api/main.go", "v2\n");   // modified
    repo.chmod_exec("services/api/run.sh");       // mode
    repo.write("packages/common-x/c.ts", "c\n");  // added beside a prefix sibling
    repo.move("docs/old.md", "docs/new.md");      // both sides of a rename
    repo.remove("services/web/index.html");       // deleted (its directory goes)
    repo.symlink("../common/a.ts", "packages/common/link.ts");
    head = repo.commit("head");
    auto opened = Repository::open(repo.path());
    ASSERT_TRUE(opened.has_value());
    vcs.emplace(std::move(*opened));
    base_tree = std::move(*vcs->commit_tree(*vcs->resolve_commit(base)));
    head_tree = std::move(*vcs->commit_tree(*vcs->resolve_commit(head)));
  }

  std::vector<std::string> git_diff(const std::string& path = "") {
    std::istringstream lines(
        repo.git("diff --no-renames --name-only " + base + " " + head + (path.empty() ? "" : " -- " + path)));
    std::vector<std::string> out;
    for (std::string line; std::getline(lines, line);) out.push_back(line);
    return out;
  }

  std::vector<std::string> visit(TreeDiffer& differ, std::string_view root, std::size_t stop_after = SIZE_MAX) {
    std::vector<std::string> out;
    auto walked = differ.visit_changes(base_tree.get(), head_tree.get(), root, [&](const std::string& path) {
      out.push_back(path);
      return out.size() >= stop_after;
    });
    EXPECT_TRUE(walked.has_value());
    return out;
  }

  GitRepo repo;
  std::string base, head;
  std::optional<Repository> vcs;
  TreePtr base_tree, head_tree;
};

TEST_F(TreeDiffTest, VisitsWhatGitDiffListsInItsOrder) {
  TreeDiffer differ(*vcs);
  EXPECT_EQ(visit(differ, ""), git_diff());
  for (std::string root : {"services", "services/api", "packages/common", "docs", "services/web", "nothing/here"}) {
    EXPECT_EQ(visit(differ, root), git_diff(root)) << root;
  }
  EXPECT_EQ(visit(differ, "services/api/main.go"), std::vector<std::string>{"services/api/main.go"});
}

TEST_F(TreeDiffTest, StopsAtTheFirstChangeTheCallerTakes) {
  TreeDiffer differ(*vcs);
  EXPECT_EQ(visit(differ, "", 1), std::vector<std::string>{git_diff().front()});
  std::size_t walked_all = 0;
  {
    TreeDiffer fresh(*vcs);
    visit(fresh, "");
    walked_all = fresh.trees_walked();
  }
  TreeDiffer early(*vcs);
  visit(early, "", 1);
  EXPECT_LT(early.trees_walked(), walked_all);
}

TEST_F(TreeDiffTest, EntryAtFindsNestedEntriesOnly) {
  TreeDiffer differ(*vcs);
  EXPECT_NE(differ.entry_at(head_tree.get(), "services/api/main.go"), nullptr);
  EXPECT_NE(differ.entry_at(head_tree.get(), "packages/common"), nullptr);
  EXPECT_EQ(differ.entry_at(head_tree.get(), "services/web"), nullptr);
  EXPECT_NE(differ.entry_at(base_tree.get(), "services/web/index.html"), nullptr);
  EXPECT_EQ(differ.entry_at(head_tree.get(), "services/api/main.go/x"), nullptr);
  EXPECT_EQ(differ.entry_at(head_tree.get(), "packages/common-"), nullptr);
}

}  // namespace
}  // namespace wharf::vcs
