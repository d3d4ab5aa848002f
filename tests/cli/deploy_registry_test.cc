// End to end: `wharf deploy` of images to a real docker-registry (through
// the counting proxy of tests/testing/fault_proxy.py), judged by skopeo;
// an unchanged image deployed to another environment sends no blob, and a
// promotion between repositories of one registry moves the same digest.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/report_json.h"
#include "tests/testing/git_repo.h"
#include "tests/testing/registry_server.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using nlohmann::json;
using testing::shell_quote;
using testing::run_line;  // the output without its trailing newlines

std::string config(const std::string& registry) {
  return R"(
[service.web]
paths = ["services/web", "vendor"]
[service.web.image]
entrypoint = ["/app/server"]
[[service.web.image.layers]]
name = "deps"
files = [{ from = "vendor", to = "app/vendor" }]
[[service.web.image.layers]]
name = "code"
files = [{ from = "services/web", to = "app" }]

[service.worker]
paths = ["services/worker", "vendor"]
[service.worker.image]
cmd = ["/app/worker"]
[[service.worker.image.layers]]
name = "deps"
files = [{ from = "vendor", to = "app/vendor" }]
[[service.worker.image.layers]]
name = "code"
files = [{ from = "services/worker", to = "app" }]

[environment.dev]
source = "ledger"
[environment.dev.push]
to = "registry"
registry = ")" + registry + R"("
insecure = true
repository = "dev/{service}"

[environment.qa]
source = "ledger"
[environment.qa.push]
to = "registry"
registry = ")" + registry + R"("
insecure = true
repository = "dev/{service}"
tags = ["qa-{short_sha}"]

[environment.prod]
source = "ledger"
tag = "prod-{sha7}"
[environment.prod.push]
to = "registry"
registry = ")" + registry + R"("
insecure = true
repository = "prod/{service}"
)";
}

class DeployRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::registry_available() || !testing::skopeo_available()) {
      GTEST_SKIP() << "docker-registry or skopeo is not installed (apt-get install docker-registry skopeo)";
    }
    std::filesystem::create_directories(dir_.path() + "/registry");
    std::filesystem::create_directories(dir_.path() + "/proxy");
    registry_ = std::make_unique<testing::RegistryServer>(dir_.path() + "/registry");
    proxy_ = std::make_unique<testing::FaultProxy>(dir_.path() + "/proxy", registry_->address());
    repo_.write("wharf.toml", config(proxy_->address()));
    // Incompressible, so the layer that carries it is as big as it is.
    std::mt19937 random(7);
    std::string vendor(200'000, '\0');
    for (char& c : vendor) c = static_cast<char>(random());
    repo_.write("vendor/lib.bin", vendor);
    repo_.write("services/web/server", "web\n");
    repo_.write("services/worker/worker", "worker\n");
    repo_.commit("initial");
  }

  json Deploy(const std::string& args, int* status) {
    return json::parse(run_line("cd " + shell_quote(repo_.path()) + " && WHARF_INSECURE_REGISTRIES=" +
                                proxy_->address() + " " +
                                   shell_quote(testing::wharf_binary()) + " --cache-dir " +
                                   shell_quote(dir_.path() + "/cache") + " " + args + " --json 2>" +
                                   shell_quote(dir_.path() + "/stderr") + " </dev/null",
                               status));
  }
  std::string Stderr() { return run_line("cat " + shell_quote(dir_.path() + "/stderr")); }
  // The manifest digest the registry serves for repo:tag, by skopeo.
  std::string Inspect(const std::string& reference) {
    return run_line("skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://" + registry_->address() +
                       "/" + reference);
  }
  std::string Short() { return run_line("git -C " + shell_quote(repo_.path()) + " rev-parse --short HEAD"); }

  testing::TempDir dir_;
  testing::GitRepo repo_;
  std::unique_ptr<testing::RegistryServer> registry_;
  std::unique_ptr<testing::FaultProxy> proxy_;
};

TEST_F(DeployRegistryTest, ImagesArriveWithTheirDigestAndAnUnchangedOneSendsNoBlob) {
  int status = -1;
  json dev = Deploy("deploy --env dev", &status);
  ASSERT_EQ(status, 0) << Stderr();
  const std::string tag = Short().substr(0, 7);
  for (const char* name : {"web", "worker"}) {
    const json& s = testing::service_in(dev, name);
    EXPECT_EQ(s["status"], "pushed") << s.dump();
    EXPECT_EQ(Inspect(std::string("dev/") + name + ":" + tag), s["digest"]) << s.dump();
    EXPECT_NE(s["location"].get<std::string>().find("dev/" + std::string(name) + "@sha256:"), std::string::npos);
  }
  EXPECT_GT(dev["bytes_sent"].get<std::uint64_t>(), 200'000u);  // the shared vendor layer, at least once

  // qa: the same images (cache hits) to the same repositories under a new
  // tag: every blob is there, so only HEADs and the tags go.
  proxy_->reset();
  json qa = Deploy("deploy --env qa", &status);
  ASSERT_EQ(status, 0) << Stderr();
  EXPECT_EQ(testing::service_in(qa, "web")["build"], "hit");
  EXPECT_EQ(testing::service_in(qa, "web")["digest"], testing::service_in(dev, "web")["digest"]);
  EXPECT_EQ(proxy_->count("PATCH upload"), 0) << proxy_->stats();
  EXPECT_EQ(proxy_->count("PUT upload"), 0) << proxy_->stats();
  EXPECT_LT(qa["bytes_sent"].get<std::uint64_t>(), 10'000u) << qa.dump();  // manifests only
  EXPECT_EQ(Inspect("dev/web:qa-" + Short()), testing::service_in(dev, "web")["digest"]);
}

TEST_F(DeployRegistryTest, PromotionMovesTheTestedDigestToAnotherRepository) {
  int status = -1;
  json dev = Deploy("deploy --env dev", &status);
  ASSERT_EQ(status, 0) << Stderr();
  const std::string deployed = Short().substr(0, 7);
  repo_.write("services/web/server", "web v2, not tested\n");
  repo_.commit("web v2");
  proxy_->reset();
  json prod = Deploy("promote --from dev --to prod --force", &status);
  ASSERT_EQ(status, 0) << Stderr();
  // The blobs are mounted from dev's repositories (the ledger says where
  // they went): only the manifests travel.
  EXPECT_EQ(proxy_->count("PATCH upload"), 0) << proxy_->stats();
  EXPECT_LT(prod["bytes_sent"].get<std::uint64_t>(), 10'000u) << prod.dump();
  for (const char* name : {"web", "worker"}) {
    EXPECT_EQ(testing::service_in(prod, name)["status"], "pushed");
    EXPECT_EQ(Inspect(std::string("prod/") + name + ":prod-" + deployed), testing::service_in(dev, name)["digest"]);
  }
}

TEST_F(DeployRegistryTest, ABaseImageInTheRegistryIsPulledOnceByDigest) {
  int status = -1;
  json dev = Deploy("deploy --env dev --services web", &status);
  ASSERT_EQ(status, 0) << Stderr();
  const std::string web = testing::service_in(dev, "web")["digest"];
  // worker now builds on web's image, named by digest.
  std::string toml = run_line("cat " + shell_quote(repo_.path() + "/wharf.toml"));
  const std::string base = "docker://" + proxy_->address() + "/dev/web@" + web;
  toml.replace(toml.find("[service.worker.image]\n"), std::string("[service.worker.image]\n").size(),
               "[service.worker.image]\nbase = \"" + base + "\"\n");
  repo_.write("wharf.toml", toml);
  repo_.commit("worker on web");
  proxy_->reset();
  json built = Deploy("build worker", &status);
  ASSERT_EQ(status, 0) << Stderr();
  EXPECT_GT(proxy_->count("GET blob"), 0) << proxy_->stats();
  // Its first layers are web's.
  const std::string layout = testing::service_in(built, "worker")["path"];
  const std::string layers = run_line("skopeo inspect --format '{{.Layers}}' oci:" + layout + ":" + Short());
  const std::string web_layers =
      run_line("skopeo inspect --tls-verify=false --format '{{.Layers}}' docker://" + registry_->address() +
               "/dev/web@" + web);
  EXPECT_EQ(layers.substr(0, web_layers.size() - 1), web_layers.substr(0, web_layers.size() - 1)) << layers;
  // A new key for worker (its code changes), the same base: not pulled again.
  repo_.write("services/worker/worker", "worker v2\n");
  repo_.commit("worker v2");
  proxy_->reset();
  Deploy("build worker", &status);
  ASSERT_EQ(status, 0) << Stderr();
  EXPECT_EQ(proxy_->count("GET blob"), 0) << proxy_->stats();
  EXPECT_EQ(proxy_->count("GET manifest"), 0) << proxy_->stats();
  // A base named by a tag is a config error: the key could not see it move.
  repo_.write("wharf.toml", run_line("cat " + shell_quote(repo_.path() + "/wharf.toml")).replace(
                                toml.find(base), base.size(), "docker://" + proxy_->address() + "/dev/web:latest"));
  repo_.commit("by tag");
  run_line("cd " + shell_quote(repo_.path()) + " && " + shell_quote(testing::wharf_binary()) + " build worker 2>" +
               shell_quote(dir_.path() + "/stderr"),
           &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(Stderr().find("must pin the image by digest"), std::string::npos) << Stderr();
}

}  // namespace
}  // namespace wharf
