#include "graph/config_snapshot.h"
#include "graph/config_fields.h"

#include <gtest/gtest.h>

#include "fs/memory_file_system.h"
#include "graph/graph.h"
#include "graph/render.h"
#include "tests/testing/assert_result.h"

namespace wharf::graph {
namespace {

constexpr std::string_view kConfig = R"(
[workspace]
exclude = ["docs/**"]
inputs = ["Cargo.lock", "build/base.Dockerfile"]

[package.lib-core]
exclude = ["libs/core/testdata"]
paths = ["libs/core"]

[package.lib-net]
deps = ["lib-core"]
paths = ["./libs//net/"]

[service.billing]
build = "cargo build -p billing"
deps = ["lib-net"]
env = ["RUST_LOG"]
exclude = ["apps/billing/**/*_test.rs"]
paths = ["apps/billing", "build/billing.env"]

[service.web]
outputs = ["apps/web/dist"]
paths = ["apps/web/src/**/*.tsx"]
workdir = "apps/web"

[service.web.image]
entrypoint = ["node", "server.js"]
labels = { "org.opencontainers.image.source" = "x/y", "a/b~c" = "1" }
[[service.web.image.layers]]
files = [{ from = "apps/web/dist", to = "app" }]
[[service.web.image.layers]]
files = []
)";

// Everything a Config holds, as text, locations included.
// Every field of a config as text, through the field list (so a field added
// to graph/config_fields.h is compared without touching this test).
void describe_value(std::string& out, const std::vector<PatternEntry>& entries) {
  for (const auto& entry : entries) out += " " + entry.pattern.text() + " @" + entry.where.str();
}
void describe_value(std::string& out, const std::vector<NameEntry>& entries) {
  for (const auto& entry : entries) out += " " + entry.name + " @" + entry.where.str();
}
void describe_value(std::string& out, const TextEntry& text) { out += " " + text.value + " @" + text.where.str(); }
void describe_value(std::string& out, const std::vector<SettingEntry>& entries) {
  for (const auto& entry : entries) out += " " + entry.pointer + "=" + entry.json + " @" + entry.where.str();
}

std::string describe(const Config& config) {
  std::string out = "file=" + config.file + "\n";
  auto field = [&out](std::string_view table) {
    return [&out, table](const FieldSpec& spec, const auto& value) {
      out += std::string(table) + "." + std::string(spec.name) + ":";
      describe_value(out, value);
      out += "\n";
    };
  };
  visit_fields(config.workspace, field("workspace"));
  for (const auto* list : {&config.packages, &config.services}) {
    for (const auto& c : *list) {
      out += (c.kind == ComponentKind::service ? "service " : "package ") + c.name + " @" + c.where.str() + "\n";
      visit_fields(c, field(" "));
    }
  }
  return out;
}

// Used inline: a failure throws, which fails the test (assert_result.h).
Graph built(std::string_view file = "wharf.toml") {
  auto config = testing::value_or_throw(parse_config(kConfig, file), "parse_config");
  return testing::value_or_throw(Graph::build(std::move(config)), "Graph::build");
}

// Everything a Graph derives, as text: closures, inputs and their flags.
std::string describe(const Graph& graph) {
  std::string out = describe(graph.config()) + graph_to_json(graph);
  for (const Service& service : graph.services()) {
    out += service.name + ":";
    for (std::string_view package : service.packages) out += " " + std::string(package);
    for (const Input& input : service.inputs) {
      out +=
          " [" + input.pattern().text() + " " + std::string(input.via()) + (input.service_excludes_apply ? " x]" : "]");
    }
    out += "\n";
  }
  return out;
}

TEST(ConfigSnapshotTest, RoundTripKeepsEveryFieldLocationAndClosure) {
  Graph graph = built("/repo/wharf.toml");
  std::string digest = snapshot_digest(kConfig);
  auto decoded = decode_snapshot(encode_snapshot(graph, digest), digest, "/repo/wharf.toml");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(describe(decoded->config), describe(graph.config()));
  ASSERT_EQ(decoded->closures.size(), 2u);
  EXPECT_EQ(decoded->closures[0], (std::vector<std::uint32_t>{1, 0}));  // billing: lib-net, then lib-core
  EXPECT_TRUE(decoded->closures[1].empty());
  // Assembled from the snapshot, it is the graph build() made.
  Graph assembled = Graph::assemble(std::move(decoded->config), decoded->closures);
  EXPECT_EQ(describe(assembled), describe(graph));
}

TEST(ConfigSnapshotTest, LocationsNameTheFileGivenAtDecode) {
  std::string digest = snapshot_digest(kConfig);
  auto decoded = decode_snapshot(encode_snapshot(built("a/wharf.toml"), digest), digest, "b/wharf.toml");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->config.services[0].where.str(), "b/wharf.toml:14:10");
}

TEST(ConfigSnapshotTest, DigestChangesWithAnyByte) {
  EXPECT_EQ(snapshot_digest(kConfig), snapshot_digest(std::string(kConfig)));
  EXPECT_NE(snapshot_digest(kConfig), snapshot_digest(std::string(kConfig) + " "));
  EXPECT_EQ(snapshot_digest(kConfig).size(), 32u);
}

TEST(ConfigSnapshotTest, RejectsOtherDigestsAndDamage) {
  std::string digest = snapshot_digest(kConfig);
  std::string bytes = encode_snapshot(built(), digest);
  ASSERT_TRUE(decode_snapshot(bytes, digest, "wharf.toml").has_value());
  EXPECT_FALSE(decode_snapshot(bytes, snapshot_digest("other"), "wharf.toml").has_value());
  EXPECT_FALSE(decode_snapshot("", digest, "wharf.toml").has_value());
  for (std::size_t cut : {std::size_t{7}, std::size_t{56}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(decode_snapshot(bytes.substr(0, cut), digest, "wharf.toml").has_value()) << cut;
  }
  // Every single-byte flip in the payload is caught (checksum), and so is one in the header.
  for (std::size_t i = 0; i < bytes.size(); i += 7) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(decode_snapshot(damaged, digest, "wharf.toml").has_value()) << "byte " << i;
  }
  EXPECT_FALSE(decode_snapshot(bytes + "x", digest, "wharf.toml").has_value());
}

class SnapshotLoadTest : public ::testing::Test {
 protected:
  fs::MemoryFileSystem files;
  const std::string config_path = "/repo/wharf.toml";
  const std::string snapshot = snapshot_path("/repo/.wharf/cache", "/repo/wharf.toml");

  Result<Graph> load(bool* from_snapshot) {
    return load_graph_with_snapshot(files, config_path, snapshot, from_snapshot);
  }
};

TEST_F(SnapshotLoadTest, ParsesOnceThenReadsTheSnapshotUntilTheConfigChanges) {
  EXPECT_EQ(snapshot.rfind("/repo/.wharf/cache/config/", 0), 0u) << snapshot;
  files.set_file(config_path, std::string(kConfig));
  bool from_snapshot = true;
  auto first = load(&from_snapshot);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(from_snapshot);
  EXPECT_TRUE(files.exists(snapshot));

  auto second = load(&from_snapshot);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(from_snapshot);
  EXPECT_EQ(describe(*second), describe(*first));

  // One more service: the snapshot is stale, the new config is what counts.
  files.set_file(config_path, std::string(kConfig) + "\n[service.worker]\npaths = [\"apps/worker\"]\n");
  auto third = load(&from_snapshot);
  ASSERT_TRUE(third.has_value());
  EXPECT_FALSE(from_snapshot);
  ASSERT_EQ(third->services().size(), 3u);
  EXPECT_EQ(third->services()[2].name, "worker");
  auto fourth = load(&from_snapshot);
  ASSERT_TRUE(fourth.has_value());
  EXPECT_TRUE(from_snapshot);
  EXPECT_EQ(describe(*fourth), describe(*third));
}

TEST_F(SnapshotLoadTest, ADamagedSnapshotIsParsedAroundAndRewritten) {
  files.set_file(config_path, std::string(kConfig));
  bool from_snapshot = false;
  ASSERT_TRUE(load(&from_snapshot).has_value());
  auto bytes = files.read_file(snapshot);
  ASSERT_TRUE(bytes.has_value());
  std::string damaged = *bytes;
  damaged[damaged.size() - 3] ^= 0x01;
  files.set_file(snapshot, damaged);

  auto graph = load(&from_snapshot);
  ASSERT_TRUE(graph.has_value());
  EXPECT_FALSE(from_snapshot);
  EXPECT_EQ(describe(*graph), describe(built(config_path)));
  EXPECT_EQ(files.read_file(snapshot).value(), *bytes);  // rewritten whole
}

TEST_F(SnapshotLoadTest, ConfigErrorsAreReportedAndNothingIsWritten) {
  files.set_file(config_path, "[service.cron]\npaths = [\"apps/cron\"]\ndeploy = true\n");
  bool from_snapshot = true;
  auto config = load(&from_snapshot);
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("/repo/wharf.toml:3:1: unknown key 'deploy'"), std::string::npos)
      << config.error().message;
  EXPECT_FALSE(files.exists(snapshot));
  // The same for an error the graph finds (an unknown dep).
  files.set_file(config_path, "[service.cron]\npaths = [\"apps/cron\"]\ndeps = [\"nope\"]\n");
  auto graph = load(&from_snapshot);
  ASSERT_FALSE(graph.has_value());
  EXPECT_NE(graph.error().message.find("unknown dep 'nope'"), std::string::npos) << graph.error().message;
  EXPECT_FALSE(files.exists(snapshot));
}

TEST_F(SnapshotLoadTest, AMissingConfigSaysWhatToDo) {
  auto config = load(nullptr);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().kind, ErrorKind::config);
  EXPECT_NE(config.error().message.find("/repo/wharf.toml: cannot read the config file"), std::string::npos);
}

TEST_F(SnapshotLoadTest, NoSnapshotPathMeansPlainParsing) {
  files.set_file(config_path, std::string(kConfig));
  bool from_snapshot = true;
  auto graph = load_graph_with_snapshot(files, config_path, "", &from_snapshot);
  ASSERT_TRUE(graph.has_value());
  EXPECT_FALSE(from_snapshot);
}

}  // namespace
}  // namespace wharf::graph
