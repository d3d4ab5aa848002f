// The artifact tables of wharf.toml: read into typed form, with every
// problem reported at its file:line:col.
#include "graph/artifact_spec.h"

#include <gtest/gtest.h>

#include "graph/config.h"
#include "tests/testing/assert_result.h"

namespace wharf::graph {
namespace {

Config parsed(std::string_view text) { return testing::value_or_throw(parse_config(text, "wharf.toml"), "parse"); }

std::string config_error(std::string_view text) {
  auto config = parse_config(text, "wharf.toml");
  EXPECT_FALSE(config.has_value());
  return config ? "" : config.error().message;
}

TEST(ArtifactSpecTest, ReadsAnImageTable) {
  Config config = parsed(R"([service.web]
paths = ["web"]
[service.web.image]
base = "oci:images/node:20"
entrypoint = ["node", "server.js"]
cmd = []
env = ["NODE_ENV=production", "A=b=c"]
workdir = "/app"
user = "1000:1000"
labels = { "org.opencontainers.image.source" = "https://x/y", team = "web" }
exposed_ports = ["8080/tcp", "9090"]
platform = "linux/arm64/v8"
compression = "zstd"
tag = "{service}-{short_sha}"
[[service.web.image.layers]]
name = "deps"
files = [{ from = "node_modules", to = "app/node_modules", exclude = ["node_modules/.cache"] }]
[[service.web.image.layers]]
files = [{ from = "web/dist", to = "app" }, { from = "web/*.json", to = "app/" }]
)");
  auto spec = testing::value_or_throw(artifact_spec(config.services[0]), "artifact_spec");
  ASSERT_EQ(spec.kind, ArtifactKind::image);
  const ImageSpec& image = spec.image;
  EXPECT_EQ(image.base, "oci:images/node:20");
  EXPECT_EQ(image.entrypoint, (std::vector<std::string>{"node", "server.js"}));
  ASSERT_TRUE(image.cmd.has_value());  // set, and empty: drops the base's
  EXPECT_TRUE(image.cmd->empty());
  EXPECT_EQ(image.env, (std::vector<std::string>{"NODE_ENV=production", "A=b=c"}));
  EXPECT_EQ(image.workdir, "/app");
  EXPECT_EQ(image.user, "1000:1000");
  EXPECT_EQ(image.labels.at("org.opencontainers.image.source"), "https://x/y");
  EXPECT_EQ(image.labels.at("team"), "web");
  EXPECT_EQ(image.exposed_ports, (std::vector<std::string>{"8080/tcp", "9090"}));
  EXPECT_EQ(image.platform, "linux/arm64/v8");
  EXPECT_EQ(image.compression, "zstd");
  EXPECT_EQ(image.tag, "{service}-{short_sha}");
  ASSERT_EQ(image.layers.size(), 2u);
  EXPECT_EQ(image.layers[0].name, "deps");
  EXPECT_EQ(image.layers[1].name, "layer 2");
  ASSERT_EQ(image.layers[0].files.size(), 1u);
  EXPECT_EQ(image.layers[0].files[0].from.text(), "node_modules");
  EXPECT_EQ(image.layers[0].files[0].to, "app/node_modules");
  ASSERT_EQ(image.layers[0].files[0].exclude.size(), 1u);
  EXPECT_EQ(image.layers[0].files[0].where.line, 17);
  ASSERT_EQ(image.layers[1].files.size(), 2u);
  EXPECT_EQ(image.layers[1].files[1].from.text(), "web/*.json");
  EXPECT_EQ(image.layers[1].files[1].to, "app/");
}

TEST(ArtifactSpecTest, ReadsAZipTableAndDefaults) {
  Config config = parsed(R"([service.api]
paths = ["api"]
[service.api.zip]
files = [{ from = "api/dist" }]
[service.plain]
paths = ["plain"]
)");
  auto zip = testing::value_or_throw(artifact_spec(config.services[0]), "zip");
  ASSERT_EQ(zip.kind, ArtifactKind::zip);
  ASSERT_EQ(zip.zip.files.size(), 1u);
  EXPECT_EQ(zip.zip.files[0].to, "");
  EXPECT_EQ(zip.zip.tag, "");
  auto none = testing::value_or_throw(artifact_spec(config.services[1]), "none");
  EXPECT_EQ(none.kind, ArtifactKind::none);
}

TEST(ArtifactSpecTest, ProblemsNameTheirLineAndSayWhatToDo) {
  struct Case {
    const char* table;
    const char* expected;
  };
  const Case cases[] = {
      {"[service.a.image]\nentrypont = [\"x\"]\n",
       "wharf.toml:4:13: [service.a.image] entrypont: unknown key "
       "'entrypont'; did you mean 'entrypoint'?"},
      {"[service.a.image]\nentrypoint = \"x\"\n", "wharf.toml:4:14: [service.a.image] entrypoint: must be an array"},
      {"[service.a.image]\ntag = \"{sha}-{branch}\"\n", "unknown substitution '{branch}'"},
      {"[service.a.image]\ncompression = \"lz4\"\n", "must be \"gzip\" or \"zstd\""},
      {"[service.a.image]\nbase = \"node:20\"\n",
       "must be \"scratch\", \"oci:DIR:TAG\" or \"docker://REGISTRY/REPOSITORY@sha256:DIGEST\""},
      {"[service.a.image]\nbase = \"docker://ghcr.io/acme/node:20\"\n", "must pin the image by digest"},
      {"[service.a.image]\nbase = \"docker://ghcr.io/acme/node@sha256:abc\"\n", "(64 lowercase hex digits)"},
      {"[service.a.image]\nenv = [\"NOEQUALS\"]\n", "\"NOEQUALS\" is not KEY=VALUE"},
      {"[service.a.zip]\nfiles = [{ from = \"a\", to = \"../up\" }]\n", "is not a path inside the archive"},
      {"[service.a.zip]\nfiles = [{ from = \"../a\" }]\n", "wharf.toml:4:19:"},
      {"[service.a.zip]\nfiles = [{ to = \"x\" }]\n", "a files entry has no 'from'"},
      {"[service.a.zip]\nfiles = [{ from = \"a\", too = \"x\" }]\n", "unknown key 'too'; did you mean 'to'?"},
      {"[service.a.zip]\nfiles = [{ from = \"a\" }]\n[service.a.image]\n[[service.a.image.layers]]\n",
       "has both a zip and an image"},
      {"[service.a.image]\nimport = \"out/image.tar\"\n", "import needs a build command"},
      {"[service.a.image]\nimport = \"out/image.tar\"\nentrypoint = [\"x\"]\n", "import takes the image"},
      {"image = \"x\"\n", "wharf.toml:3:9: [service.a] image must be a table"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.table);
    std::string text = std::string("[service.a]\npaths = [\"a\"]\n") + c.table;
    std::string error = config_error(text);
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
}

TEST(ArtifactSpecTest, ExpandsTagTemplates) {
  EXPECT_EQ(expand_tag("{short_sha}", "api", "0123456789abcdef", "0123456", "k"), "0123456");
  EXPECT_EQ(expand_tag("{service}-{sha}-{key}", "api", "abc", "a", "k1"), "api-abc-k1");
  EXPECT_EQ(expand_tag("v1.{x}", "api", "abc", "a", "k1"), "v1.{x}");
}

}  // namespace
}  // namespace wharf::graph
