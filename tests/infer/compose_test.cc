#include "infer/compose.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferComposeTest, BuildAsStringOrMappingRelativeToTheComposeFile) {
  Warnings warnings;
  auto builds = read_compose(
      "services:\n"
      "  cart:\n"
      "    build: ./src/cart\n"
      "  web:\n"
      "    build:\n"
      "      context: ../web\n"
      "      dockerfile: docker/Dockerfile.prod\n"
      "      args:\n"
      "        NODE_ENV: production\n"
      "  worker:\n"
      "    build:\n"
      "      context: .\n"
      "      args: [\"SERVICE=worker\"]\n"
      "  redis:\n"
      "    image: redis:7\n",
      "deploy/docker-compose.yml", {}, warnings);
  ASSERT_EQ(builds.size(), 3u);
  EXPECT_EQ(builds[0].name, "cart");
  EXPECT_EQ(builds[0].context, "deploy/src/cart");
  EXPECT_EQ(builds[0].dockerfile, "deploy/src/cart/Dockerfile");
  EXPECT_EQ(builds[0].line, 3);
  EXPECT_EQ(builds[0].how, "build ./src/cart");
  EXPECT_EQ(builds[1].context, "web");
  EXPECT_EQ(builds[1].dockerfile, "web/docker/Dockerfile.prod");
  EXPECT_EQ(builds[1].args.at("NODE_ENV"), "production");
  EXPECT_EQ(builds[1].how, "build.context ../web");
  EXPECT_EQ(builds[1].line, 6);
  EXPECT_EQ(builds[2].context, "deploy");
  EXPECT_EQ(builds[2].args.at("SERVICE"), "worker");
  EXPECT_TRUE(warnings.items().empty());
}

TEST(InferComposeTest, DotEnvInterpolationAsComposeDoesIt) {
  auto env = read_dotenv(
      "# comment\n"
      "SRC=services\n"
      "export FLAVOUR='prod'\n"
      "QUOTED=\"a b\"\n"
      "TRAILING=x # comment\n");
  EXPECT_EQ(env.at("SRC"), "services");
  EXPECT_EQ(env.at("FLAVOUR"), "prod");
  EXPECT_EQ(env.at("QUOTED"), "a b");
  EXPECT_EQ(env.at("TRAILING"), "x");
  Warnings warnings;
  auto builds = read_compose(
      "services:\n"
      "  api:\n"
      "    build:\n"
      "      context: ${SRC}/api\n"
      "      dockerfile: Dockerfile.${FLAVOUR:-dev}\n"
      "  jobs:\n"
      "    build:\n"
      "      context: ${JOBS_DIR:-jobs}\n"
      "      dockerfile: Dockerfile.$$literal\n"
      "  gone:\n"
      "    build: ./${UNSET}gone\n",
      "docker-compose.yml", env, warnings);
  ASSERT_EQ(builds.size(), 3u);
  EXPECT_EQ(builds[0].context, "services/api");
  EXPECT_EQ(builds[0].dockerfile, "services/api/Dockerfile.prod");
  EXPECT_EQ(builds[1].context, "jobs");
  EXPECT_EQ(builds[1].dockerfile, "jobs/Dockerfile.$literal");
  EXPECT_EQ(builds[2].context, "gone");  // "" + "/gone", as compose would
  ASSERT_EQ(warnings.items().size(), 1u);
  EXPECT_NE(warnings.items()[0].find("docker-compose.yml:11:"), std::string::npos) << warnings.items()[0];
}

TEST(InferComposeTest, AnchorsAndMergeKeys) {
  Warnings warnings;
  auto builds = read_compose(
      "x-build: &build\n"
      "  context: ./shared\n"
      "  dockerfile: Dockerfile.base\n"
      "services:\n"
      "  a:\n"
      "    build: *build\n"
      "  b:\n"
      "    build:\n"
      "      <<: *build\n"
      "      context: ./b\n",
      "compose.yaml", {}, warnings);
  ASSERT_EQ(builds.size(), 2u);
  EXPECT_EQ(builds[0].dockerfile, "shared/Dockerfile.base");
  EXPECT_EQ(builds[1].context, "b");
  EXPECT_EQ(builds[1].dockerfile, "b/Dockerfile.base");
}

TEST(InferComposeTest, ACorruptFileIsOneWarningWithItsLine) {
  Warnings warnings;
  auto builds = read_compose("services:\n  a:\n    build: [unclosed\n", "docker-compose.yml", {}, warnings);
  EXPECT_TRUE(builds.empty());
  ASSERT_EQ(warnings.items().size(), 1u);
  EXPECT_TRUE(warnings.items()[0].starts_with("docker-compose.yml:")) << warnings.items()[0];
  EXPECT_NE(warnings.items()[0].find("skipped"), std::string::npos);
}

TEST(InferComposeTest, ContextsOutsideTheRepositoryAreSkipped) {
  Warnings warnings;
  auto builds = read_compose(
      "services:\n  a:\n    build: https://github.com/acme/a.git\n  b:\n    build: ../../outside\n", "x/compose.yml", {},
      warnings);
  EXPECT_TRUE(builds.empty());
  EXPECT_EQ(warnings.items().size(), 2u);
}

}  // namespace
}  // namespace wharf::infer
