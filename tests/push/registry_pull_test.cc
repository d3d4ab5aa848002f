// pull_image: an image pushed to a real registry comes back as an OCI image
// layout that skopeo and umoci accept, with the same manifest digest.
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "push/registry_pusher.h"
#include "tests/push/registry_test_support.h"
#include "tests/testing/assert_result.h"

namespace wharf::testing {
namespace {

TEST(RegistryPullTest, PullsAPushedImageIntoALayoutOthersAccept) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "pull", {1000, 90'000});
  TestOptions test;
  auto target = target_at(registry.address(), "acme/base");
  ASSERT_TRUE(push::make_registry_pusher(target, test.options())
                  ->push(image_artifact(dir.path() + "/img", digest, {"1.0"}), nullptr)
                  .has_value());

  ASSERT_OK_AND_ASSIGN(auto pulled, push::pull_image(target, "1.0", dir.path() + "/pulled", test.options()));
  EXPECT_EQ(pulled, digest);
  auto inspected = nlohmann::json::parse(run_command("skopeo inspect " + shell_quote("oci:" + dir.path() + "/pulled:1.0")));
  EXPECT_EQ(inspected["Digest"], digest);
  if (access("/usr/bin/umoci", X_OK) == 0) {
    int status = 1;
    run_command("umoci stat --image " + shell_quote(dir.path() + "/pulled:1.0") + " >/dev/null 2>&1", &status);
    EXPECT_EQ(status, 0);
  }
  // Again by digest, over the first one.
  ASSERT_OK_AND_ASSIGN(auto again, push::pull_image(target, digest, dir.path() + "/pulled", test.options()));
  EXPECT_EQ(again, digest);
  EXPECT_EQ(run_command("ls " + shell_quote(dir.path() + "/pulled/blobs/sha256") + " | wc -l"), "4\n");
}

TEST(RegistryPullTest, AnUnknownTagIsNotFound) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  TestOptions test;
  auto result = push::pull_image(target_at(registry.address(), "acme/none"), "2.0", dir.path() + "/pulled",
                                 test.options());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::not_found);
  EXPECT_NE(result.error().message.find("acme/none:2.0"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("404"), std::string::npos) << result.error().message;
  EXPECT_EQ(access((dir.path() + "/pulled").c_str(), F_OK), -1);
}

TEST(RegistryPullTest, APushAfterAPullMountsFromThePulledRepository) {
  WHARF_SKIP_WITHOUT_REGISTRY();
  TempDir dir;
  RegistryServer registry(dir.path());
  FaultProxy proxy(dir.path(), registry.address());
  const std::string digest = make_oci_layout(dir.path() + "/img", "v1", "promote", {1000, 60'000});
  TestOptions test;
  // Another process pushed it (skopeo), so this one knows of it only by pulling.
  run_command("skopeo copy --dest-tls-verify=false " + shell_quote("oci:" + dir.path() + "/img:v1") + " " +
              shell_quote("docker://" + registry.address() + "/dev/api:v1") + " >/dev/null 2>&1");
  ASSERT_OK_AND_ASSIGN(auto pulled, push::pull_image(target_at(proxy.address(), "dev/api"), "v1",
                                                     dir.path() + "/pulled", test.options()));
  proxy.reset();
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(proxy.address(), "prod/api"), test.options())
                                        ->push(image_artifact(dir.path() + "/pulled", pulled), nullptr));
  EXPECT_EQ(pushed.digest, digest);
  EXPECT_EQ(proxy.count("PUT upload"), 0) << proxy.stats();
  EXPECT_EQ(registry_manifest_digest(registry.address(), "prod/api:v1"), digest);
}

}  // namespace
}  // namespace wharf::testing
