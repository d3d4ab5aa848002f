// [environment.*] tables: what is read, and the file:line:col errors.
#include "graph/environment_config.h"

#include <gtest/gtest.h>

#include "graph/config.h"

namespace wharf::graph {
namespace {

const std::vector<std::string> kServices = {"api", "web"};

TEST(EnvironmentConfigTest, ReadsSourcesOverridesAndDurations) {
  auto environments = load_environments(R"toml(
[service.api]
paths = ["api"]

[environment.prod]
source = "http"
url = "https://{service}.example.com/health"
field = "build.git_sha"
headers = { Authorization = "PROD_TOKEN" }
sha_pattern = "sha-([0-9a-f]+)"
timeout = "500ms"
deadline = 20
terraform = ["module.svc[\"{service}\"]"]
tag = "{service}-{sha7}"

[environment.prod.service.web]
source = "command"
command = "echo {service}"

[environment.dev]
source = "ledger"
)toml",
                                        "wharf.toml", kServices);
  ASSERT_TRUE(environments.has_value()) << environments.error().message;
  ASSERT_EQ(environments->size(), 2u);
  const EnvironmentConfig& prod = (*environments)[0];  // file order
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.timeout.count(), 500);
  EXPECT_EQ(prod.deadline.count(), 20'000);
  const LiveSource& api = prod.source_for("api");
  EXPECT_EQ(api.kind, LiveSourceKind::http);
  EXPECT_EQ(api.field, "build.git_sha");
  ASSERT_EQ(api.headers.size(), 1u);
  EXPECT_EQ(api.headers[0].second, "PROD_TOKEN");
  const LiveSource& web = prod.source_for("web");
  EXPECT_EQ(web.kind, LiveSourceKind::command);
  EXPECT_EQ(web.command, "echo {service}");
  EXPECT_EQ(web.sha_pattern, "sha-([0-9a-f]+)");  // inherited
  EXPECT_EQ(web.tag, "{service}-{sha7}");
  EXPECT_EQ((*environments)[1].defaults.kind, LiveSourceKind::ledger);
}

TEST(EnvironmentConfigTest, ErrorsNameFileLineAndColumn) {
  auto environments = load_environments(R"toml([environment.prod]
source = "htp"
urll = "x"
timeout = "soon"
sha_pattern = "(a)(b)"
headers = { Authorization = "not a name" }

[environment.prod.service.apii]
source = "file"
)toml",
                                        "wharf.toml", kServices);
  ASSERT_FALSE(environments.has_value());
  const std::string& message = environments.error().message;
  EXPECT_EQ(environments.error().kind, ErrorKind::config);
  EXPECT_NE(message.find("wharf.toml:2:10: [environment.prod] source is 'htp'; use one of: ledger, http"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:3:1: unknown key 'urll' in [environment.prod]; did you mean 'url'?"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:4:11: [environment.prod] timeout must be a duration"), std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:5:15: [environment.prod] sha_pattern has 2 groups"), std::string::npos) << message;
  EXPECT_NE(message.find("must name an environment variable"), std::string::npos) << message;
  EXPECT_NE(message.find("wharf.toml:8:27: [environment.prod.service.apii]: there is no service 'apii' in the "
                         "config; did you mean 'api'?"),
            std::string::npos)
      << message;
}

TEST(EnvironmentConfigTest, ASourceWithoutWhatItNeedsIsAnError) {
  auto environments = load_environments("[environment.prod]\nsource = \"http\"\n", "wharf.toml", kServices);
  ASSERT_FALSE(environments.has_value());
  EXPECT_NE(environments.error().message.find("wharf.toml:1:14: [environment.prod] reads from source \"http\" but "
                                              "has no 'url'"),
            std::string::npos)
      << environments.error().message;
}

TEST(EnvironmentConfigTest, PushTablesAndServiceOverridesMergeKeyByKey) {
  auto environments = load_environments(R"toml([environment.prod]
source = "ledger"
confirm = true
[environment.prod.push]
to = "registry"
registry = "registry.example.com:5000"
repository = "acme/{service}"
tags = ["{short_sha}", "{env}"]
user_env = "REG_USER"
password_env = "REG_PASS"
parallel = 2
timeout = "2m"

[environment.prod.service.web.push]
to = "dir"
path = "/srv/sites/{service}/{short_sha}/"
)toml",
                                        "wharf.toml", kServices);
  ASSERT_TRUE(environments.has_value()) << environments.error().message;
  const EnvironmentConfig& prod = environments->front();
  EXPECT_TRUE(prod.confirm);
  const PushTarget& api = prod.push_for("api");
  EXPECT_EQ(api.kind, PushKind::registry);
  EXPECT_EQ(api.registry, "registry.example.com:5000");
  EXPECT_EQ(api.repository, "acme/{service}");
  EXPECT_EQ(api.tags, (std::vector<std::string>{"{short_sha}", "{env}"}));
  EXPECT_EQ(api.user_env, "REG_USER");
  EXPECT_EQ(api.parallel, 2u);
  EXPECT_EQ(api.timeout, std::chrono::minutes(2));
  EXPECT_EQ(api.where.line, 5);
  const PushTarget& web = prod.push_for("web");
  EXPECT_EQ(web.kind, PushKind::dir);
  EXPECT_EQ(web.path, "/srv/sites/{service}/{short_sha}/");
  EXPECT_EQ(web.tags, api.tags);  // not overridden: the environment's
}

TEST(EnvironmentConfigTest, PushTableErrorsNameTheKeyAndWhatToDo) {
  auto environments = load_environments(R"toml([environment.prod.push]
to = "s3"
registry = "https://ghcr.io"
tags = ["{sha8}"]
parallel = 0
user_env = "not a var"
pathh = "x"

[environment.dev.push]
to = "http"

[environment.qa.service.api.push]
path = "/x"
)toml",
                                        "wharf.toml", kServices);
  ASSERT_FALSE(environments.has_value());
  const std::string& message = environments.error().message;
  EXPECT_NE(message.find("wharf.toml:2:6: [environment.prod.push] to is 's3'; use one of: registry, dir, http, "
                         "command"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:3:12: [environment.prod.push] registry 'https://ghcr.io' must be a host[:port]"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:4:9: [environment.prod.push] tags has the placeholder '{sha8}'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:5:12: [environment.prod.push] parallel must be a number from 1 to 64"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:6:12: [environment.prod.push] user_env must name an environment variable"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wharf.toml:7:1: [environment.prod.push] has an unknown key 'pathh'; did you mean 'path'?"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("[environment.dev.push] has no 'url'"), std::string::npos) << message;
  EXPECT_NE(message.find("[environment.qa.service.api.push] has no 'to'"), std::string::npos) << message;
}

TEST(EnvironmentConfigTest, ParseConfigChecksEnvironmentsToo) {
  auto config = parse_config("[service.api]\npaths = [\"api\"]\n[environment.prod]\nsource = \"comand\"\n", "w.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("w.toml:4:10: [environment.prod] source is 'comand'"), std::string::npos)
      << config.error().message;
  EXPECT_TRUE(parse_config("[service.api]\npaths = [\"api\"]\n[environment.prod]\nsource = \"ledger\"\n", "w.toml"));
}

TEST(EnvironmentConfigTest, FindEnvironmentSuggestsTheNearest) {
  std::vector<EnvironmentConfig> environments(2);
  environments[0].name = "prod";
  environments[1].name = "dev";
  EXPECT_EQ((*find_environment(environments, "dev", "w.toml"))->name, "dev");
  auto missing = find_environment(environments, "prd", "w.toml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "no environment 'prd' in w.toml (did you mean 'prod'?); there are: prod, dev");
}

TEST(EnvironmentConfigTest, Durations) {
  EXPECT_EQ(parse_duration("5m")->count(), 300'000);
  EXPECT_EQ(parse_duration("90s")->count(), 90'000);
  EXPECT_EQ(parse_duration("250ms")->count(), 250);
  EXPECT_EQ(parse_duration("3")->count(), 3'000);
  EXPECT_FALSE(parse_duration("5 minutes"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration(""));
}

}  // namespace
}  // namespace wharf::graph
