#include "graph/config.h"

#include <gtest/gtest.h>

namespace wharf::graph {
namespace {

std::string ErrorOf(std::string_view text) {
  auto config = parse_config(text, "wharf.toml");
  EXPECT_FALSE(config.has_value());
  if (config) return "";
  EXPECT_EQ(config.error().kind, ErrorKind::config);
  return config.error().message;
}

TEST(ConfigTest, ParsesTheDocumentedShape) {
  auto config = parse_config(R"(
[workspace]
inputs = ["pnpm-lock.yaml", "package.json", "infra/docker/service.Dockerfile"]
exclude = ["**/*.md"]

[package.common]
paths = ["packages/common"]

[package.auth-client]
paths = ["packages/auth-client"]
deps = ["common"]

[service.clinical-api]
paths = ["services/clinical-api", "infra/docker/.npmrc"]
deps = ["auth-client"]
exclude = ["services/clinical-api/**/*.test.ts"]
env = ["NODE_ENV"]
build = "pnpm build"

[service.admin-ui]
paths = ["apps/admin-ui"]
)",
                             "wharf.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->workspace.inputs.size(), 3u);
  EXPECT_EQ(config->workspace.exclude.at(0).pattern.text(), "**/*.md");
  ASSERT_EQ(config->packages.size(), 2u);
  EXPECT_EQ(config->packages[0].name, "common");  // file order, not key order
  ASSERT_EQ(config->services.size(), 2u);
  EXPECT_EQ(config->services[0].name, "clinical-api");
  EXPECT_EQ(config->services[0].deps.at(0).name, "auth-client");
  EXPECT_EQ(config->services[0].deps.at(0).where.line, 15);
  ASSERT_EQ(config->services[0].env.size(), 1u);
  EXPECT_EQ(config->services[0].env[0].name, "NODE_ENV");
  EXPECT_EQ(config->services[0].build.value, "pnpm build");
  EXPECT_EQ(config->services[0].paths.at(1).where.str(), "wharf.toml:14:35");
}

TEST(ConfigTest, UnknownKeySuggestsTheNearestValidOne) {
  std::string message = ErrorOf("[service.api]\npaths = [\"api\"]\ndep = [\"x\"]\n");
  EXPECT_EQ(message, "wharf.toml:3:1: unknown key 'dep' in [service.api]; did you mean 'deps'?");
}

TEST(ConfigTest, UnknownTopLevelTableSuggests) {
  std::string message = ErrorOf("[services.api]\npaths = [\"api\"]\n");
  EXPECT_NE(message.find("wharf.toml:1:2: unknown key 'services' in the top level; did you mean 'service'?"),
            std::string::npos)
      << message;
}

TEST(ConfigTest, PackagesHaveNoEnvOrBuild) {
  std::string message = ErrorOf("[package.p]\npaths = [\"p\"]\nenv = [\"X\"]\n");
  EXPECT_NE(message.find("wharf.toml:3:1: unknown key 'env' in [package.p]"), std::string::npos) << message;
}

TEST(ConfigTest, PathEscapingTheRepositoryNamesTheLine) {
  std::string message = ErrorOf("[service.api]\npaths = [\"services/api\", \"../secrets\"]\n");
  EXPECT_NE(message.find("wharf.toml:2:26: path '../secrets' escapes the repository"), std::string::npos) << message;
}

TEST(ConfigTest, AbsolutePathIsAnError) {
  std::string message = ErrorOf("[workspace]\ninputs = [\"/etc/hosts\"]\n");
  EXPECT_NE(message.find("wharf.toml:2:11: path '/etc/hosts' is absolute"), std::string::npos) << message;
}

TEST(ConfigTest, MissingPathsIsAnError) {
  std::string message = ErrorOf("[service.api]\ndeps = []\n");
  EXPECT_NE(message.find("wharf.toml:1:10: [service.api] has no 'paths'"), std::string::npos) << message;
}

TEST(ConfigTest, WrongTypesAreNamed) {
  std::string message = ErrorOf("[service.api]\npaths = \"api\"\n");
  EXPECT_NE(message.find("wharf.toml:2:9: [service.api] paths must be an array of strings"), std::string::npos)
      << message;
}

TEST(ConfigTest, TomlSyntaxErrorsCarryThePosition) {
  std::string message = ErrorOf("[service.api\npaths = [\"api\"]\n");
  EXPECT_EQ(message.rfind("wharf.toml:1:", 0), 0u) << message;
}

TEST(ConfigTest, DuplicateTableIsAnError) {
  std::string message = ErrorOf("[service.api]\npaths = [\"a\"]\n[service.api]\npaths = [\"b\"]\n");
  EXPECT_EQ(message.rfind("wharf.toml:3:", 0), 0u) << message;
}

TEST(ConfigTest, ReportsEveryProblemInFileOrder) {
  std::string message = ErrorOf("[service.b]\npaths = [\"..\"]\n[service.a]\npath = [\"a\"]\n");
  auto first = message.find("wharf.toml:2:");
  auto second = message.find("wharf.toml:3:");
  auto third = message.find("wharf.toml:4:");
  EXPECT_NE(first, std::string::npos) << message;
  EXPECT_NE(second, std::string::npos) << message;
  EXPECT_NE(third, std::string::npos) << message;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

}  // namespace
}  // namespace wharf::graph
