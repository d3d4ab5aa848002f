// The registry pusher behind a fault-injecting proxy: 500s and 429s are
// retried (Retry-After honoured), a connection dropped mid-upload restarts
// the upload, and a blob that keeps failing fails the push with no manifest
// and no tag at the registry.
#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "push/registry_pusher.h"
#include "tests/push/registry_test_support.h"
#include "tests/testing/assert_result.h"

namespace wharf::testing {
namespace {

class RegistryFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!registry_available() || !skopeo_available()) GTEST_SKIP() << "docker-registry or skopeo is not installed";
    registry_ = std::make_unique<RegistryServer>(dir_.path());
    proxy_ = std::make_unique<FaultProxy>(dir_.path(), registry_->address());
    digest_ = make_oci_layout(dir_.path() + "/img", "v1", "fault", {1000, 400'000});
  }

  Result<push::Pushed> push_image(push::RegistryOptions options) {
    return push::make_registry_pusher(target_at(proxy_->address(), "acme/api"), std::move(options))
        ->push(image_artifact(dir_.path() + "/img", digest_), nullptr);
  }

  TempDir dir_;
  std::unique_ptr<RegistryServer> registry_;
  std::unique_ptr<FaultProxy> proxy_;
  std::string digest_;
  TestOptions test_;
};

TEST_F(RegistryFaultTest, ServerErrorsAreRetriedWithBackoff) {
  proxy_->set_faults(R"([{"method": "HEAD", "path": "/blobs/", "times": 2, "action": "503"},
                         {"method": "PUT", "path": "/blobs/uploads/", "times": 2, "action": "500"},
                         {"method": "PUT", "path": "/manifests/", "times": 1, "action": "502"}])");
  ASSERT_OK_AND_ASSIGN(auto pushed, push_image(test_.options()));
  EXPECT_EQ(pushed.digest, digest_);
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1"), digest_);
  EXPECT_GE(test_.sleeps->size(), 3u);
  for (auto d : *test_.sleeps) EXPECT_LE(d, std::chrono::seconds(10));
  // The failed PUTs restarted their upload sessions.
  EXPECT_GE(proxy_->count("POST upload-start"), 5) << proxy_->stats();
}

TEST_F(RegistryFaultTest, TooManyRequestsWaitsForRetryAfter) {
  proxy_->set_faults(R"([{"method": "HEAD", "path": "/blobs/", "times": 1, "action": "429", "retry_after": 3}])");
  ASSERT_OK_AND_ASSIGN(auto pushed, push_image(test_.options()));
  EXPECT_EQ(pushed.digest, digest_);
  ASSERT_FALSE(test_.sleeps->empty());
  EXPECT_GE(*std::max_element(test_.sleeps->begin(), test_.sleeps->end()), std::chrono::seconds(3));
}

TEST_F(RegistryFaultTest, AConnectionDroppedMidUploadStartsTheUploadAgain) {
  proxy_->set_faults(R"([{"method": "PUT", "path": "/blobs/uploads/", "times": 1, "action": "drop"}])");
  ASSERT_OK_AND_ASSIGN(auto pushed, push_image(test_.options()));
  EXPECT_EQ(pushed.digest, digest_);
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1"), digest_);
  // The dropped PUT went again: libcurl resends a request whose reused
  // connection died before any answer, else the pusher restarts the session.
  EXPECT_EQ(proxy_->count("PUT upload"), 4) << proxy_->stats();
}

TEST_F(RegistryFaultTest, ADroppedChunkStartsTheChunkedUploadAgain) {
  proxy_->set_faults(R"([{"method": "PATCH", "path": "/blobs/uploads/", "nth": 3, "times": 1, "action": "drop"}])");
  auto options = test_.options();
  options.chunk_size = 100'000;
  ASSERT_OK_AND_ASSIGN(auto pushed, push_image(options));
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1"), digest_);
  EXPECT_GE(proxy_->count("PATCH upload"), 6) << proxy_->stats();  // 5 chunks, one twice (or all again)
}

TEST_F(RegistryFaultTest, ABlobThatKeepsFailingLeavesNoManifestAndNoTag) {
  proxy_->set_faults(R"([{"method": "PUT", "path": "/blobs/uploads/", "times": 0, "action": "500"}])");
  auto options = test_.options();
  options.max_attempts = 3;
  auto result = push_image(options);
  ASSERT_FALSE(result.has_value());
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("service api"), std::string::npos) << message;
  EXPECT_NE(message.find(proxy_->address() + "/acme/api"), std::string::npos) << message;
  EXPECT_NE(message.find("PUT /v2/acme/api/blobs/uploads/"), std::string::npos) << message;
  EXPECT_NE(message.find("500 UNKNOWN: injected 500"), std::string::npos) << message;
  EXPECT_EQ(message.find("_state"), std::string::npos) << "no query in messages: " << message;
  EXPECT_EQ(proxy_->count("PUT manifest"), 0) << proxy_->stats();
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1"), "");
  const std::string direct = "http://" + registry_->address() + "/v2/acme/api";
  EXPECT_EQ(http_code("-I -H 'Accept: application/vnd.oci.image.manifest.v1+json' " + direct + "/manifests/" +
                      digest_),
            "404");
  EXPECT_EQ(http_code(direct + "/tags/list"), "404");
}

}  // namespace
}  // namespace wharf::testing
