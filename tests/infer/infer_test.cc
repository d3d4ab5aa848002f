// Inference end to end on repositories in memory: what it finds, and that
// the block it renders is a config wharf loads.
#include "infer/infer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "graph/config.h"
#include "graph/graph.h"
#include "infer/render.h"

namespace wharf::infer {
namespace {

using Strings = std::vector<std::string>;

Inferred infer_ok(const fs::MemorySourceTree& tree) {
  auto inferred = infer_config(tree);
  if (!inferred) {
    ADD_FAILURE() << inferred.error().message;
    return {};
  }
  return *inferred;
}

const Component* find(const std::vector<Component>& components, std::string_view name) {
  auto it = std::find_if(components.begin(), components.end(), [&](const Component& c) { return c.name == name; });
  return it == components.end() ? nullptr : &*it;
}

bool has_warning(const Inferred& inferred, std::string_view part) {
  return std::any_of(inferred.warnings.begin(), inferred.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

// The block must load as wharf.toml: parse_config and Graph::build.
void expect_loads(const Inferred& inferred) {
  const std::string text = render_block(inferred, {});
  auto config = graph::parse_config(text, "wharf.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message << "\n" << text;
  auto graph = graph::Graph::build(std::move(*config));
  ASSERT_TRUE(graph.has_value()) << graph.error().message << "\n" << text;
}

fs::MemorySourceTree pnpm_repo() {
  return fs::MemorySourceTree({
      {"pnpm-workspace.yaml", "packages:\n  - packages/*\n  - apps/*\n"},
      {"pnpm-lock.yaml", "lockfileVersion: '9.0'\n"},
      {"package.json", R"({"name": "root", "private": true})"},
      {"tsconfig.base.json", "{}"},
      {"turbo.json", "{}"},
      {"packages/a/package.json", R"({"name": "@acme/a", "version": "1.0.0", "dependencies": {"@acme/b": "workspace:*"}})"},
      {"packages/b/package.json", R"({"name": "@acme/b", "version": "1.0.0", "dependencies": {"@acme/c": "^1.2.0"}})"},
      {"packages/c/package.json",
       R"({"name": "@acme/c", "version": "1.3.0", "dependencies": {"@acme/a": "workspace:^", "react": "^18.0.0"}})"},
      {"packages/d/package.json", R"({"name": "@acme/d", "version": "2.0.0"})"},
      {"apps/web/package.json",
       R"({"name": "@acme/web", "scripts": {"start": "node ."}, "dependencies": {"@acme/a": "workspace:*", "@acme/d": "^1.0.0"}})"},
      {"apps/web/Dockerfile", "FROM node:20\nCOPY dist ./dist\n"},
      {"apps/web/src/index.ts", "x"},
      {"apps/cli/package.json", R"({"name": "@acme/cli", "scripts": {"build": "tsc"}})"},
      {"apps/docs/package.json", R"({"name": "@acme/docs"})"},
      {"apps/docs/Dockerfile", "FROM nginx\n"},
  });
}

TEST(InferConfigTest, PnpmWorkspaceWithChainsAndACycle) {
  Inferred inferred = infer_ok(pnpm_repo());
  // Services: apps with a start/build script and a Dockerfile only.
  ASSERT_EQ(inferred.services.size(), 1u);
  const Component& web = inferred.services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.paths, (Strings{"apps/web"}));  // dist is covered by the directory
  // @acme/d's 2.0.0 does not satisfy ^1.0.0: the registry's, not a dep.
  EXPECT_EQ(web.deps, (Strings{"a"}));
  // The other workspace packages are packages, apps without a Dockerfile too.
  Strings names;
  for (const auto& package : inferred.packages) names.push_back(package.name);
  EXPECT_EQ(names, (Strings{"a", "b", "c", "cli", "d", "docs"}));
  // a -> b -> c -> a: the edge closing the cycle from a (first in order) is dropped.
  EXPECT_EQ(find(inferred.packages, "a")->deps, (Strings{"b"}));
  EXPECT_EQ(find(inferred.packages, "b")->deps, (Strings{"c"}));
  EXPECT_TRUE(find(inferred.packages, "c")->deps.empty());
  EXPECT_TRUE(has_warning(inferred, "a -> b -> c -> a")) << ::testing::PrintToString(inferred.warnings);
  EXPECT_TRUE(has_warning(inferred, "packages/c/package.json")) << ::testing::PrintToString(inferred.warnings);
  Strings inputs;
  for (const auto& input : inferred.inputs) inputs.push_back(input.path);
  EXPECT_EQ(inputs, (Strings{"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "tsconfig.base.json", "turbo.json"}));
  expect_loads(inferred);
}

TEST(InferConfigTest, RenderedBlockIsDeterministicAndSaysWhereThingsCameFrom) {
  const std::string first = render_block(infer_ok(pnpm_repo()), {});
  const std::string second = render_block(infer_ok(pnpm_repo()), {});
  EXPECT_EQ(first, second);
  EXPECT_NE(first.find("# from pnpm-workspace.yaml:2 (packages/*): packages/a/package.json\n[package.a]\n"),
            std::string::npos)
      << first;
  EXPECT_NE(first.find("# from apps/web/package.json (a workspace package with a start or build script, and "
                       "apps/web/Dockerfile)\n[service.web]\n"),
            std::string::npos)
      << first;
  // workspace, then packages, then services.
  EXPECT_LT(first.find("[workspace]"), first.find("[package.a]"));
  EXPECT_LT(first.find("[package.docs]"), first.find("[service.web]"));
  // Left-out tables are not rendered and are named.
  const std::string without = render_block(infer_ok(pnpm_repo()), {"service.web", "workspace"});
  EXPECT_EQ(without.find("\n[service.web]\n"), std::string::npos);
  EXPECT_EQ(without.find("\n[workspace]\n"), std::string::npos);
  EXPECT_NE(without.find("\n[package.a]\n"), std::string::npos);
  EXPECT_NE(without.find("[service.web], [workspace]"), std::string::npos) << without;
}

fs::MemorySourceTree compose_repo() {
  return fs::MemorySourceTree({
      {"docker-compose.yml",
       "x-node: &node\n"
       "  dockerfile: infra/node.Dockerfile\n"
       "services:\n"
       "  cart:\n"
       "    build:\n"
       "      context: ./src/cart\n"
       "  api:\n"
       "    build:\n"
       "      context: .\n"
       "      <<: *node\n"
       "      args:\n"
       "        SERVICE: api\n"
       "  worker:\n"
       "    build:\n"
       "      context: .\n"
       "      <<: *node\n"
       "      args:\n"
       "        SERVICE: worker\n"
       "  billing:\n"
       "    build: ./src/${BILLING_DIR}\n"
       "  solo:\n"
       "    build: {context: ., dockerfile: infra/solo.Dockerfile}\n"
       "  db:\n"
       "    image: postgres:16\n"},
      {".env", "BILLING_DIR=billing\n"},
      {".dockerignore", "**/*.md\nnode_modules\ninfra/node.Dockerfile\n"},
      {"infra/node.Dockerfile",
       "FROM node:20 AS deps\n"
       "COPY package.json yarn.lock ./\n"
       "COPY libs/shared ./libs/shared\n"
       "FROM deps AS build\n"
       "ARG SERVICE\n"
       "COPY services/${SERVICE} ./services/${SERVICE}\n"
       "COPY generated/ ./generated/\n"
       "FROM node:20-slim\n"
       "COPY --from=build /app/dist /app\n"},
      {"infra/solo.Dockerfile", "FROM alpine\nCOPY services/solo /app\n"},
      {"infra/other.txt", "not solo's\n"},
      {"services/solo/run.sh", "x"},
      {"package.json", "{}"},
      {"yarn.lock", "# yarn\n"},
      {"libs/shared/index.js", "x"},
      {"services/api/index.js", "x"},
      {"services/worker/index.js", "x"},
      {"src/cart/Dockerfile",
       "# syntax=docker/dockerfile:1\n"
       "FROM golang:1.22 AS build\n"
       "COPY go.mod go.sum ./\n"
       "COPY . .\n"
       "FROM scratch\n"
       "COPY --from=build /out /out\n"},
      {"src/cart/.dockerignore", "*.md\n!README.md\ntestdata\n"},
      {"src/cart/go.mod", "module cart\n"},
      {"src/cart/main.go", "package main\n"},
      {"src/billing/Dockerfile", "FROM python:3.12\nCOPY requirements.txt .\nCOPY ../outside /x\n"},
      {"src/billing/requirements.txt", "flask\n"},
  });
}

TEST(InferConfigTest, ComposeWithSharedDockerfileArgsAndDockerignore) {
  Inferred inferred = infer_ok(compose_repo());
  Strings names;
  for (const auto& service : inferred.services) names.push_back(service.name);
  EXPECT_EQ(names, (Strings{"api", "billing", "cart", "solo", "worker"}));  // db is image-only

  // A Dockerfile shared by api and worker: a workspace input, and the
  // services' paths are what it copies with their SERVICE arg.
  const Component* api = find(inferred.services, "api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->paths, (Strings{".dockerignore", "libs/shared", "package.json", "services/api", "yarn.lock"}));
  // generated/ matches no file: a build output, left out with a warning.
  EXPECT_TRUE(has_warning(inferred, "infra/node.Dockerfile:7: COPY source generated")) << ::testing::PrintToString(inferred.warnings);
  // The .dockerignore's excludes, except the Dockerfile itself (always read by the builder).
  EXPECT_EQ(api->exclude, (Strings{"**/*.md", "node_modules"}));
  EXPECT_EQ(find(inferred.services, "worker")->paths,
            (Strings{".dockerignore", "libs/shared", "package.json", "services/worker", "yarn.lock"}));
  bool shared_input = false;
  for (const auto& input : inferred.inputs) {
    if (input.path == "infra/node.Dockerfile") {
      shared_input = true;
      EXPECT_EQ(input.why, "Dockerfile of api, worker");
    }
  }
  EXPECT_TRUE(shared_input);
  EXPECT_EQ(api->origin.front(), "from docker-compose.yml:9 (build.context .)");

  const Component* cart = find(inferred.services, "cart");
  ASSERT_NE(cart, nullptr);
  EXPECT_EQ(cart->paths, (Strings{"src/cart"}));
  // The negation reopens README.md, so *.md cannot be excluded; testdata can.
  EXPECT_EQ(cart->exclude, (Strings{"src/cart/testdata"}));
  EXPECT_TRUE(has_warning(inferred, "src/cart/.dockerignore:2:"));

  const Component* billing = find(inferred.services, "billing");
  ASSERT_NE(billing, nullptr);  // from .env interpolation
  EXPECT_EQ(billing->paths, (Strings{"src/billing"}));
  EXPECT_TRUE(has_warning(inferred, "src/billing/Dockerfile:3:"));

  // infra/solo.Dockerfile lives among other files: infra is not solo's own directory.
  const Component* solo = find(inferred.services, "solo");
  ASSERT_NE(solo, nullptr);
  EXPECT_EQ(solo->paths, (Strings{".dockerignore", "infra/solo.Dockerfile", "services/solo"}));
  expect_loads(inferred);
}

TEST(InferConfigTest, ACorruptComposeFileIsAWarningAndTheRestIsInferred) {
  fs::MemorySourceTree tree = compose_repo();
  tree.put("tools/docker-compose.yaml", "services:\n  x:\n    build: {context: [\n");
  Inferred inferred = infer_ok(tree);
  EXPECT_EQ(inferred.services.size(), 5u);
  EXPECT_TRUE(has_warning(inferred, "tools/docker-compose.yaml:")) << ::testing::PrintToString(inferred.warnings);
}

TEST(InferConfigTest, SkaffoldNamesFromImagesWithDuplicatesNumbered) {
  fs::MemorySourceTree tree({
      {"skaffold.yaml",
       "apiVersion: skaffold/v4beta6\n"
       "build:\n"
       "  artifacts:\n"
       "    - image: gcr.io/one/api\n"
       "      context: one\n"
       "    - image: gcr.io/two/api:v2\n"
       "      context: two\n"
       "    - image: registry.example.com/@weird/Name_X\n"
       "      context: three\n"},
      {"one/Dockerfile", "FROM x\nCOPY . .\n"},
      {"two/Dockerfile", "FROM x\nCOPY . .\n"},
      {"three/Dockerfile", "FROM x\n"},
  });
  Inferred inferred = infer_ok(tree);
  Strings names;
  for (const auto& service : inferred.services) names.push_back(service.name);
  EXPECT_EQ(names, (Strings{"Name_X", "api", "api-2"}));
  EXPECT_EQ(find(inferred.services, "api")->paths, (Strings{"one"}));
  EXPECT_EQ(find(inferred.services, "api-2")->paths, (Strings{"two"}));
  EXPECT_TRUE(has_warning(inferred, "skaffold.yaml:6: the service name 'api' is inferred more than once"))
      << ::testing::PrintToString(inferred.warnings);
  expect_loads(inferred);
}

TEST(InferConfigTest, GoWorkModulesArePackagesAndAServiceGetsItsDeps) {
  fs::MemorySourceTree tree({
      {"go.work", "go 1.22\nuse (\n  ./cmd/api\n  ./lib/auth\n  ./lib/db\n)\n"},
      {"go.work.sum", ""},
      {"cmd/api/go.mod", "module example.com/api\nrequire example.com/auth v0.0.0\n"},
      {"cmd/api/Dockerfile", "FROM golang\nCOPY . .\n"},
      {"lib/auth/go.mod", "module example.com/auth\nreplace example.com/db => ../db\n"},
      {"lib/db/go.mod", "module example.com/db\n"},
      {"skaffold.yaml", "build:\n  artifacts:\n    - image: api\n      context: cmd/api\n"},
  });
  Inferred inferred = infer_ok(tree);
  ASSERT_EQ(inferred.services.size(), 1u);
  EXPECT_EQ(inferred.services[0].deps, (Strings{"auth"}));
  ASSERT_EQ(inferred.packages.size(), 2u);
  EXPECT_EQ(inferred.packages[0].name, "auth");
  EXPECT_EQ(inferred.packages[0].deps, (Strings{"db"}));
  EXPECT_EQ(inferred.packages[0].origin.front(), "from go.work:4 (use lib/auth)");
  expect_loads(inferred);
}

}  // namespace
}  // namespace wharf::infer
