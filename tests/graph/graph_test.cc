#include "graph/graph.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "graph/render.h"

namespace wharf::graph {
namespace {

Result<Graph> Build(std::string_view text) {
  auto config = parse_config(text, "wharf.toml");
  if (!config) return std::unexpected(config.error());
  return Graph::build(std::move(*config));
}

constexpr std::string_view kSample = R"(
[workspace]
inputs = ["pnpm-lock.yaml", "infra/docker/service.Dockerfile"]
exclude = ["**/*.md"]

[package.common]
paths = ["packages/common"]
exclude = ["packages/common/fixtures"]

[package.auth-client]
paths = ["packages/auth-client"]
deps = ["common"]

[package.events]
paths = ["packages/events"]
deps = ["common"]

[service.clinical-api]
paths = ["services/clinical-api", "infra/docker/.npmrc"]
deps = ["auth-client", "events"]
exclude = ["services/clinical-api/**/*.test.ts"]

[service.admin-ui]
paths = ["apps/admin-ui/src/**/*.tsx", "apps/admin-ui/index.html"]
)";

TEST(GraphTest, PackageClosureIsTransitiveNearestFirstEachOnce) {
  auto graph = Build(kSample);
  ASSERT_TRUE(graph.has_value()) << graph.error().message;
  const Service* api = graph->find_service("clinical-api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->packages, (std::vector<std::string_view>{"auth-client", "events", "common"}));
  EXPECT_TRUE(graph->find_service("admin-ui")->packages.empty());
}

TEST(GraphTest, ServiceExcludesApplyOnlyToInputsTheyCanReach) {
  auto graph = Build(std::string(kSample) + R"(
[service.docs-site]
paths = ["docs", "packages/shared-docs"]
deps = ["common"]
exclude = ["**/draft-*"]
)");
  ASSERT_TRUE(graph.has_value()) << graph.error().message;
  auto apply = [&](std::string_view service, std::string_view pattern) {
    for (const Input& input : graph->find_service(service)->inputs) {
      if (input.pattern().text() == pattern) return input.service_excludes_apply;
    }
    ADD_FAILURE() << "no input " << pattern << " in " << service;
    return false;
  };
  // services/clinical-api/**/*.test.ts reaches only its own directory.
  EXPECT_TRUE(apply("clinical-api", "services/clinical-api"));
  EXPECT_FALSE(apply("clinical-api", "infra/docker/.npmrc"));
  EXPECT_FALSE(apply("clinical-api", "packages/common"));
  EXPECT_FALSE(apply("clinical-api", "pnpm-lock.yaml"));
  // No excludes of its own: nothing applies.
  EXPECT_FALSE(apply("admin-ui", "apps/admin-ui/index.html"));
  // A glob that starts with ** reaches everything.
  EXPECT_TRUE(apply("docs-site", "docs"));
  EXPECT_TRUE(apply("docs-site", "packages/common"));
}

TEST(GraphTest, CoveringInputSaysHowAPathReachesAService) {
  auto graph = Build(kSample);
  ASSERT_TRUE(graph.has_value());
  const Service& api = *graph->find_service("clinical-api");
  const Input* own = Graph::covering_input(api, "services/clinical-api/src/a.ts");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->kind, InputKind::path);
  const Input* pkg = Graph::covering_input(api, "packages/common/src/x.ts");
  ASSERT_NE(pkg, nullptr);
  EXPECT_EQ(pkg->kind, InputKind::package);
  EXPECT_EQ(pkg->via(), "common");
  const Input* ws = Graph::covering_input(api, "pnpm-lock.yaml");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(ws->kind, InputKind::workspace);
  EXPECT_EQ(Graph::covering_input(api, "services/clinical-api/src/a.test.ts"), nullptr);  // service exclude
  EXPECT_EQ(Graph::covering_input(api, "services/clinical-api/README.md"), nullptr);      // workspace exclude
  EXPECT_EQ(Graph::covering_input(api, "packages/common/fixtures/f.json"), nullptr);      // package exclude
  EXPECT_EQ(Graph::covering_input(api, "services/scheduler/x.ts"), nullptr);
  const Service& ui = *graph->find_service("admin-ui");
  EXPECT_NE(Graph::covering_input(ui, "apps/admin-ui/src/pages/Home.tsx"), nullptr);
  EXPECT_EQ(Graph::covering_input(ui, "apps/admin-ui/src/pages/home.css"), nullptr);
  EXPECT_NE(Graph::covering_input(ui, "pnpm-lock.yaml"), nullptr);
}

TEST(GraphTest, UnknownDepSuggestsTheNearestPackage) {
  auto graph = Build("[package.common]\npaths=[\"c\"]\n[service.a]\npaths=[\"a\"]\ndeps=[\"comon\"]\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message, "wharf.toml:5:7: unknown dep 'comon' of 'a'; did you mean 'common'?");
}

TEST(GraphTest, LockfileModeIsAutoOrWhole) {
  for (std::string_view mode : {"auto", "whole"}) {
    auto graph = Build(fmt::format("[workspace]\nlockfile = \"{}\"\n[service.a]\npaths=[\"a\"]\n", mode));
    ASSERT_TRUE(graph.has_value()) << graph.error().message;
    EXPECT_EQ(graph->config().workspace.lockfile.value, mode);
  }
  auto graph = Build("[workspace]\nlockfile = \"some\"\n[service.a]\npaths=[\"a\"]\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message.rfind("wharf.toml:2:12: lockfile = \"some\": give \"auto\"", 0), 0u)
      << graph.error().message;
}

TEST(GraphTest, UnknownDepWithoutNearMatchSaysHowToDeclareIt) {
  auto graph = Build("[service.a]\npaths=[\"a\"]\ndeps=[\"zzz\"]\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message, "wharf.toml:3:7: unknown dep 'zzz' of 'a'; declare it as [package.zzz]");
}

TEST(GraphTest, DuplicateNameAcrossPackageAndService) {
  auto graph = Build("[package.api]\npaths=[\"p\"]\n[service.api]\npaths=[\"a\"]\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message,
            "wharf.toml:3:10: the name 'api' is used twice: by this service and by the package at wharf.toml:1:10; "
            "rename one of them");
}

TEST(GraphTest, DependencyCycleIsPrinted) {
  auto graph = Build(
      "[package.a]\npaths=[\"a\"]\ndeps=[\"b\"]\n[package.b]\npaths=[\"b\"]\ndeps=[\"c\"]\n"
      "[package.c]\npaths=[\"c\"]\ndeps=[\"a\"]\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message,
            "wharf.toml:3:7: dependency cycle: a -> b -> c -> a; break it by removing one of these deps");
}

TEST(GraphTest, DepOnAServiceAndSelfAndTwiceAreErrors) {
  auto graph = Build(
      "[package.p]\npaths=[\"p\"]\ndeps=[\"p\"]\n[service.a]\npaths=[\"a\"]\ndeps=[\"b\", \"p\", \"p\"]\n"
      "[service.b]\npaths=[\"b\"]\n");
  ASSERT_FALSE(graph.has_value());
  const std::string& message = graph.error().message;
  EXPECT_NE(message.find("wharf.toml:3:7: 'p' depends on itself"), std::string::npos) << message;
  EXPECT_NE(message.find("wharf.toml:6:7: 'b' is a service, not a package"), std::string::npos) << message;
  EXPECT_NE(message.find("wharf.toml:6:17: 'p' is listed twice"), std::string::npos) << message;
}

TEST(GraphTest, RendersJsonAndDot) {
  auto graph = Build(kSample);
  ASSERT_TRUE(graph.has_value());
  auto json = nlohmann::json::parse(graph_to_json(*graph));
  EXPECT_EQ(json["services"][0]["name"], "clinical-api");
  EXPECT_EQ(json["services"][0]["packages"].size(), 3u);
  EXPECT_EQ(json["services"][0]["inputs"][2]["via"], "auth-client");
  std::string dot = graph_to_dot(*graph);
  EXPECT_NE(dot.find("\"service:clinical-api\" -> \"package:auth-client\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"package:auth-client\" -> \"package:common\""), std::string::npos);
  EXPECT_EQ(dot.rfind("digraph wharf {", 0), 0u);
}

}  // namespace
}  // namespace wharf::graph
