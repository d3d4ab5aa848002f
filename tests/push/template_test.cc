#include "push/template.h"

#include <gtest/gtest.h>

namespace wharf::push {
namespace {

Artifact artifact(std::string kind) {
  Artifact a;
  a.service = "api";
  a.environment = "prod";
  a.kind = std::move(kind);
  a.sha = "0123456789abcdef0123456789abcdef01234567";
  a.short_sha = "0123456";
  a.key = "feedface";
  a.digest = "sha256:" + std::string(64, 'e');
  a.tags = {"v1.2", "latest"};
  return a;
}

TEST(ExpandTemplate, FillsEveryPlaceholder) {
  auto out = expand_template("{env}/{service}/{sha}/{short_sha}/{key}/{digest}/{tag}/{kind}.{ext}", artifact("zip"));
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, "prod/api/0123456789abcdef0123456789abcdef01234567/0123456/feedface/" + std::string(64, 'e') +
                      "/v1.2/zip.zip");
}

TEST(ExpandTemplate, AnImageHasNoExtension) {
  auto out = expand_template("{service}-{tag}{ext}", artifact("image"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "api-v1.2");
}

TEST(ExpandTemplate, OtherBracesAreText) {
  auto out = expand_template("a{b{-}{}{{service}}", artifact("zip"));
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, "a{b{-}{}{api}");
}

TEST(ExpandTemplate, AnUnknownPlaceholderIsAConfigErrorNamingIt) {
  auto out = expand_template("/srv/{service}/{branch}.zip", artifact("zip"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().kind, ErrorKind::config);
  EXPECT_NE(out.error().message.find("{branch}"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("service api"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("{short_sha}"), std::string::npos) << out.error().message;  // the known ones
  EXPECT_EQ(unknown_placeholder("/srv/{Service}"), "Service");
  EXPECT_EQ(unknown_placeholder("/srv/{service}/{digest}"), std::nullopt);
}

}  // namespace
}  // namespace wharf::push
