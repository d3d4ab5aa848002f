#include "plan/live.h"

#include <gtest/gtest.h>

namespace wharf::plan {
namespace {

TEST(LiveTest, ParsesServiceToSha) {
  auto live = parse_live(R"({"api": "d99f8e842ae7acc2d22b17016710ec95f34c6a15", "ui": "d99f8e8"})", "dev.json");
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->at("ui"), "d99f8e8");
  EXPECT_EQ(live->size(), 2u);
}

TEST(LiveTest, ErrorsNameTheFileAndService) {
  auto bad_value = parse_live(R"({"api": 12})", "dev.json");
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_EQ(bad_value.error().kind, ErrorKind::config);
  EXPECT_NE(bad_value.error().message.find("dev.json: service 'api'"), std::string::npos);
  auto not_object = parse_live(R"(["a"])", "dev.json");
  ASSERT_FALSE(not_object.has_value());
  EXPECT_NE(not_object.error().message.find("dev.json: expected a JSON object"), std::string::npos);
  auto not_json = parse_live("{", "dev.json");
  ASSERT_FALSE(not_json.has_value());
  EXPECT_NE(not_json.error().message.find("dev.json: not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace wharf::plan
