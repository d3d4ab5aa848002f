// Registry auth against real servers: htpasswd Basic auth with credentials
// from environment variables, a docker config.json and a credential helper;
// the Bearer-token flow with a token server. Wrong credentials give a clear
// error that never holds the password or a token.
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "push/registry_auth.h"
#include "push/registry_pusher.h"
#include "tests/push/registry_test_support.h"
#include "tests/testing/assert_result.h"

namespace wharf::testing {
namespace {

constexpr const char* kUser = "deployer";
constexpr const char* kPassword = "s3cret-Pa55word";

class RegistryBasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!registry_available() || !skopeo_available()) GTEST_SKIP() << "docker-registry or skopeo is not installed";
    RegistryConfig config;
    config.htpasswd_user = kUser;
    config.htpasswd_password = kPassword;
    registry_ = std::make_unique<RegistryServer>(dir_.path(), config);
    digest_ = make_oci_layout(dir_.path() + "/img", "v1", "auth", {2000});
  }

  TempDir dir_;
  std::unique_ptr<RegistryServer> registry_;
  std::string digest_;
  TestOptions test_;
};

TEST_F(RegistryBasicAuthTest, CredentialsFromEnvironmentVariables) {
  auto target = target_at(registry_->address(), "acme/api");
  target.user_env = "REG_USER";
  target.password_env = "REG_PASS";
  (*test_.env)["REG_USER"] = kUser;
  (*test_.env)["REG_PASS"] = kPassword;
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target, test_.options())
                                        ->push(image_artifact(dir_.path() + "/img", digest_), nullptr));
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1", std::string(kUser) + ":" + kPassword),
            digest_);
  EXPECT_EQ(pushed.digest, digest_);
}

TEST_F(RegistryBasicAuthTest, CredentialsFromDockerConfig) {
  const std::string config = dir_.path() + "/config.json";
  std::ofstream(config) << R"({"auths": {"http://)" << registry_->address() << R"(": {"auth": ")"
                        << push::base64_encode(std::string(kUser) + ":" + kPassword) << R"("}}})";
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(registry_->address(), "acme/api"),
                                                                test_.options(config))
                                        ->push(image_artifact(dir_.path() + "/img", digest_), nullptr));
  EXPECT_EQ(pushed.digest, digest_);
}

TEST_F(RegistryBasicAuthTest, CredentialsFromACredentialHelper) {
  const std::string bin = dir_.path() + "/bin";
  mkdir(bin.c_str(), 0755);
  // A helper that answers only for this registry, as docker's do.
  std::ofstream(bin + "/docker-credential-wharftest")
      << "#!/bin/sh\nread reg\n[ \"$1\" = get ] && [ \"$reg\" = \"" << registry_->address()
      << "\" ] || { echo 'credentials not found' ; exit 1; }\n"
      << "printf '{\"ServerURL\":\"%s\",\"Username\":\"" << kUser << "\",\"Secret\":\"" << kPassword
      << "\"}' \"$reg\"\n";
  chmod((bin + "/docker-credential-wharftest").c_str(), 0755);
  const std::string config = dir_.path() + "/config.json";
  std::ofstream(config) << R"({"credHelpers": {")" << registry_->address() << R"(": "wharftest"}})";
  (*test_.env)["PATH"] = bin + ":/usr/bin:/bin";
  ASSERT_OK_AND_ASSIGN(auto pushed, push::make_registry_pusher(target_at(registry_->address(), "acme/api"),
                                                                test_.options(config))
                                        ->push(image_artifact(dir_.path() + "/img", digest_), nullptr));
  EXPECT_EQ(pushed.digest, digest_);
}

TEST_F(RegistryBasicAuthTest, WrongPasswordIsAClearErrorWithoutThePassword) {
  auto target = target_at(registry_->address(), "acme/api");
  target.user_env = "REG_USER";
  target.password_env = "REG_PASS";
  (*test_.env)["REG_USER"] = kUser;
  (*test_.env)["REG_PASS"] = "wrong-Pa55word-xyz";
  auto result = push::make_registry_pusher(target, test_.options())
                    ->push(image_artifact(dir_.path() + "/img", digest_), nullptr);
  ASSERT_FALSE(result.has_value());
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("service api"), std::string::npos) << message;
  EXPECT_NE(message.find(registry_->address() + "/acme/api"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_NE(message.find("UNAUTHORIZED"), std::string::npos) << message;
  EXPECT_NE(message.find("REG_USER"), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-Pa55word-xyz"), std::string::npos) << message;
  EXPECT_EQ(message.find(push::base64_encode(std::string(kUser) + ":wrong-Pa55word-xyz")), std::string::npos);
}

TEST_F(RegistryBasicAuthTest, AnUnsetVariableIsNamed) {
  auto target = target_at(registry_->address(), "acme/api");
  target.user_env = "REG_USER";
  target.password_env = "REG_PASS";
  (*test_.env)["REG_USER"] = kUser;
  auto result = push::make_registry_pusher(target, test_.options())
                    ->push(image_artifact(dir_.path() + "/img", digest_), nullptr);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::config);
  EXPECT_NE(result.error().message.find("REG_PASS"), std::string::npos) << result.error().message;
}

class RegistryTokenAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!registry_available() || !skopeo_available()) GTEST_SKIP() << "docker-registry or skopeo is not installed";
    if (!token_server_available()) GTEST_SKIP() << "python3-jwt / python3-cryptography / openssl not installed";
    tokens_ = std::make_unique<TokenServer>(dir_.path(), kUser, kPassword);
    RegistryConfig config;
    config.token_realm = tokens_->realm();
    config.token_cert = tokens_->cert();
    registry_ = std::make_unique<RegistryServer>(dir_.path(), config);
    digest_ = make_oci_layout(dir_.path() + "/img", "v1", "token", {2000, 3000});
  }

  push::RegistryTarget target(const std::string& address, const std::string& password) {
    auto t = target_at(address, "acme/api");
    t.user_env = "REG_USER";
    t.password_env = "REG_PASS";
    (*test_.env)["REG_USER"] = kUser;
    (*test_.env)["REG_PASS"] = password;
    return t;
  }

  int tokens_issued() {
    return nlohmann::json::parse(run_command("curl -fsS http://" + tokens_->address() + "/_stats"))["tokens"];
  }

  TempDir dir_;
  std::unique_ptr<TokenServer> tokens_;
  std::unique_ptr<RegistryServer> registry_;
  std::string digest_;
  TestOptions test_;
};

TEST_F(RegistryTokenAuthTest, GetsATokenFromTheChallengeAndPushes) {
  auto pusher = push::make_registry_pusher(target(registry_->address(), kPassword), test_.options());
  ASSERT_OK_AND_ASSIGN(auto pushed, pusher->push(image_artifact(dir_.path() + "/img", digest_), nullptr));
  EXPECT_EQ(pushed.digest, digest_);
  EXPECT_EQ(tokens_issued(), 1);  // one token served the whole push
  // The pusher keeps its token: a second push asks for none.
  ASSERT_OK_AND_ASSIGN(auto again, pusher->push(image_artifact(dir_.path() + "/img", digest_), nullptr));
  EXPECT_TRUE(again.already_there);
  EXPECT_EQ(tokens_issued(), 1);
  EXPECT_EQ(registry_manifest_digest(registry_->address(), "acme/api:v1", std::string(kUser) + ":" + kPassword),
            digest_);
}

TEST_F(RegistryTokenAuthTest, WrongCredentialsNameTheTokenServerNotThePassword) {
  auto result = push::make_registry_pusher(target(registry_->address(), "bad-Pa55-token"), test_.options())
                    ->push(image_artifact(dir_.path() + "/img", digest_), nullptr);
  ASSERT_FALSE(result.has_value());
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("token server"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_NE(message.find("user deployer"), std::string::npos) << message;
  EXPECT_EQ(message.find("bad-Pa55-token"), std::string::npos) << message;
}

TEST_F(RegistryTokenAuthTest, ErrorsAfterATokenWasIssuedDoNotHoldIt) {
  FaultProxy proxy(dir_.path(), registry_->address());
  proxy.set_faults(R"([{"method": "PUT", "path": "/manifests/", "times": 0, "action": "500"}])");
  auto options = test_.options();
  options.max_attempts = 2;
  auto result = push::make_registry_pusher(target(proxy.address(), kPassword), options)
                    ->push(image_artifact(dir_.path() + "/img", digest_), nullptr);
  ASSERT_FALSE(result.has_value());
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("PUT /v2/acme/api/manifests/v1"), std::string::npos) << message;
  EXPECT_NE(message.find("injected 500"), std::string::npos) << message;
  EXPECT_GE(tokens_issued(), 1);
  EXPECT_EQ(message.find("eyJ"), std::string::npos) << message;  // a JWT starts so
  EXPECT_EQ(message.find(kPassword), std::string::npos) << message;
}

TEST(RegistryChallengeTest, ParsesQuotedParameters) {
  auto c = push::parse_challenge(
      R"(Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push")");
  EXPECT_EQ(c.scheme, "bearer");
  EXPECT_EQ(c.params["realm"], "https://auth.example/token");
  EXPECT_EQ(c.params["service"], "reg.example");
  EXPECT_EQ(c.params["scope"], "repository:a/b:pull,push");
  EXPECT_EQ(push::parse_challenge(R"(Basic realm="test-realm")").scheme, "basic");
  EXPECT_EQ(push::base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(push::base64_decode("dXNlcjpwYXNz").value(), "user:pass");
}

}  // namespace
}  // namespace wharf::testing
