#include "graph/path_pattern.h"
#include "tests/testing/assert_result.h"

#include <gtest/gtest.h>

namespace wharf::graph {
namespace {

// Used inline: a failure throws, which fails the test (assert_result.h).
PathPattern P(std::string_view text) { return testing::value_or_throw(PathPattern::parse(text), text); }

TEST(PathPatternTest, LiteralFileAndDirectoryCoverEverythingBelow) {
  PathPattern dir = P("services/api");
  EXPECT_TRUE(dir.is_literal());
  EXPECT_TRUE(dir.matches("services/api"));
  EXPECT_TRUE(dir.matches("services/api/src/main.ts"));
  EXPECT_FALSE(dir.matches("services/api-gateway/x"));
  EXPECT_FALSE(dir.matches("services"));
  EXPECT_EQ(dir.root(), "services/api");
}

TEST(PathPatternTest, NormalizesDotsAndSlashes) {
  EXPECT_EQ(P("./services//api/").text(), "services/api");
  EXPECT_EQ(P("a/**/**/b").text(), "a/**/b");
}

TEST(PathPatternTest, RejectsEscapesAbsoluteAndEmpty) {
  EXPECT_FALSE(PathPattern::parse("../other").has_value());
  EXPECT_FALSE(PathPattern::parse("a/../../b").has_value());
  EXPECT_FALSE(PathPattern::parse("/etc/passwd").has_value());
  EXPECT_FALSE(PathPattern::parse("").has_value());
  EXPECT_FALSE(PathPattern::parse("./").has_value());
  EXPECT_NE(PathPattern::parse("../x").error().message.find("escapes"), std::string::npos);
}

TEST(PathPatternTest, StarStaysInOneSegment) {
  PathPattern p = P("services/*/Dockerfile");
  EXPECT_EQ(p.root(), "services");
  EXPECT_TRUE(p.matches("services/api/Dockerfile"));
  EXPECT_FALSE(p.matches("services/api/sub/Dockerfile"));
  EXPECT_FALSE(p.matches("services/Dockerfile"));
  EXPECT_TRUE(P("*.ts").matches("index.ts"));
  EXPECT_FALSE(P("*.ts").matches("src/index.ts"));
  EXPECT_TRUE(P("a/?.txt").matches("a/b.txt"));
  EXPECT_FALSE(P("a/?.txt").matches("a/bc.txt"));
  EXPECT_TRUE(P("a/[bc].txt").matches("a/c.txt"));
  EXPECT_FALSE(P("a/[bc].txt").matches("a/d.txt"));
}

TEST(PathPatternTest, DoubleStarIsZeroOrMoreDirectories) {
  PathPattern p = P("a/**/b");
  EXPECT_TRUE(p.matches("a/b"));
  EXPECT_TRUE(p.matches("a/x/b"));
  EXPECT_TRUE(p.matches("a/x/y/z/b"));
  EXPECT_TRUE(p.matches("a/x/b/file.txt"));  // a matching directory covers what is below
  EXPECT_FALSE(p.matches("a/xb"));
  EXPECT_FALSE(p.matches("c/a/b"));
  PathPattern md = P("**/*.md");
  EXPECT_TRUE(md.matches("README.md"));
  EXPECT_TRUE(md.matches("docs/guide/intro.md"));
  EXPECT_FALSE(md.matches("docs/guide/intro.mdx"));
  EXPECT_EQ(md.root(), "");
  PathPattern tests = P("services/api/**/*.test.ts");
  EXPECT_TRUE(tests.matches("services/api/x.test.ts"));
  EXPECT_TRUE(tests.matches("services/api/src/deep/x.test.ts"));
  EXPECT_FALSE(tests.matches("services/api/src/x.ts"));
}

TEST(PathPatternTest, DoubleStarAloneIsTheWholeRepository) {
  PathPattern all = P("**");
  EXPECT_TRUE(all.matches("x"));
  EXPECT_TRUE(all.matches("a/b/c"));
  EXPECT_EQ(all.root(), "");
}

TEST(PathPatternTest, GlobMatchingADirectoryCoversItsContents) {
  PathPattern p = P("services/*-api");
  EXPECT_TRUE(p.matches("services/clinical-api/src/x.ts"));
  EXPECT_FALSE(p.matches("services/clinical-worker/src/x.ts"));
}

TEST(PathPatternTest, StarMatchesDotFilesAsGitignoreDoes) { EXPECT_TRUE(P("infra/*").matches("infra/.npmrc")); }

}  // namespace
}  // namespace wharf::graph
