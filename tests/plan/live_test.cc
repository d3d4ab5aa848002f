#include "plan/live.h"

#include <gtest/gtest.h>

#include <string>

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

// Issue 12: a 100,000-deep value overflowed the stack while the error
// message was built (SIGSEGV).
TEST(LiveTest, DeepNestingIsAShortErrorNotACrash) {
  const std::size_t depth = 100'000;
  std::string text = R"({"auth": )" + std::string(depth, '[') + std::string(depth, ']') + "}";
  auto live = parse_live(text, "dev.json");
  ASSERT_FALSE(live.has_value());
  EXPECT_EQ(live.error().kind, ErrorKind::config);
  EXPECT_NE(live.error().message.find("dev.json: nested deeper than 64 levels"), std::string::npos)
      << live.error().message;
  // Unbalanced (truncated) nesting is caught before the parser sees it too.
  auto truncated = parse_live(std::string(depth, '{'), "dev.json");
  ASSERT_FALSE(truncated.has_value());
  EXPECT_NE(truncated.error().message.find("nested deeper"), std::string::npos);
  // Brackets inside strings are not nesting.
  auto in_string = parse_live(
      R"({"api": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"["})", "dev.json");
  ASSERT_TRUE(in_string.has_value()) << in_string.error().message;
}

// Issue 12: a 10 MB string value produced a 20 MB error message.
TEST(LiveTest, ErrorMessagesQuoteHugeValuesCut) {
  const std::string huge(10 << 20, 'a');
  for (const std::string& text : {
           R"({"api": [")" + huge + R"("]})",         // a wrong type
           R"({"api": ")" + huge + R"("})",           // a revision too long to be one
           R"({")" + huge + R"(": "d99f8e8"})",       // a name too long
           R"({"api": ")" + huge + R"(" "x"})",       // invalid JSON after a huge token
           R"({"api": ")" + huge + "\x01" + R"("})",  // a raw control character in a huge string
       }) {
    auto live = parse_live(text, "dev.json");
    ASSERT_FALSE(live.has_value());
    EXPECT_EQ(live.error().kind, ErrorKind::config);
    EXPECT_LT(live.error().message.size(), 600u) << live.error().message.substr(0, 600);
    EXPECT_EQ(live.error().message.rfind("dev.json: ", 0), 0u) << live.error().message.substr(0, 600);
  }
}

TEST(LiveTest, ControlCharactersAndDuplicatesAreRejectedAndShownEscaped) {
  // A NUL would cut the revision short on its way to libgit2 ("HEAD\0x" -> HEAD).
  auto nul = parse_live(std::string(R"({"api": "HEAD\u0000x"})"), "dev.json");
  ASSERT_FALSE(nul.has_value());
  EXPECT_NE(nul.error().message.find(R"(service 'api': the live version 'HEAD\x00x' holds a control character)"),
            std::string::npos)
      << nul.error().message;
  auto newline = parse_live(R"({"a\npi": "d99f8e8"})", "dev.json");
  ASSERT_FALSE(newline.has_value());
  EXPECT_NE(newline.error().message.find(R"(the service name 'a\x0api' holds a control character)"), std::string::npos)
      << newline.error().message;
  auto twice = parse_live(R"({"api": "d99f8e8", "ui": "HEAD", "api": "HEAD~1"})", "dev.json");
  ASSERT_FALSE(twice.has_value());
  EXPECT_NE(twice.error().message.find("dev.json: service 'api' is listed twice"), std::string::npos)
      << twice.error().message;
  auto empty_name = parse_live(R"({"": "d99f8e8"})", "dev.json");
  ASSERT_FALSE(empty_name.has_value());
  EXPECT_NE(empty_name.error().message.find("the service name '' is empty"), std::string::npos);
  // Nesting up to the limit is still only a wrong type, not a depth error.
  std::string deep_ok = R"({"api": )" + std::string(kLiveMaxDepth - 1, '[') + std::string(kLiveMaxDepth - 1, ']') + "}";
  auto shallow = parse_live(deep_ok, "dev.json");
  ASSERT_FALSE(shallow.has_value());
  EXPECT_NE(shallow.error().message.find("must be a non-empty string"), std::string::npos) << shallow.error().message;
}

}  // namespace
}  // namespace wharf::plan
