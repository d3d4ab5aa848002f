#include "infer/dockerignore.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

using Paths = std::vector<std::string>;

TEST(InferDockerignoreTest, PatternsAreAnchoredAtTheContext) {
  Warnings warnings;
  auto excludes = dockerignore_excludes(
      "# comment\n"
      "node_modules\n"
      "/dist/\n"
      "*.md\n"
      "**/*.test.ts\n"
      "\n"
      "  .git  \n",
      "svc/api/.dockerignore", "svc/api", warnings);
  EXPECT_EQ(excludes, (Paths{"svc/api/node_modules", "svc/api/dist", "svc/api/*.md", "svc/api/**/*.test.ts",
                             "svc/api/.git"}));
  EXPECT_TRUE(warnings.items().empty());
}

TEST(InferDockerignoreTest, NegationsDropTheExcludesTheyCouldReopen) {
  Warnings warnings;
  auto excludes = dockerignore_excludes("docs\n*.md\nnode_modules\n!docs/README.md\n", ".dockerignore", "", warnings);
  // "docs" and "*.md" could cover docs/README.md; node_modules cannot.
  EXPECT_EQ(excludes, (Paths{"node_modules"}));
  ASSERT_EQ(warnings.items().size(), 1u);
  EXPECT_NE(warnings.items()[0].find(".dockerignore:4:"), std::string::npos) << warnings.items()[0];
  EXPECT_NE(warnings.items()[0].find("'docs' (line 1)"), std::string::npos) << warnings.items()[0];
}

TEST(InferDockerignoreTest, LiteralRoot) {
  EXPECT_EQ(literal_root("a/b/*.md"), "a/b");
  EXPECT_EQ(literal_root("a/b"), "a/b");
  EXPECT_EQ(literal_root("**/x"), "");
  EXPECT_EQ(literal_root("a/*/c"), "a");
}

}  // namespace
}  // namespace wharf::infer
