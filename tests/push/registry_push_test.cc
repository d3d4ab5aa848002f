// The registry pusher against a real docker-registry (distribution 2.8):
// what it pushes is what skopeo reads back, a second push only asks, a zip
// goes up as an OCI artifact, blobs are mounted between repositories, large
// blobs go up in chunks.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "push/registry_pusher.h"
#include "tests/push/registry_test_support.h"
#include "tests/testing/assert_result.h"

namespace wharf::testing {
namespace {

TEST(RegistryPushTest, PushesAnImageThatSkopeoReadsBackWithTheSameDigest) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "a", {1000, 200'000});
  TestOptions test;
  auto pusher = push::make_registry_pusher(target_at(registry.address(), "acme/api"), test.options());
  EXPECT_EQ(pusher->kind(), "registry");
  ASSERT_OK_AND_ASSIGN(auto pushed, pusher->push(image_artifact(dir.path() + "/img", digest, {"abc123", "latest"}),
                                                 nullptr));
  EXPECT_EQ(pushed.digest, digest);
  EXPECT_EQ(pushed.tag, "abc123");
  EXPECT_EQ(pushed.location, registry.address() + "/acme/api@" + digest);
  EXPECT_GT(pushed.bytes_sent, 200'000u);
  EXPECT_EQ(pushed.bytes_present, 0u);
  EXPECT_FALSE(pushed.already_there);
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/api:abc123"), digest);
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/api:latest"), digest);

  int status = 1;
  run_command("skopeo copy --src-tls-verify=false " + shell_quote("docker://" + registry.address() + "/acme/api:abc123") +
                  " " + shell_quote("oci:" + dir.path() + "/back:v1") + " >/dev/null 2>&1",
              &status);
  ASSERT_EQ(status, 0);
  auto back = nlohmann::json::parse(run_command("skopeo inspect " + shell_quote("oci:" + dir.path() + "/back:v1")));
  EXPECT_EQ(back["Digest"], digest);
}

TEST(RegistryPushTest, ASecondPushSendsNoBytesAndOnlyHeadRequests) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  FaultProxy proxy(dir.path(), registry.address());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "b", {1000, 50'000});
  TestOptions test;
  auto artifact = image_artifact(dir.path() + "/img", digest, {"abc123", "latest"});
  ASSERT_OK_AND_ASSIGN(auto first, push::make_registry_pusher(target_at(proxy.address(), "acme/api"), test.options())
                                       ->push(artifact, nullptr));
  EXPECT_GT(proxy.count("bytes_in"), 50'000);
  proxy.reset();

  // A new pusher, as a later `wharf deploy` makes.
  ASSERT_OK_AND_ASSIGN(auto second, push::make_registry_pusher(target_at(proxy.address(), "acme/api"), test.options())
                                        ->push(artifact, nullptr));
  EXPECT_EQ(second.digest, digest);
  EXPECT_TRUE(second.already_there);
  EXPECT_EQ(second.bytes_sent, 0u);
  EXPECT_GT(second.bytes_present, 50'000u);
  EXPECT_GT(first.bytes_sent, 50'000u);
  EXPECT_EQ(second.requests, 5u);  // 3 blobs + 2 tags
  auto stats = nlohmann::json::parse(proxy.stats());
  EXPECT_EQ(stats.value("HEAD blob", 0), 3) << stats.dump();
  EXPECT_EQ(stats.value("HEAD manifest", 0), 2) << stats.dump();
  EXPECT_EQ(stats.size(), 3u) << "only HEADs expected: " << stats.dump();  // + bytes_in
  EXPECT_EQ(stats.value("bytes_in", -1), 0);
}

TEST(RegistryPushTest, MovesOnlyTheTagThatDoesNotPointAtTheDigest) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  FaultProxy proxy(dir.path(), registry.address());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "c", {1000});
  TestOptions test;
  auto pusher = push::make_registry_pusher(target_at(proxy.address(), "acme/api"), test.options());
  ASSERT_TRUE(pusher->push(image_artifact(dir.path() + "/img", digest, {"one"}), nullptr).has_value());
  proxy.reset();
  ASSERT_OK_AND_ASSIGN(auto pushed, pusher->push(image_artifact(dir.path() + "/img", digest, {"one", "two"}), nullptr));
  EXPECT_TRUE(pushed.already_there);
  EXPECT_EQ(proxy.count("PUT manifest"), 1) << proxy.stats();
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/api:two"), digest);
}

TEST(RegistryPushTest, PreviewCountsMissingBytesAndSaysWhenComplete) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "d", {30'000});
  TestOptions test;
  auto pusher = push::make_registry_pusher(target_at(registry.address(), "acme/api"), test.options());
  auto artifact = image_artifact(dir.path() + "/img", digest);
  ASSERT_OK_AND_ASSIGN(auto before, pusher->preview(artifact));
  EXPECT_GT(before.bytes_to_send, 30'000u);
  EXPECT_FALSE(before.complete);
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/api:v1"), "") << "preview must not push";
  ASSERT_OK_AND_ASSIGN(auto pushed, pusher->push(artifact, nullptr));
  EXPECT_EQ(pushed.bytes_sent, before.bytes_to_send);
  ASSERT_OK_AND_ASSIGN(auto after, pusher->preview(artifact));
  EXPECT_EQ(after.bytes_to_send, 0u);
  EXPECT_TRUE(after.complete);
  EXPECT_EQ(after.location, pushed.location);
}

TEST(RegistryPushTest, PushesAZipAsAnOciArtifact) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  const std::string zip = dir.path() + "/api.zip";
  run_command("head -c 70000 /dev/urandom > " + shell_quote(zip));
  push::Artifact artifact;
  artifact.service = "api";
  artifact.kind = "zip";
  artifact.path = zip;
  artifact.media_type = "application/zip";
  artifact.tags = {"abc123"};
  TestOptions test;
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(registry.address(), "acme/lambda"),
                                                                test.options())
                                        ->push(artifact, nullptr));
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/lambda:abc123"), pushed.digest);
  auto manifest = nlohmann::json::parse(run_command("skopeo inspect --raw --tls-verify=false " +
                                                    shell_quote("docker://" + registry.address() + "/acme/lambda:abc123")));
  EXPECT_EQ(manifest["artifactType"], "application/vnd.wharf.zip.v1");
  EXPECT_EQ(manifest["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
  ASSERT_EQ(manifest["layers"].size(), 1u);
  EXPECT_EQ(manifest["layers"][0]["mediaType"], "application/zip");
  const std::string layer = manifest["layers"][0]["digest"];
  EXPECT_EQ(layer, "sha256:" + run_command("sha256sum " + shell_quote(zip)).substr(0, 64));
  run_command("curl -fsS -o " + shell_quote(dir.path() + "/back.zip") + " http://" + registry.address() +
              "/v2/acme/lambda/blobs/" + layer);
  int status = 1;
  run_command("cmp " + shell_quote(zip) + " " + shell_quote(dir.path() + "/back.zip"), &status);
  EXPECT_EQ(status, 0);
}

TEST(RegistryPushTest, MountsBlobsFromASiblingRepositoryInsteadOfUploading) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  FaultProxy proxy(dir.path(), registry.address());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "e", {1000, 80'000});
  TestOptions test;
  auto artifact = image_artifact(dir.path() + "/img", digest);
  ASSERT_TRUE(push::make_registry_pusher(target_at(proxy.address(), "acme/api"), test.options())
                  ->push(artifact, nullptr)
                  .has_value());
  proxy.reset();
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(proxy.address(), "acme/worker"),
                                                                test.options())
                                        ->push(artifact, nullptr));
  EXPECT_EQ(pushed.digest, digest);
  EXPECT_EQ(proxy.count("POST upload-start"), 3) << proxy.stats();  // one mount per blob
  EXPECT_EQ(proxy.count("PUT upload"), 0) << proxy.stats();
  EXPECT_EQ(proxy.count("PATCH upload"), 0) << proxy.stats();
  EXPECT_LT(pushed.bytes_sent, 2000u);  // the manifest only
  EXPECT_GT(pushed.bytes_present, 80'000u);
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/worker:v1"), digest);
}

TEST(RegistryPushTest, LargeBlobsGoUpInChunksWithRelativeLocations) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryConfig config;
  config.relative_urls = true;
  RegistryServer registry(dir.path(), config);
  FaultProxy proxy(dir.path(), registry.address());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "f", {300'000});
  TestOptions test;
  auto options = test.options();
  options.chunk_size = 64 << 10;
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(proxy.address(), "acme/api"), options)
                                        ->push(image_artifact(dir.path() + "/img", digest), nullptr));
  EXPECT_EQ(pushed.digest, digest);
  EXPECT_GE(proxy.count("PATCH upload"), 5) << proxy.stats();
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/api:v1"), digest);
}

TEST(RegistryPushTest, PushesAMultiPlatformIndexAfterItsManifests) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "index", {1000, 20'000}, /*index=*/true);
  TestOptions test;
  auto target = target_at(registry.address(), "acme/multi");
  auto artifact = image_artifact(dir.path() + "/img", digest);
  artifact.media_type = "application/vnd.oci.image.index.v1+json";
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target, test.options())->push(artifact, nullptr));
  EXPECT_EQ(pushed.digest, digest);
  EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/multi:v1"), digest);
  auto index = nlohmann::json::parse(run_command("skopeo inspect --raw --tls-verify=false " +
                                                 shell_quote("docker://" + registry.address() + "/acme/multi:v1")));
  ASSERT_EQ(index["manifests"].size(), 2u);
  for (const auto& child : index["manifests"]) {
    const std::string child_digest = child["digest"];
    EXPECT_EQ(registry_manifest_digest(registry.address(), "acme/multi@" + child_digest), child_digest);
  }
  // And back: the index and both manifests land in the layout.
  ASSERT_OK_AND_ASSIGN(auto pulled, push::pull_image(target, "v1", dir.path() + "/pulled", test.options()));
  EXPECT_EQ(pulled, digest);
  EXPECT_EQ(run_command("ls " + shell_quote(dir.path() + "/pulled/blobs/sha256") + " | wc -l"), "7\n");
  auto again = push::make_registry_pusher(target, test.options())->push(image_artifact(dir.path() + "/pulled", digest), nullptr);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->bytes_sent, 0u);
}

TEST(RegistryPushTest, RefusesALayoutWhoseManifestIsNotTheBuiltDigest) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  make_oci_layout(dir.path() + "/img", "v1", "g", {100});
  TestOptions test;
  auto result = push::make_registry_pusher(target_at(registry.address(), "acme/api"), test.options())
                    ->push(image_artifact(dir.path() + "/img", "sha256:" + std::string(64, '0')), nullptr);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::corrupt);
  EXPECT_NE(result.error().message.find("service api"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace wharf::testing
