#include "infer/skaffold.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferSkaffoldTest, ArtifactsOfEveryDocument) {
  Warnings warnings;
  auto builds = read_skaffold(
      "apiVersion: skaffold/v4beta6\n"
      "kind: Config\n"
      "build:\n"
      "  artifacts:\n"
      "    - image: gcr.io/acme/cart\n"
      "      context: src/cart\n"
      "    - image: gcr.io/acme/web:dev\n"
      "      context: web\n"
      "      docker:\n"
      "        dockerfile: build/Dockerfile\n"
      "        buildArgs:\n"
      "          FLAVOUR: prod\n"
      "          TAG: '{{.IMAGE_TAG}}'\n"
      "    - image: gcr.io/acme/jvm\n"
      "      jib: {}\n"
      "---\n"
      "apiVersion: skaffold/v4beta6\n"
      "kind: Config\n"
      "build:\n"
      "  artifacts:\n"
      "    - image: root-image\n",
      "deploy/skaffold.yaml", warnings);
  ASSERT_EQ(builds.size(), 3u);
  EXPECT_EQ(builds[0].name, "gcr.io/acme/cart");
  EXPECT_EQ(builds[0].context, "deploy/src/cart");
  EXPECT_EQ(builds[0].dockerfile, "deploy/src/cart/Dockerfile");
  EXPECT_EQ(builds[0].line, 5);
  EXPECT_EQ(builds[1].dockerfile, "deploy/web/build/Dockerfile");
  EXPECT_EQ(builds[1].args.at("FLAVOUR"), "prod");
  EXPECT_FALSE(builds[1].args.contains("TAG"));
  EXPECT_EQ(builds[2].context, "deploy");
  EXPECT_EQ(builds[2].dockerfile, "deploy/Dockerfile");
  EXPECT_TRUE(warnings.items().empty());
}

}  // namespace
}  // namespace wharf::infer
