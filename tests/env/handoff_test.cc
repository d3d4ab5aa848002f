// The handoff formats are contracts: each is compared with a golden file in
// tests/env/golden/ (edit the file on purpose when a format changes).
#include "env/handoff.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "graph/config.h"
#include "tests/testing/temp_dir.h"

namespace wharf::env {
namespace {

const std::string kHead = "1111111111111111111111111111111111111111";
const std::string kLive = "2222222222222222222222222222222222222222";

std::string golden(const std::string& name) {
  std::ifstream in(testing::source_dir() + "/tests/env/golden/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

graph::Graph sample_graph() {
  auto config = graph::parse_config(R"(
[workspace]
inputs = ["package.json"]
[package.common]
paths = ["packages/common"]
[package.auth-client]
paths = ["packages/auth-client"]
deps = ["common"]
[service.api]
paths = ["services/api"]
deps = ["auth-client"]
[service.web]
paths = ["services/web"]
deps = ["common"]
[service.worker]
paths = ["services/worker"]
)",
                                    "wharf.toml");
  return std::move(*graph::Graph::build(std::move(*config)));
}

plan::Plan sample_plan() {
  plan::Plan plan;
  plan.head = kHead;
  plan::ServicePlan api{"api", plan::Action::deploy, kLive, "2222222", {}, {}, {}};
  api.reasons = {{plan::ReasonKind::package, "packages/common/a|b.ts", "common", false, ""},
                 {plan::ReasonKind::path, "services/api/x.ts", "", false, ""}};
  plan::ServicePlan web{"web", plan::Action::skip, kLive, "2222222", {}, {}, {}};
  web.drift = plan::Drift{kLive, "3333333333333333333333333333333333333333"};
  plan::ServicePlan worker{"worker", plan::Action::deploy, std::nullopt, "", {}, {}, {}};
  worker.reasons = {{plan::ReasonKind::not_live, "", "", false, ""}};
  plan.services = {api, web, worker};
  return plan;
}

graph::EnvironmentConfig sample_environment() {
  graph::EnvironmentConfig environment;
  environment.name = "prod";
  environment.defaults.tag = "sha-{sha7}";
  environment.defaults.terraform = {"module.ecs_service[\"{service}\"]", "aws_ecs_task_definition.{service}"};
  environment.services["worker"] = environment.defaults;
  environment.services["worker"].tag = "{service}-{sha}";
  return environment;
}

TEST(HandoffTest, Terraform) {
  auto environment = sample_environment();
  EXPECT_EQ(to_terraform(sample_plan(), &environment, false), golden("terraform.json"));
  EXPECT_EQ(to_terraform(sample_plan(), &environment, true), golden("terraform-all-tags.json"));
  EXPECT_EQ(to_terraform(plan::Plan{}, nullptr, false), "{\n  \"image_tags\": {}\n}\n");
}

TEST(HandoffTest, Targets) {
  auto environment = sample_environment();
  EXPECT_EQ(*to_targets(sample_plan(), &environment), golden("targets.txt"));
  EXPECT_FALSE(to_targets(sample_plan(), nullptr));
  environment.services["worker"].terraform.clear();
  auto missing = to_targets(sample_plan(), &environment);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("service 'worker' is to deploy but environment 'prod' gives it no terraform"),
            std::string::npos);
}

TEST(HandoffTest, GithubMatrixAndOutput) {
  EXPECT_EQ(to_github_matrix(sample_plan()), golden("github-matrix.json"));
  testing::TempDir dir;
  const std::string path = dir.path() + "/github_output";
  std::ofstream(path) << "earlier=1\n";
  ASSERT_TRUE(append_github_output(path, sample_plan()));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "earlier=1\nmatrix=" + golden("github-matrix.json") + "any=true\n");
}

TEST(HandoffTest, Markdown) {
  EXPECT_EQ(to_markdown(sample_plan()), golden("markdown.md"));
  plan::Plan nothing = sample_plan();
  nothing.services = {nothing.services[1]};
  EXPECT_NE(to_markdown(nothing).find("Nothing to deploy at `1111111`"), std::string::npos);
}

TEST(HandoffTest, Dot) { EXPECT_EQ(to_dot(sample_plan(), sample_graph()), golden("plan.dot")); }

}  // namespace
}  // namespace wharf::env
