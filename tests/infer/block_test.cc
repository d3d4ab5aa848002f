#include "infer/block.h"

#include <gtest/gtest.h>

#include "infer/line_diff.h"
#include "infer/toml_text.h"

namespace wharf::infer {
namespace {

const std::string kBlock = std::string(kBlockBegin) + "\n[service.a]\npaths = [\"a\"]\n" + std::string(kBlockEnd) + "\n";

TEST(InferBlockTest, SplitAndJoinKeepEveryByteOutsideTheBlock) {
  const std::string text = "# mine\n[environment.prod]\nsource = \"ledger\"\n\n" + kBlock + "\n[service.b]\npaths = [\"b\"]\n";
  auto parts = split_config(text, "wharf.toml");
  ASSERT_TRUE(parts.has_value()) << parts.error().message;
  EXPECT_TRUE(parts->has_block);
  EXPECT_EQ(parts->block, kBlock);
  EXPECT_EQ(parts->before + parts->block + parts->after, text);
  const std::string replaced = join_config(*parts, "NEW\n");
  EXPECT_EQ(replaced, "# mine\n[environment.prod]\nsource = \"ledger\"\n\nNEW\n\n[service.b]\npaths = [\"b\"]\n");
}

TEST(InferBlockTest, WithoutABlockOneIsAppendedAfterABlankLine) {
  auto parts = split_config("[service.b]\npaths = [\"b\"]", "wharf.toml");
  ASSERT_TRUE(parts.has_value());
  EXPECT_FALSE(parts->has_block);
  EXPECT_EQ(join_config(*parts, "NEW\n"), "[service.b]\npaths = [\"b\"]\n\nNEW\n");
  auto empty = split_config("", "wharf.toml");
  EXPECT_EQ(join_config(*empty, "NEW\n"), "NEW\n");
}

TEST(InferBlockTest, ABlockWithoutItsEndIsAnErrorAtItsLine) {
  auto parts = split_config("[x]\n" + std::string(kBlockBegin) + "\n[service.a]\n", "wharf.toml");
  ASSERT_FALSE(parts.has_value());
  EXPECT_TRUE(parts.error().message.starts_with("wharf.toml:2:")) << parts.error().message;
}

TEST(InferBlockTest, DefinedTablesFindHandWrittenOnes) {
  auto tables = defined_tables(
      "[workspace]\ninputs = []\n[service.api]\npaths = [\"x\"]\n[service.web.image]\nbase = \"scratch\"\n"
      "[package.\"lib.core\"]\npaths = [\"y\"]\n[environment.prod]\nsource = \"ledger\"\n",
      "wharf.toml");
  ASSERT_TRUE(tables.has_value()) << tables.error().message;
  EXPECT_EQ(*tables, (std::vector<std::string>{"package.lib.core", "service.api", "service.web", "workspace"}));
  auto broken = defined_tables("[service.api\n", "wharf.toml");
  ASSERT_FALSE(broken.has_value());
  EXPECT_TRUE(broken.error().message.starts_with("wharf.toml:1:")) << broken.error().message;
}

TEST(InferBlockTest, TomlQuoting) {
  EXPECT_EQ(toml_string("services/api"), "\"services/api\"");
  EXPECT_EQ(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(toml_string("caf\u00e9"), "\"caf\u00e9\"");
  EXPECT_EQ(toml_string("it's \"x\""), "\"it's \\\"x\\\"\"");
  EXPECT_EQ(toml_key("api-v2_x"), "api-v2_x");
  EXPECT_EQ(toml_key("api.v2"), "\"api.v2\"");
}

TEST(InferBlockTest, LineDiffShowsTheLinesThatDiffer) {
  std::string diff = line_diff("a\nb\nc\nd\n", "a\nB\nc2\nd\n", 10, "old", "new");
  EXPECT_EQ(diff, "--- old\n+++ new\n@@ -11,2 +11,2 @@\n-b\n-c\n+B\n+c2\n");
  EXPECT_EQ(line_diff("same\n", "same\n", 1, "old", "new"), "");
}

}  // namespace
}  // namespace wharf::infer
