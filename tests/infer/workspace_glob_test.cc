#include "infer/workspace_glob.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferWorkspaceGlobTest, SegmentsAndDoubleStars) {
  EXPECT_TRUE(workspace_glob_matches("packages/*", "packages/ui"));
  EXPECT_FALSE(workspace_glob_matches("packages/*", "packages/ui/nested"));
  EXPECT_TRUE(workspace_glob_matches("./apps/**/", "apps/a/b"));
  EXPECT_TRUE(workspace_glob_matches("apps/**", "apps"));
  EXPECT_TRUE(workspace_glob_matches("libs/**/pkg-?", "libs/x/y/pkg-1"));
  EXPECT_FALSE(workspace_glob_matches("libs/*", "other/a"));
}

}  // namespace
}  // namespace wharf::infer
