#include "yaml/node.h"

#include <gtest/gtest.h>

namespace wharf::yaml {
namespace {

Node parse_ok(std::string_view text) {
  auto doc = parse(text, "t.yaml");
  if (!doc) {
    ADD_FAILURE() << doc.error().message;
    return Node();
  }
  return *doc;
}

TEST(YamlNodeTest, MappingsSequencesAndScalarsKeepTheirLines) {
  Node doc = parse_ok(
      "services:\n"
      "  cart:\n"
      "    build:\n"
      "      context: ./src/cart\n"
      "    ports: [\"8080:80\", 9090]\n");
  const Node& context = doc["services"]["cart"]["build"]["context"];
  ASSERT_TRUE(context.is_scalar());
  EXPECT_EQ(context.text(), "./src/cart");
  EXPECT_EQ(context.mark().line, 4);
  EXPECT_EQ(context.mark().column, 16);
  const Node& ports = doc["services"]["cart"]["ports"];
  ASSERT_TRUE(ports.is_sequence());
  ASSERT_EQ(ports.items().size(), 2u);
  EXPECT_EQ(ports.items()[0].text(), "8080:80");
  EXPECT_FALSE(ports.items()[0].plain());
  EXPECT_TRUE(ports.items()[1].plain());
  EXPECT_EQ(doc["services"].entries().front().key, "cart");
  EXPECT_EQ(doc["services"].entries().front().key_mark.line, 2);
}

TEST(YamlNodeTest, AbsentKeysAndNullsAreNullNodes) {
  Node doc = parse_ok("a: ~\nb:\nc: 'null'\n");
  EXPECT_TRUE(doc["a"].is_null());
  EXPECT_TRUE(doc["b"].is_null());
  EXPECT_TRUE(doc["c"].is_scalar());  // quoted: a string
  EXPECT_EQ(doc.find("missing"), nullptr);
  EXPECT_TRUE(doc["missing"]["deeper"].is_null());
  EXPECT_EQ(doc["missing"].mark().line, 0);
}

TEST(YamlNodeTest, AliasesAndMergeKeysAreResolved) {
  Node doc = parse_ok(
      "x-common: &common\n"
      "  restart: always\n"
      "  build: {context: ./shared}\n"
      "services:\n"
      "  api:\n"
      "    <<: *common\n"
      "    build: {context: ./api}\n"
      "  worker:\n"
      "    <<: [*common]\n"
      "    image: &img worker:1\n"
      "  again: *img\n");
  const Node& api = doc["services"]["api"];
  EXPECT_EQ(api["build"]["context"].text(), "./api");  // its own entry wins
  EXPECT_EQ(api["restart"].text(), "always");
  EXPECT_EQ(api.find("<<"), nullptr);
  EXPECT_EQ(doc["services"]["worker"]["build"]["context"].text(), "./shared");
  EXPECT_EQ(doc["services"]["again"].text(), "worker:1");
}

TEST(YamlNodeTest, ErrorsNameFileLineAndColumn) {
  auto doc = parse("a: [1, 2\nb: c\n", "compose.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().kind, ErrorKind::config);
  EXPECT_EQ(doc.error().message.rfind("compose.yaml:", 0), 0u) << doc.error().message;
  auto alias = parse("a: *nowhere\n", "x.yaml");
  ASSERT_FALSE(alias);
  EXPECT_NE(alias.error().message.find("unknown alias"), std::string::npos) << alias.error().message;
}

TEST(YamlNodeTest, StreamsHoldSeveralDocuments) {
  auto docs = parse_all("apiVersion: a\n---\napiVersion: b\n", "skaffold.yaml");
  ASSERT_TRUE(docs) << docs.error().message;
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["apiVersion"].text(), "b");
  auto empty = parse_all("", "e.yaml");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(parse_ok("").is_null());
}

}  // namespace
}  // namespace wharf::yaml
