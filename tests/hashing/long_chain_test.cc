// Issue 12: a chain of packages (p_i deps = [p_{i-1}], one service using the
// last) made `wharf hash` quadratic in the chain's length (20.8 s for
// 100,000 packages against 0.9 s for `wharf plan`). Its own executable, so
// that ctest's TIMEOUT on it (tests/hashing/CMakeLists.txt) is what fails
// the quadratic code: no timing inside the test.
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fs/memory_file_system.h"
#include "graph/config.h"
#include "graph/graph.h"
#include "hashing/service_key.h"
#include "hashing/xxh3.h"

namespace wharf::hashing {
namespace {

std::size_t ChainLength() {
  const char* value = std::getenv("WHARF_CHAIN_LENGTH");
  return value ? std::strtoul(value, nullptr, 10) : 100'000;
}

TEST(LongChainTest, EveryPackageOfAChainIsHashedOnce) {
  const std::size_t n = ChainLength();
  std::string config = "[package.p0]\npaths = [\"packages/p0\"]\n";
  fs::MemoryFileSystem files;
  files.set_file("/repo/packages/p0/index.ts", "p0");
  for (std::size_t i = 1; i < n; ++i) {
    config += fmt::format("[package.p{}]\npaths = [\"packages/p{}\"]\ndeps = [\"p{}\"]\n", i, i, i - 1);
    files.set_file(fmt::format("/repo/packages/p{}/index.ts", i), fmt::format("p{}", i));
  }
  config += fmt::format("[service.app]\npaths = [\"services/app\"]\ndeps = [\"p{}\"]\n", n - 1);
  files.set_file("/repo/services/app/main.ts", "app");

  auto parsed = graph::parse_config(config, "wharf.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  auto graph = graph::Graph::build(std::move(*parsed));
  ASSERT_TRUE(graph.has_value()) << graph.error().message;
  WorkTree tree;
  tree.fs = &files;
  tree.root = "/repo";
  std::vector<const graph::Service*> services{&graph->services().front()};
  FileHasher hasher(files, "/repo", nullptr);
  auto keys = KeySet::compute(*graph, services, tree, hasher, nullptr);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->services().size(), 1u);
  EXPECT_EQ(keys->services()[0].packages.size(), n);
  EXPECT_EQ(keys->packages().size(), n);
  EXPECT_EQ(keys->services()[0].input_files, n + 1);
  EXPECT_EQ(hasher.stats().files, n + 1);  // each file once

  // The key depends on the far end of the chain.
  files.set_file("/repo/packages/p0/index.ts", "p0, changed");
  FileHasher again(files, "/repo", nullptr);
  auto changed = KeySet::compute(*graph, services, tree, again, nullptr);
  ASSERT_TRUE(changed.has_value());
  EXPECT_NE(to_hex(changed->services()[0].key), to_hex(keys->services()[0].key));
}

}  // namespace
}  // namespace wharf::hashing
